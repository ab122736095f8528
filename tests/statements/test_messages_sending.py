"""Messages sent from the tracking page ("remind now", "send again to this organisation")
and at publication (a thank-you to each signer, a notice to those asked who did not sign)."""

import pytest
from django.urls import reverse

from alliance.core.audit.models import AuditEntry
from alliance.core.messagetexts.models import MessageText
from alliance.core.messagetexts.services import save_text
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render_parts
from statements import services
from statements.models import SignOnRequest
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    SignatureFactory,
    SignOnRequestFactory,
)
from tests.statements.conftest import DAVOS_EN, DAVOS_FR

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(open_statement, uganda_member, uganda_contacts, brazil_member, brazil_contact):
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member)
    SignOnRequestFactory(statement=open_statement, organisation=brazil_member)
    return open_statement


def reminders():
    return OutgoingMessage.objects.filter(template="statement_reminder")


def test_remind_now_twice_with_the_same_form_sends_once_and_audits_once(client, convenor, asked):
    client.force_login(convenor)
    url = reverse("statements:remind_now", kwargs={"slug": asked.slug})

    first = client.post(url, {"token": "abc"})
    second = client.post(url, {"token": "abc"})  # the double click

    assert first.status_code == second.status_code == 302
    # Two authorised contacts in Uganda, one in Brazil.
    assert sorted(reminders().values_list("to_email", flat=True)) == [
        "amina@kapchorwa.test",
        "jean@kapchorwa.test",
        "maria@mpa.test",
    ]
    assert AuditEntry.objects.filter(action="statement.reminded_now").count() == 1


def test_remind_now_does_not_double_a_reminder_waiting_or_just_sent(client, convenor, asked):
    client.force_login(convenor)
    url = reverse("statements:remind_now", kwargs={"slug": asked.slug})
    client.post(url, {"token": "first"})

    client.post(url, {"token": "second"})  # a new form, while the first ones wait or just went

    assert reminders().count() == 3


def test_remind_now_skips_organisations_that_answered(client, convenor, asked, uganda_member):
    SignOnRequest.objects.filter(organisation=uganda_member).update(
        answer=SignOnRequest.Answer.DECLINED
    )
    client.force_login(convenor)

    client.post(reverse("statements:remind_now", kwargs={"slug": asked.slug}), {"token": "t"})

    assert list(reminders().values_list("to_email", flat=True)) == ["maria@mpa.test"]


def test_remind_now_uses_the_edited_reminder_in_each_language(client, convenor, asked):
    save_text(
        target=asked,
        kind="statement_reminder",
        language="fr",
        subject="Dernier appel : {title}",
        body="{organisation}, il reste peu de temps.",
        saved_by=convenor,
    )
    client.force_login(convenor)

    client.post(reverse("statements:remind_now", kwargs={"slug": asked.slug}), {"token": "t"})

    french = reminders().get(to_email="jean@kapchorwa.test")
    assert french.context["edited"]["text_version"] == MessageText.objects.get().pk
    parts = render_parts(french)
    assert parts.subject == f"Dernier appel : {DAVOS_FR}"
    assert "il reste peu de temps" in parts.text
    english = render_parts(reminders().get(to_email="amina@kapchorwa.test"))
    assert "We have not heard from" in english.text


def test_send_again_writes_the_invitation_once_per_form(client, convenor, asked, brazil_member):
    client.force_login(convenor)
    url = reverse(
        "statements:send_again", kwargs={"slug": asked.slug, "organisation": brazil_member.pk}
    )

    client.post(url, {"token": "x"})
    client.post(url, {"token": "x"})

    again = OutgoingMessage.objects.filter(key__contains=":again:")
    assert list(again.values_list("to_email", "template")) == [
        ("maria@mpa.test", "statement_invitation")
    ]
    assert again.get().language == "pt"
    assert AuditEntry.objects.filter(action="statement.invitation_sent_again").count() == 1


def test_send_again_to_an_organisation_not_asked_is_a_clear_error(client, convenor, asked):
    client.force_login(convenor)
    stranger = OrganisationFactory()

    response = client.post(
        reverse("statements:send_again", kwargs={"slug": asked.slug, "organisation": stranger.pk}),
        {"token": "x"},
        follow=True,
    )

    assert response.status_code == 200
    assert "This organisation was not asked to sign." in response.text
    assert not OutgoingMessage.objects.filter(key__contains=":again:").exists()


def test_the_tracking_page_offers_remind_now_and_send_again(client, convenor, asked):
    client.force_login(convenor)

    response = client.get(reverse("statements:tracking", kwargs={"slug": asked.slug}))

    assert 'id="remind-now"' in response.text
    assert response.text.count("Send again") == 2


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", 302),
        ("uganda_coordinator", 403),
        ("brazil_coordinator", 403),
        ("representative", 403),
        (None, 302),
    ],
)
def test_who_may_remind_now_and_send_again(
    client, request, asked, uganda_member, persona, expected
):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    remind = client.post(
        reverse("statements:remind_now", kwargs={"slug": asked.slug}), {"token": "t"}
    )
    again = client.post(
        reverse(
            "statements:send_again", kwargs={"slug": asked.slug, "organisation": uganda_member.pk}
        ),
        {"token": "t"},
    )

    assert remind.status_code == again.status_code == expected
    if persona is None:
        assert "/login/" in remind.url
    sent = OutgoingMessage.objects.filter(key__contains=":t:").exists()
    assert sent == (persona == "convenor")


