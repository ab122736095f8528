"""What the public page of a statement tells caches: anonymous readers get a page any
cache may share for a few seconds (the same bytes for all of them: no CSRF token, no
cookie, no unlisted name); anyone logged in, or with a message pending, gets a private
page of their own. What nginx does with it: test_public_page_through_nginx.py."""

import pytest

from statements import services
from statements.models import Statement
from tests.factories import OrganisationFactory, SignatureFactory, SignOnRequestFactory
from tests.statements.conftest import DAVOS_EN, DAVOS_FR

PUBLIC = "public, max-age=5, stale-while-revalidate=30"


@pytest.fixture
def published(open_statement, uganda_member):
    SignatureFactory(statement=open_statement, organisation=uganda_member)
    SignatureFactory(
        statement=open_statement,
        organisation=OrganisationFactory(name="Hidden Defenders Collective", country="UG"),
        listed_publicly=False,
    )
    services.publish(statement=open_statement)
    return open_statement


def test_anonymous_readers_get_a_publicly_cacheable_page(client, published):
    url = published.get_absolute_url()
    for response in (client.get(url), client.get(url)):
        assert response["Cache-Control"] == PUBLIC
        assert response["Content-Language"] == "en"
        assert {"Accept-Language", "Cookie"} <= {
            name.strip() for name in response["Vary"].split(",")
        }
        assert DAVOS_EN in response.content.decode()


def test_the_shared_page_carries_no_csrf_token_and_sets_no_cookie(client, published):
    url = published.get_absolute_url()
    for response in (client.get(url), client.get(url)):
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert not response.cookies


def test_unlisted_names_never_appear_on_the_shared_page(client, published):
    url = published.get_absolute_url()
    for response in (client.get(url), client.get(url)):
        page = response.content.decode()
        assert "Hidden Defenders Collective" not in page
        assert published.signatures.get(listed_publicly=True).organisation.name in page


def test_each_language_has_its_own_shared_page(client, published):
    url = published.get_absolute_url()
    client.get(url)
    french = client.get(url, {"lang": "fr"})
    assert DAVOS_FR in french.content.decode()
    assert french["Content-Language"] == "fr"
    assert DAVOS_EN in client.get(url).content.decode()


def test_a_convenor_gets_a_private_page_of_their_own(client, convenor, published):
    url = published.get_absolute_url()
    shared = client.get(url)
    client.force_login(convenor)
    own = client.get(url)
    assert own["Cache-Control"] == "private"
    assert own.content != shared.content
    page = own.content.decode()
    assert "Hidden Defenders Collective" not in page  # the page lists names only
    assert own.context["can_export"]
    assert "csrfmiddlewaretoken" in page


def test_a_logged_in_page_is_never_served_to_anonymous_readers(client, convenor, published):
    url = published.get_absolute_url()
    client.force_login(convenor)
    client.get(url)
    client.logout()
    client.cookies.clear()
    anonymous = client.get(url)
    assert anonymous["Cache-Control"] == PUBLIC
    assert anonymous.context["can_export"] is False


def test_a_reader_with_a_pending_message_gets_a_page_of_their_own(client, published):
    url = published.get_absolute_url()
    client.get(url)
    client.cookies["messages"] = "anything"
    response = client.get(url)
    assert response["Cache-Control"] == "private"


def test_a_statement_any_organisation_may_sign_is_shared_with_a_link_to_its_form(
    client, open_statement
):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save(update_fields=["audience"])
    url = open_statement.get_absolute_url()
    for response in (client.get(url), client.get(url)):
        page = response.content.decode()
        assert response["Cache-Control"] == PUBLIC
        assert f'href="/statements/{open_statement.slug}/sign/public/?lang=en"' in page
        assert 'name="organisation_name"' not in page
        assert "csrfmiddlewaretoken" not in page


def test_a_representative_who_may_sign_keeps_their_form_on_a_page_of_their_own(
    client, representative, open_statement, uganda_member
):
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member)
    client.get(open_statement.get_absolute_url())
    client.force_login(representative)
    response = client.get(open_statement.get_absolute_url())
    assert response["Cache-Control"] == "private"
    assert response.context["sign_form"] is not None
    assert 'value="rep@kapchorwa.test"' in response.content.decode()


def test_a_member_sees_their_own_signature_not_the_shared_page(
    client_for, uganda_member, representative, published
):
    url = published.get_absolute_url()
    client = client_for(None)
    client.get(url)
    response = client_for(representative).get(url)
    assert response["Cache-Control"] == "private"
    assert response.context["own_signature"] is not None
