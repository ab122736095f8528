"""An organisation that was not asked signs from the public page of a statement open to
any organisation: its address is confirmed by a link (a POST), an existing organisation
is linked rather than duplicated, and the page never reveals who signed already."""

import pytest

from alliance.audit.models import AuditEntry
from alliance.outbox.models import OutgoingMessage
from alliance.outbox.services import render
from members.models import Organisation
from statements import services
from statements.models import Signature, Statement
from statements.services import Signatory
from tests.factories import SignatureFactory

PUBLIC_SIGNATURE = {
    "organisation_name": "Lagos Tax Justice Network",
    "country": "NG",
    "kind": "network",
    "signatory_name": "Chioma Eze",
    "signatory_title": "Coordinator",
    "email": "Chioma+davos@LagosTax.example",
    "visibility": "listed",
    "website_url": "",
}


@pytest.fixture
def open_to_anyone(open_statement):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save()
    return open_statement


def sign_url(statement):
    return f"/statements/{statement.slug}/sign/public/"


def test_anonymous_visitors_see_the_form_on_a_statement_open_to_anyone(client, open_to_anyone):
    html = client.get(f"/statements/{open_to_anyone.slug}/").content.decode()
    assert "Sign this statement for your organisation" in html
    assert 'name="organisation_name"' in html


def test_an_invited_only_statement_has_no_public_form(client, open_statement, outsider):
    client.force_login(outsider)
    assert client.post(sign_url(open_statement), PUBLIC_SIGNATURE).status_code == 404
    assert not Signature.objects.exists()


def test_signing_creates_the_organisation_and_a_signature_waiting_for_confirmation(
    client, open_to_anyone
):
    response = client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING_VERIFICATION
    assert signature.source == Signature.Source.WEB
    assert signature.organisation.name == "Lagos Tax Justice Network"
    assert signature.organisation.country.code == "NG"
    message = OutgoingMessage.objects.get(template="statement_signature_confirmation")
    assert message.to_email == "Chioma+davos@LagosTax.example"
    assert f"http://testserver/statements/confirm/{signature.token}/" in render(message).body


def test_a_name_matching_an_existing_organisation_is_linked_not_duplicated(
    client, open_to_anyone, uganda_member
):
    client.post(
        sign_url(open_to_anyone),
        {
            **PUBLIC_SIGNATURE,
            "organisation_name": "kapchorwa women farmers cooperative",
            "country": "UG",
        },
    )
    assert Signature.objects.get().organisation == uganda_member
    assert Organisation.objects.filter(name__iexact=uganda_member.name).count() == 1


def test_opening_the_confirmation_link_changes_nothing_and_the_post_confirms(
    client, open_to_anyone
):
    client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)
    signature = Signature.objects.get()
    page = client.get(f"/statements/confirm/{signature.token}/")
    assert page.status_code == 200
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING_VERIFICATION
    client.post(f"/statements/confirm/{signature.token}/")
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    assert signature.email_verified_at is not None
    assert AuditEntry.objects.filter(action="signature.email_verified").exists()


def test_with_moderation_a_confirmed_address_waits_for_a_moderator(client, open_to_anyone):
    open_to_anyone.moderation = True
    open_to_anyone.save()
    client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)
    signature = Signature.objects.get()
    client.post(f"/statements/confirm/{signature.token}/")
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING_MODERATION


def test_a_filled_bot_field_marks_the_signature_suspicious_for_moderation(client, open_to_anyone):
    client.post(sign_url(open_to_anyone), {**PUBLIC_SIGNATURE, "website_url": "http://spam"})
    signature = Signature.objects.get()
    assert signature.suspicious is True
    client.post(f"/statements/confirm/{signature.token}/")
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING_MODERATION


def test_when_the_organisation_signed_already_the_page_says_nothing_and_the_email_tells(
    client, open_to_anyone, uganda_member
):
    SignatureFactory(
        statement=open_to_anyone,
        organisation=uganda_member,
        signatory_name="Secret Signer",
        listed_publicly=False,
    )
    response = client.post(
        sign_url(open_to_anyone),
        {**PUBLIC_SIGNATURE, "organisation_name": uganda_member.name, "country": "UG"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Check your email" in html
    assert "Secret Signer" not in html and "already" not in html
    assert Signature.objects.count() == 1
    message = OutgoingMessage.objects.get(template="statement_already_signed")
    assert "had already signed" in render(message).body
    assert "Secret Signer" not in render(message).body


def test_at_most_five_confirmation_emails_per_signature(client, open_to_anyone):
    client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)
    signature = Signature.objects.get()
    sent = [
        services.send_signature_confirmation(signature=signature, language="en") for _ in range(6)
    ]
    assert sent == [True, True, True, True, False, False]
    assert OutgoingMessage.objects.filter(template="statement_signature_confirmation").count() == 5


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("Ana@Example.org", "ana@example.org"),
        ("ana+davos@example.org", "ana@example.org"),
        (" ANA+x+y@EXAMPLE.ORG ", "ana@example.org"),
    ],
)
def test_emails_are_compared_in_a_canonical_form(given, canonical):
    assert services.canonical_email(given) == canonical


def test_a_second_submission_for_the_same_organisation_sends_one_already_signed_email(
    open_to_anyone, uganda_member
):
    SignatureFactory(statement=open_to_anyone, organisation=uganda_member)
    for email in ("Chioma@example.org", "chioma+again@example.org"):
        result = services.sign_publicly(
            statement=open_to_anyone,
            organisation_name=uganda_member.name,
            country="UG",
            kind="network",
            signatory=Signatory(name="Chioma", email=email),
            language="en",
        )
        assert result is None
    assert OutgoingMessage.objects.filter(template="statement_already_signed").count() == 1


def test_past_three_submissions_an_hour_from_one_address_the_next_are_kept_for_moderation(
    client, open_to_anyone
):
    for n in range(4):
        client.post(
            sign_url(open_to_anyone),
            {
                **PUBLIC_SIGNATURE,
                "organisation_name": f"Org {n}",
                "email": f"chioma+{n}@lagostax.example",
            },
        )
    flags = list(Signature.objects.order_by("pk").values_list("suspicious", flat=True))
    assert flags == [False, False, False, True]
    entry = AuditEntry.objects.filter(action="signature.submitted").latest("pk")
    assert "more than 3 an hour from this email" in entry.note


def test_many_people_behind_one_office_address_are_not_blocked(client, open_to_anyone):
    for n in range(31):
        client.post(
            sign_url(open_to_anyone),
            {**PUBLIC_SIGNATURE, "organisation_name": f"Org {n}", "email": f"p{n}@office.example"},
        )
    assert Signature.objects.count() == 31  # none dropped
    assert Signature.objects.filter(suspicious=True).count() == 1  # the 31st: moderation