# --- at publication ---------------------------------------------------------------------


def test_publication_thanks_every_signer_and_tells_the_others_in_their_language(
    convenor, asked, uganda_member, uganda_contacts, brazil_member, brazil_contact
):
    jean = uganda_contacts[1]
    SignatureFactory(
        statement=asked,
        organisation=uganda_member,
        contact=jean,
        email="jean@kapchorwa.test",
        signatory_name="Jean Okello",
    )
    SignOnRequest.objects.filter(organisation=uganda_member).update(
        answer=SignOnRequest.Answer.SIGNED
    )

    services.publish(statement=asked, actor=convenor)
    services.publish(statement=asked, actor=convenor)  # a second call sends nothing more

    (thanks,) = OutgoingMessage.objects.filter(template="statement_thanks")
    assert (thanks.to_email, thanks.language) == ("jean@kapchorwa.test", "fr")
    parts = render_parts(thanks)
    assert DAVOS_FR in parts.subject
    assert f"http://testserver/statements/{asked.slug}/?lang=fr" in parts.text
    assert f"http://testserver/statements/{asked.slug}/handover.pdf" in parts.text
    (notice,) = OutgoingMessage.objects.filter(template="statement_published_notice")
    assert (notice.to_email, notice.language) == ("maria@mpa.test", "pt")
    notice_parts = render_parts(notice)
    assert brazil_member.name in notice_parts.text
    assert "Publicada" in notice_parts.subject


def test_a_public_signer_is_thanked_in_the_language_it_signed_in(convenor, open_statement):
    from statements.models import PublicSubmission

    signature = SignatureFactory(statement=open_statement, email="ana@coop.example", contact=None)
    PublicSubmission.objects.create(
        statement=open_statement,
        organisation_name=signature.organisation.name,
        country="BR",
        kind="other",
        signatory_name="Ana",
        email="ana@coop.example",
        language="es",
        status=PublicSubmission.Status.PROCESSED,
        signature=signature,
    )

    services.publish(statement=open_statement, actor=convenor)

    thanks = OutgoingMessage.objects.get(template="statement_thanks")
    assert thanks.language == "es"
    assert DAVOS_EN in render_parts(thanks).subject  # the statement has no Spanish text


def test_an_edited_thank_you_is_used_and_recorded(convenor, open_statement):
    SignatureFactory(statement=open_statement, email="signer@example.org", contact=None)
    save_text(
        target=open_statement,
        kind="statement_thanks",
        language="en",
        subject="We did it: {title}",
        body="Thanks, {organisation}! [Download]({handover_link})",
        saved_by=convenor,
    )

    services.publish(statement=open_statement, actor=convenor)

    thanks = OutgoingMessage.objects.get(template="statement_thanks")
    assert thanks.context["edited"]["text_version"] == MessageText.objects.get().pk
    parts = render_parts(thanks)
    assert parts.subject == f"We did it: {DAVOS_EN}"
    assert f'href="http://testserver/statements/{open_statement.slug}/handover.pdf"' in parts.html


def test_withdrawn_signers_are_not_thanked(convenor, open_statement):
    SignatureFactory(statement=open_statement, status="withdrawn", email="gone@example.org")
    contact = ContactFactory(email="left@example.org")
    SignatureFactory(statement=open_statement, status="confirmed", contact=contact, email="")

    services.publish(statement=open_statement, actor=convenor)

    assert not OutgoingMessage.objects.filter(template="statement_thanks").exists()


def test_a_scheduled_reminder_does_not_follow_a_remind_now_of_the_same_day(client, convenor, asked):
    import datetime as dt

    from django.utils import timezone

    asked.signon_closes_at = timezone.now() + dt.timedelta(hours=47)
    asked.reminder_offsets = [48]
    asked.save()
    SignOnRequest.objects.update(requested_at=timezone.now() - dt.timedelta(days=3))
    client.force_login(convenor)
    client.post(reverse("statements:remind_now", kwargs={"slug": asked.slug}), {"token": "t"})

    assert services.send_due_reminders() == 0
    assert reminders().count() == 3


def test_send_again_to_an_organisation_that_signed_is_refused(
    client, convenor, asked, uganda_member
):
    SignOnRequest.objects.filter(organisation=uganda_member).update(
        answer=SignOnRequest.Answer.SIGNED
    )
    client.force_login(convenor)

    response = client.post(
        reverse(
            "statements:send_again", kwargs={"slug": asked.slug, "organisation": uganda_member.pk}
        ),
        {"token": "x"},
        follow=True,
    )

    assert "This organisation has signed already." in response.text
    assert not OutgoingMessage.objects.filter(key__contains=":again:").exists()
    assert response.text.count("Send again") == 1  # only the organisation that has not
