"""The statement pages speak the reader's language even when the statement does not: the
text falls back to its original language and the page says so; what a signer is told, and
the times they read, follow the link they came by."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from statements.models import Signature, Statement
from tests.factories import SignatureFactory, SignOnRequestFactory
from tests.statements.conftest import DAVOS_EN, DAVOS_FR

SIGNATURE = {
    "signatory_name": "Amina Nakato",
    "signatory_title": "Director",
    "email": "amina@kapchorwa.test",
    "visibility": "counted",
    "action": "sign",
}
PT_NOTE = (
    "Esta declaração não tem texto na sua língua. É apresentada na sua língua original: inglês."
)
# The deadline, 14:00 UTC: 17:00 in Kampala.
DEADLINE = dt.datetime(2031, 1, 20, 14, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _translations(compiled_translations):
    pass


@pytest.fixture
def published(open_statement):
    open_statement.status = Statement.Status.PUBLISHED
    open_statement.published_at = timezone.now()
    open_statement.save()
    return open_statement


@pytest.fixture
def signon_request(open_statement, uganda_member, uganda_contacts):
    open_statement.signon_closes_at = DEADLINE
    open_statement.embargo_until = DEADLINE + dt.timedelta(hours=1)
    open_statement.save()
    return SignOnRequestFactory(statement=open_statement, organisation=uganda_member)


def respond_url(signon_request, query: str) -> str:
    return f"/statements/s/{signon_request.token}/?{query}"


def test_a_statement_without_the_readers_language_leaves_the_interface_in_it(client, published):
    html = client.get(published.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="pt").content.decode()

    assert '<html lang="pt"' in html
    assert 'class="statement-text" lang="en"' in html
    assert DAVOS_EN in html
    assert PT_NOTE in html
    assert "Signatárias" in html


def test_a_statement_in_the_readers_language_says_nothing_of_a_fallback(client, published):
    html = client.get(published.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert DAVOS_FR in html
    assert "statement-fallback" not in html


def test_the_shared_page_offers_every_interface_language(client, published):
    response = client.get(published.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")

    assert response["Cache-Control"].startswith("public")
    html = response.content.decode()
    for code, _name in settings.LANGUAGES:
        assert f'href="?lang={code}"' in html


def test_the_shared_page_is_kept_once_per_interface_language(client, published):
    url = published.get_absolute_url()
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    portuguese = client.get(url, HTTP_ACCEPT_LANGUAGE="pt")
    asked = client.get(f"{url}?lang=es", HTTP_ACCEPT_LANGUAGE="pt")

    assert (spanish["Content-Language"], portuguese["Content-Language"]) == ("es", "pt")
    assert '<html lang="pt"' in portuguese.content.decode()
    assert '<html lang="es"' in asked.content.decode()


def test_the_thanks_after_signing_by_a_french_link_are_in_french(
    client, signon_request, uganda_contacts
):
    url = respond_url(signon_request, f"contact={uganda_contacts[1].pk}&lang=fr")

    response = client.post(url, SIGNATURE, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    html = response.content.decode()
    assert "Merci\u00a0: Kapchorwa Women Farmers Cooperative a signé." in html
    assert "Thank you" not in html


def test_the_confirmation_page_quotes_the_title_in_its_language(client, open_statement):
    signature = SignatureFactory(
        statement=open_statement, status=Signature.Status.PENDING_VERIFICATION
    )

    html = client.get(f"/statements/confirm/{signature.token}/?lang=fr").content.decode()

    assert DAVOS_FR in html
    assert DAVOS_EN not in html
    assert "Confirmez votre signature" in html or '<html lang="fr"' in html


def test_the_signing_page_from_an_email_shows_the_deadline_in_the_recipients_zone(
    client, signon_request, uganda_contacts
):
    amina = uganda_contacts[0]  # Africa/Kampala

    html = client.get(respond_url(signon_request, f"contact={amina.pk}&lang=en")).content.decode()

    assert "Jan. 20, 2031, 5 p.m. (Africa/Kampala)" in html
    assert 'datetime="2031-01-20T14:00:00+00:00"' in html
    # Her zone is known: no script rewrites it into the browser's.
    assert "local-times.js" not in html


def test_a_signing_page_for_nobody_in_particular_names_utc_and_loads_the_script(
    client, signon_request
):
    html = client.get(respond_url(signon_request, "lang=en")).content.decode()

    assert "Jan. 20, 2031, 2 p.m. (UTC)" in html
    assert "js/local-times.js" in html
