"""The signing pages say what is true once the organisation has signed, and dates in the
reader's language (never an ISO date, never a date followed by a doubled full stop)."""

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from alliance.core.accounts.models import zone_or_utc
from statements import services
from statements.models import Signature
from statements.services import Signatory
from tests.factories import SignOnRequestFactory

pytestmark = pytest.mark.django_db

SIGNATURE = {
    "signatory_name": "Amina Nakato",
    "signatory_title": "Director",
    "email": "amina@kapchorwa.test",
    "visibility": "listed",
    "action": "sign",
}


@pytest.fixture
def signon_request(open_statement, uganda_member, uganda_contacts):
    return SignOnRequestFactory(statement=open_statement, organisation=uganda_member)


def test_after_signing_the_page_no_longer_says_the_organisation_is_asked_to_sign(
    client, signon_request, uganda_contacts
):
    url = f"/statements/s/{signon_request.token}/?contact={uganda_contacts[0].pk}"
    before = client.get(url).content.decode()
    assert "is asked to sign this joint statement" in before

    response = client.post(url, SIGNATURE)
    after = client.get(response["Location"]).content.decode()

    assert "is asked to sign" not in after
    assert "Amina Nakato signed for Kapchorwa Women Farmers Cooperative." in after
    assert ".." not in after.replace("...", "")


# The statement has English and French texts (tests/statements/conftest.py).
@pytest.mark.parametrize("language", ["en", "fr"])
def test_already_signed_message_gives_the_date_in_the_readers_language(
    client, signon_request, uganda_contacts, language
):
    services.sign(
        statement=signon_request.statement,
        organisation=signon_request.organisation,
        signatory=Signatory(name="Amina Nakato", email="amina@kapchorwa.test"),
    )
    # The page gives times in the zone of the person the link was sent to: late in the
    # evening UTC, Kampala's date is already the next day's.
    reader = uganda_contacts[1]
    signed_at = timezone.localtime(
        Signature.objects.get().created_at, zone_or_utc(reader.time_zone)
    )

    response = client.post(
        f"/statements/s/{signon_request.token}/?contact={reader.pk}&lang={language}",
        {**SIGNATURE, "signatory_name": "Jean Okello", "email": "jean@kapchorwa.test"},
    )

    html = response.content.decode()
    assert response.status_code == 409
    with translation.override(language):
        expected = date_format(signed_at, "DATE_FORMAT")
    assert f"{expected}, Amina Nakato" in html
    assert signed_at.strftime("%Y-%m-%d") not in html
