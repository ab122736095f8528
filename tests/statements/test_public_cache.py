"""The public page of a statement under a crowd: anonymous readers share one cached page
for a few seconds; anyone logged in gets a page of their own, never the shared one."""

import pytest
from django.core.cache import cache

from statements import services
from statements.models import Statement
from tests.factories import OrganisationFactory, SignatureFactory
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


def test_a_second_anonymous_reader_is_served_without_a_query(
    client, published, django_assert_num_queries
):
    url = published.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert DAVOS_EN in second.content.decode()


def test_anonymous_readers_get_a_publicly_cacheable_page(client, published):
    url = published.get_absolute_url()
    for response in (client.get(url), client.get(url)):
        assert response["Cache-Control"] == PUBLIC
        assert response["Content-Language"] == "en"


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


def test_each_language_has_its_own_cached_page(client, published):
    url = published.get_absolute_url()
    client.get(url)
    french = client.get(url, {"lang": "fr"})
    assert DAVOS_FR in french.content.decode()
    assert french["Content-Language"] == "fr"
    assert DAVOS_EN in client.get(url).content.decode()


def test_a_convenor_never_gets_the_cached_page(client, convenor, published):
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


def test_a_page_with_the_public_form_is_never_shared(client, open_statement):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save(update_fields=["audience"])
    url = open_statement.get_absolute_url()
    for response in (client.get(url), client.get(url)):
        assert response["Cache-Control"] == "private"
        assert response.context["public_form"] is not None
        assert "csrfmiddlewaretoken" in response.content.decode()


def test_a_member_sees_their_own_signature_not_the_shared_page(
    client_for, uganda_member, representative, published
):
    url = published.get_absolute_url()
    client = client_for(None)
    client.get(url)
    response = client_for(representative).get(url)
    assert response["Cache-Control"] == "private"
    assert response.context["own_signature"] is not None


def english_page_key(statement) -> str:
    from statements import views

    return ":".join([views.PUBLIC_PAGE_KEY_PREFIX, statement.slug, "", "en", ""])


def test_a_page_past_its_seconds_is_rendered_again_by_one_request(
    client, published, django_assert_num_queries
):
    url = published.get_absolute_url()
    client.get(url)
    key = english_page_key(published)
    cache.set(key, {**cache.get(key), "fresh_until": 0})
    cache.add(f"{key}:rendering", 1)  # another request is rendering it
    with django_assert_num_queries(0):
        stale = client.get(url)
    assert stale["Cache-Control"] == PUBLIC
    cache.delete(f"{key}:rendering")
    fresh = client.get(url)
    assert fresh.context is not None  # rendered, not read from the cache
    with django_assert_num_queries(0):
        assert client.get(url).context is None
