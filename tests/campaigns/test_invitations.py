"""Inviting organisations to a convening: who may, whom, the emails and their .ics,
moving and cancelling, the RSVP link."""

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from alliance.core.audit.models import AuditEntry
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from campaigns import services
from campaigns.models import Convening, Invitation
from members.models import Contact
from tests.campaigns.conftest import messages_for, parse_ics
from tests.factories import ContactFactory, MembershipFactory, OrganisationFactory


def assert_calendar(message, convening, *, method, sequence):
    calendar = parse_ics(message)
    assert str(calendar["METHOD"]) == method
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == convening.ics_uid
    assert int(event["SEQUENCE"]) == sequence
    dtstart = event["DTSTART"]
    assert dtstart.params["TZID"] == convening.time_zone
    assert dtstart.dt == convening.starts_at
    assert dtstart.dt.tzinfo.key == convening.time_zone
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == convening.time_zone
    return event


# --- sending --------------------------------------------------------------------------


def test_invitation_emails_every_contact_in_their_language_with_ics_and_rsvp_links(
    uganda_convening, uganda_member, representative, member_contacts, uganda_coordinator, invite
):
    ids = invite(uganda_convening, [uganda_member], by=uganda_coordinator)

    invitation = Invitation.objects.get(pk__in=ids)
    assert invitation.organisation == uganda_member
    assert invitation.notified_sequence == 0
    emails = messages_for(uganda_convening)
    # The representative and the French contact; never the erased one.
    assert sorted(m.to_email for m in emails) == ["amelie@kapchorwa.test", representative.email]
    french = next(m for m in emails if m.to_email == "amelie@kapchorwa.test")
    assert french.language == "fr"
    assert french.template == "convening_invitation"
    assert_calendar(french, uganda_convening, method="REQUEST", sequence=0)

    email = render(french)
    rsvp = reverse("campaigns:rsvp", kwargs={"token": invitation.token})
    amelie = Contact.objects.get(email="amelie@kapchorwa.test")
    for answer in ("yes", "maybe", "no"):
        assert f"http://testserver{rsvp}?contact={amelie.pk}&answer={answer}" in email.body
    assert "Uganda national assembly" in email.subject
    assert email.subject.startswith("Invitation")
    assert email.attachments[0][0] == "invite.ics"
    # The agenda is Markdown, rendered in the HTML part.
    assert "<strong>Tax justice</strong>" in email.alternatives[0][0]
    assert AuditEntry.objects.filter(action="convening.invited").count() == 1


def test_inviting_twice_sends_nothing_new(
    uganda_convening, uganda_member, representative, uganda_coordinator, invite
):
    invite(uganda_convening, [uganda_member], by=uganda_coordinator)
    again = invite(uganda_convening, [uganda_member], by=uganda_coordinator)

    assert again == []
    assert Invitation.objects.filter(convening=uganda_convening).count() == 1
    assert len(messages_for(uganda_convening)) == 1


def test_fan_out_run_twice_writes_each_email_once(
    uganda_convening, uganda_member, representative, uganda_coordinator, invite
):
    ids = invite(uganda_convening, [uganda_member], by=uganda_coordinator)

    assert services.notify_invitees(convening_id=uganda_convening.pk, invitation_ids=ids) == 0
    assert services.catch_up_notifications() == 0
    assert len(messages_for(uganda_convening)) == 1


def test_lost_fan_out_is_redone_by_the_catch_up_scan(
    uganda_convening, uganda_member, representative, uganda_coordinator
):
    # Invitations written, but the fan-out task never ran (the broker lost it).
    services.invite_organisations(
        convening=uganda_convening,
        organisations=type(uganda_member).objects.filter(pk=uganda_member.pk),
        invited_by=uganda_coordinator,
    )
    Invitation.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert messages_for(uganda_convening) == []

    assert services.catch_up_notifications() == 1
    assert services.catch_up_notifications() == 0
    assert [m.to_email for m in messages_for(uganda_convening)] == [representative.email]


def test_a_draft_cannot_be_sent(uganda_convening, uganda_member, uganda_coordinator, invite):
    Convening.objects.filter(pk=uganda_convening.pk).update(status=Convening.Status.DRAFT)
    uganda_convening.refresh_from_db()

    with pytest.raises(ValidationError):
        invite(uganda_convening, [uganda_member], by=uganda_coordinator)


def test_coordinator_cannot_invite_on_behalf_of_another_alliance(
    brazil_convening, brazil_member, uganda_coordinator, invite
):
    with pytest.raises(PermissionDenied):
        invite(brazil_convening, [brazil_member], by=uganda_coordinator)
    assert not Invitation.objects.exists()


def test_coordinator_invites_only_their_alliance_organisations(
    uganda_convening, uganda_member, brazil_member, representative, uganda_coordinator, invite
):
    ContactFactory(organisation=brazil_member)

    invite(uganda_convening, [uganda_member, brazil_member], by=uganda_coordinator)

    invited = set(Invitation.objects.values_list("organisation", flat=True))
    assert invited == {uganda_member.pk}


# --- the invite page ------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status",
    [
        ("convenor", 200),
        ("superuser_convenor", 200),
        ("uganda_coordinator", 200),
        ("brazil_coordinator", 404),  # cannot even see another alliance's convening
        ("representative", 404),  # not invited: the convening is not theirs to see
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_invite_page_permissions(persona, status, personas, client_for, uganda_convening):
    url = reverse("campaigns:invite", kwargs={"slug": uganda_convening.slug})
    assert client_for(personas[persona]).get(url).status_code == status


def test_representative_of_an_invited_organisation_cannot_open_the_invite_page(
    uganda_convening, uganda_member, representative, convenor, invite, client_for
):
    invite(uganda_convening, [uganda_member], by=convenor)
    url = reverse("campaigns:invite", kwargs={"slug": uganda_convening.slug})
    assert client_for(representative).get(url).status_code == 403


def test_invite_page_counts_organisations_and_contacts_before_sending(
    uganda_convening, uganda, uganda_member, representative, member_contacts, convenor, client_for
):
    other = OrganisationFactory(name="Kampala Teachers Union", kind="union")
    MembershipFactory(organisation=other, national_alliance=uganda)
    ContactFactory(organisation=other)
    applicant = OrganisationFactory(name="Applicant")
    MembershipFactory(organisation=applicant, national_alliance=uganda, status="applied")
    client = client_for(convenor)
    url = reverse("campaigns:invite", kwargs={"slug": uganda_convening.slug})

    response = client.get(url, {"national_alliance": uganda.pk, "status": "approved"})

    assert response.context["organisation_count"] == 2
    assert response.context["contact_count"] == 3  # 2 + 1, not the erased one
    assert not Invitation.objects.exists()  # counting sends nothing

    response = client.get(url, {"national_alliance": uganda.pk, "kind": "union"})
    assert response.context["organisation_count"] == 1

    response = client.post(url, {"national_alliance": uganda.pk, "status": "approved"})
    assert response.status_code == 302
    assert Invitation.objects.filter(convening=uganda_convening).count() == 2


def test_invite_page_offers_a_coordinator_only_their_alliance(
    uganda_convening, uganda, brazil, brazil_member, uganda_coordinator, client_for
):
    url = reverse("campaigns:invite", kwargs={"slug": uganda_convening.slug})
    response = client_for(uganda_coordinator).get(url, {"country": "BR", "status": ""})

    assert list(response.context["form"].fields["national_alliance"].queryset) == [uganda]
    assert response.context["organisation_count"] == 0


# --- answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status",
    [
        ("convenor", 200),
        ("superuser_convenor", 200),
        ("uganda_coordinator", 200),
        ("brazil_coordinator", 404),
        ("representative", 403),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_invitation_list_permissions(
    persona, status, personas, client_for, uganda_convening, uganda_member, convenor, invite
):
    invite(uganda_convening, [uganda_member], by=convenor)
    for name in ("invitations", "attendance_csv"):
        url = reverse(f"campaigns:{name}", kwargs={"slug": uganda_convening.slug})
        assert client_for(personas[persona]).get(url).status_code == status


def test_invitation_list_shows_totals_and_answers_per_organisation(
    uganda_convening, uganda, convenor, client_for, invite, django_assert_max_num_queries
):
    organisations = OrganisationFactory.create_batch(12)
    for organisation in organisations:
        MembershipFactory(organisation=organisation, national_alliance=uganda)
        ContactFactory(organisation=organisation)
    invite(uganda_convening, organisations, by=convenor)
    Invitation.objects.filter(organisation=organisations[0]).update(
        answer="yes", delegates=["Ann", "Bob"]
    )
    Invitation.objects.filter(organisation=organisations[1]).update(answer="no")
    client = client_for(convenor)
    url = reverse("campaigns:invitations", kwargs={"slug": uganda_convening.slug})

    with django_assert_max_num_queries(14):
        response = client.get(url)

    totals = response.context["totals"]
    assert (totals["invited"], totals["yes"], totals["no"], totals["no_reply"]) == (12, 1, 1, 10)
    assert totals["delegates"] == 2
    assert response.context["progress"]["invitations_written"] == 12
    assert "Ann, Bob" in response.content.decode()
    only_yes = client.get(url, {"answer": "yes"})
    assert [i.organisation for i in only_yes.context["invitations"]] == [organisations[0]]


def test_attendance_csv_lists_every_invitation(
    uganda_convening, uganda_member, convenor, client_for, invite
):
    invite(uganda_convening, [uganda_member], by=convenor)
    Invitation.objects.update(answer="yes", delegates=["Sarah Chebet"])
    url = reverse("campaigns:attendance_csv", kwargs={"slug": uganda_convening.slug})

    response = client_for(convenor).get(url)

    assert response["Content-Type"].startswith("text/csv")
    lines = response.getvalue().decode().splitlines()
    assert lines[0] == "organisation,country,answer,answered_at,delegates,attended"
    assert lines[1].startswith("Kapchorwa Women Farmers Cooperative,UG,yes,,Sarah Chebet,")


def test_attendance_csv_defuses_formulas_typed_into_rsvp_forms(
    uganda_convening, uganda, convenor, client_for, invite
):
    organisation = OrganisationFactory(name="@SUM(A1:A9)", country="UG")
    MembershipFactory(organisation=organisation, national_alliance=uganda)
    invite(uganda_convening, [organisation], by=convenor)
    Invitation.objects.update(answer="yes", delegates=["+cmd", '=HYPERLINK("http://x")'])
    url = reverse("campaigns:attendance_csv", kwargs={"slug": uganda_convening.slug})

    content = client_for(convenor).get(url).getvalue().decode()

    (row,) = csv.DictReader(io.StringIO(content))
    assert row["organisation"] == "'@SUM(A1:A9)"
    assert row["delegates"] == '\'+cmd; =HYPERLINK("http://x")'


def test_organiser_marks_who_attended_after_the_meeting(
    uganda_convening, uganda, uganda_member, uganda_coordinator, client_for, invite
):
    absent = OrganisationFactory()
    MembershipFactory(organisation=absent, national_alliance=uganda)
    invite(uganda_convening, [uganda_member, absent], by=uganda_coordinator)
    url = reverse("campaigns:invitations", kwargs={"slug": uganda_convening.slug})
    came = Invitation.objects.get(organisation=uganda_member)
    client = client_for(uganda_coordinator)

    # Not before the meeting has started.
    client.post(url, {"attended": [came.pk]})
    assert not Invitation.objects.filter(attended__isnull=False).exists()

    started = timezone.now() - dt.timedelta(hours=2)
    Convening.objects.filter(pk=uganda_convening.pk).update(
        starts_at=started, ends_at=started + dt.timedelta(hours=1), rsvp_deadline=None
    )
    client.post(url, {"attended": [came.pk]})

    assert dict(Invitation.objects.values_list("organisation", "attended")) == {
        uganda_member.pk: True,
        absent.pk: False,
    }
    uganda_convening.refresh_from_db()
    assert uganda_convening.status == Convening.Status.HELD


# --- the RSVP link ------------------------------------------------------------------------


@pytest.fixture
def invitation(uganda_convening, uganda_member, representative, convenor, invite):
    (pk,) = invite(uganda_convening, [uganda_member], by=convenor)
    return Invitation.objects.get(pk=pk)


def test_rsvp_link_does_nothing_on_get(client, invitation):
    url = reverse("campaigns:rsvp", kwargs={"token": invitation.token})

    response = client.get(url, {"answer": "yes"})

    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.NO_REPLY
    assert invitation.answered_at is None
    # The answer from the link is offered, not recorded.
    assert response.context["form"].initial["answer"] == "yes"
    assert "https://meet.example.org" not in response.content.decode()


def test_rsvp_post_records_the_answer_and_delegates_and_shows_the_online_link(client, invitation):
    url = reverse("campaigns:rsvp", kwargs={"token": invitation.token})

    response = client.post(url, {"answer": "yes", "delegates": "Sarah Chebet\nJoseph Okello\n"})

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.answer == "yes"
    assert invitation.delegates == ["Sarah Chebet", "Joseph Okello"]
    assert invitation.answered_at is not None
    assert AuditEntry.objects.filter(action="invitation.answered").exists()
    assert "https://meet.example.org/uganda-assembly" in client.get(url).content.decode()


def test_rsvp_refuses_more_delegates_than_places(client, invitation):
    url = reverse("campaigns:rsvp", kwargs={"token": invitation.token})

    response = client.post(url, {"answer": "yes", "delegates": "A\nB\nC"})

    assert response.status_code == 200
    assert "2 delegates" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.NO_REPLY


def test_rsvp_with_an_unknown_token_is_not_found(client, invitation):
    assert client.get(reverse("campaigns:rsvp", kwargs={"token": "nope"})).status_code == 404


def test_rsvp_after_the_deadline_is_refused(client, invitation):
    Convening.objects.update(rsvp_deadline=timezone.now() - dt.timedelta(minutes=1))
    url = reverse("campaigns:rsvp", kwargs={"token": invitation.token})

    response = client.post(url, {"answer": "yes"})

    assert "deadline" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.NO_REPLY


# --- moving and cancelling ------------------------------------------------------------


def move(client, convening, *, days, venue=None):
    """Post the edit form as the organiser does, moving the meeting by `days`."""
    zone = zoneinfo.ZoneInfo(convening.time_zone)
    local = "%Y-%m-%dT%H:%M"
    shift = dt.timedelta(days=days)
    data = {
        "title": convening.title,
        "scope": convening.scope,
        "national_alliance": convening.national_alliance_id or "",
        "format": convening.format,
        "time_zone": convening.time_zone,
        "starts_at": (convening.starts_at + shift).astimezone(zone).strftime(local),
        "ends_at": (convening.ends_at + shift).astimezone(zone).strftime(local),
        "venue": convening.venue if venue is None else venue,
        "online_link": convening.online_link,
        "agenda": convening.agenda,
        "rsvp_deadline": (convening.rsvp_deadline + shift).astimezone(zone).strftime(local)
        if convening.rsvp_deadline
        else "",
        "delegates_per_organisation": convening.delegates_per_organisation,
    }
    url = reverse("campaigns:convening_edit", kwargs={"slug": convening.slug})
    return client.post(url, data)


def test_moving_sends_every_invitee_an_update_with_a_higher_sequence_once(
    uganda_convening,
    uganda_member,
    representative,
    member_contacts,
    uganda_coordinator,
    invite,
    client_for,
    django_capture_on_commit_callbacks,
):
    invite(uganda_convening, [uganda_member], by=uganda_coordinator)
    previous_start = uganda_convening.starts_at
    client = client_for(uganda_coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = move(client, uganda_convening, days=2)

    assert response.status_code == 302
    uganda_convening.refresh_from_db()
    assert uganda_convening.status == Convening.Status.MOVED
    assert uganda_convening.sequence == 1
    assert uganda_convening.starts_at == previous_start + dt.timedelta(days=2)
    updates = messages_for(uganda_convening, "update")
    assert sorted(m.to_email for m in updates) == ["amelie@kapchorwa.test", representative.email]
    for message in updates:
        assert_calendar(message, uganda_convening, method="REQUEST", sequence=1)
    english = render(next(m for m in updates if m.language == "en"))
    assert english.subject.startswith("Moved:")
    assert "has moved" in english.body
    french = render(next(m for m in updates if m.language == "fr"))
    assert french.extra_headers["Content-Language"] == "fr"

    # The fan-out and the catch-up scan running again tell nobody twice.
    ids = list(uganda_convening.invitations.values_list("pk", flat=True))
    services.notify_invitees(convening_id=uganda_convening.pk, invitation_ids=ids)
    services.catch_up_notifications()
    assert len(messages_for(uganda_convening, "update")) == 2

    # A second move is news again, with its own sequence.
    with django_capture_on_commit_callbacks(execute=True):
        move(client, uganda_convening, days=1)
    uganda_convening.refresh_from_db()
    assert uganda_convening.sequence == 2
    assert len(messages_for(uganda_convening, "update")) == 4


def test_editing_only_the_agenda_tells_nobody(
    uganda_convening,
    uganda_member,
    uganda_coordinator,
    representative,
    invite,
    client_for,
    django_capture_on_commit_callbacks,
):
    invite(uganda_convening, [uganda_member], by=uganda_coordinator)
    uganda_convening.agenda = "A new agenda"

    with django_capture_on_commit_callbacks(execute=True):
        move(client_for(uganda_coordinator), uganda_convening, days=0)

    uganda_convening.refresh_from_db()
    assert uganda_convening.agenda == "A new agenda"
    assert uganda_convening.sequence == 0
    assert uganda_convening.status == Convening.Status.SCHEDULED
    assert messages_for(uganda_convening, "update") == []


def test_organisation_invited_after_a_move_gets_only_the_invitation(
    uganda_convening,
    uganda,
    uganda_member,
    representative,
    convenor,
    invite,
    client_for,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        move(client_for(convenor), uganda_convening, days=3)
    uganda_convening.refresh_from_db()

    invite(uganda_convening, [uganda_member], by=convenor)

    (message,) = messages_for(uganda_convening)
    assert message.template == "convening_invitation"
    assert_calendar(message, uganda_convening, method="REQUEST", sequence=1)


def test_cancelling_sends_method_cancel(
    uganda_convening,
    uganda_member,
    representative,
    uganda_coordinator,
    invite,
    client_for,
    django_capture_on_commit_callbacks,
):
    invite(uganda_convening, [uganda_member], by=uganda_coordinator)
    url = reverse("campaigns:convening_cancel", kwargs={"slug": uganda_convening.slug})

    with django_capture_on_commit_callbacks(execute=True):
        client_for(uganda_coordinator).post(url, {"reason": "Elections week: not safe."})

    uganda_convening.refresh_from_db()
    assert uganda_convening.status == Convening.Status.CANCELLED
    (message,) = messages_for(uganda_convening, "cancellation")
    event = assert_calendar(message, uganda_convening, method="CANCEL", sequence=1)
    assert str(event["STATUS"]) == "CANCELLED"
    email = render(message)
    assert "Elections week: not safe." in email.body
    assert email.subject.startswith("Cancelled:")
    # No more answers once cancelled.
    invitation = Invitation.objects.get()
    with pytest.raises(ValidationError):
        services.answer_invitation(invitation=invitation, answer="yes", delegates=[])


@pytest.mark.parametrize(
    "persona, may_cancel",
    [
        ("convenor", True),
        ("superuser_convenor", True),
        ("uganda_coordinator", True),
        ("brazil_coordinator", False),
        ("representative", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_cancel_permissions(persona, may_cancel, personas, client_for, uganda_convening):
    url = reverse("campaigns:convening_cancel", kwargs={"slug": uganda_convening.slug})
    client_for(personas[persona]).post(url, {"reason": ""})
    uganda_convening.refresh_from_db()
    assert (uganda_convening.status == Convening.Status.CANCELLED) is may_cancel


def test_outbox_rows_are_sent(
    uganda_convening, uganda_member, representative, convenor, invite, mailoutbox
):
    invite(uganda_convening, [uganda_member], by=convenor)

    assert OutgoingMessage.objects.get().status == OutgoingMessage.Status.SENT
    (email,) = mailoutbox
    assert email.to == [f"{representative.name} <{representative.email}>"]
    assert email.attachments[0][0] == "invite.ics"


def test_answers_page_shows_fan_out_progress_and_refreshes_until_done(
    uganda_convening, uganda_member, representative, convenor, client_for, invite
):
    # Invitations written but the fan-out not run yet (it runs on commit, in a worker).
    services.invite_organisations(
        convening=uganda_convening,
        organisations=type(uganda_member).objects.filter(pk=uganda_member.pk),
        invited_by=convenor,
    )
    url = reverse("campaigns:invitations", kwargs={"slug": uganda_convening.slug})
    client = client_for(convenor)

    response = client.get(url)
    assert response.context["progress"]["running"] is True
    # htmx swaps the totals in place; without JavaScript the page reloads.
    assert 'hx-trigger="every 5s"' in response.content.decode()
    assert '<noscript><meta http-equiv="refresh"' in response.content.decode()

    Invitation.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    services.catch_up_notifications()
    OutgoingMessage.objects.update(status=OutgoingMessage.Status.SENT)

    response = client.get(url)
    progress = response.context["progress"]
    assert (progress["invitations_written"], progress["emails_sent"]) == (1, 1)
    assert progress["running"] is False
    assert '<meta http-equiv="refresh"' not in response.content.decode()
    assert "hx-trigger" not in response.content.decode()


def test_invite_page_query_count_does_not_grow_with_the_selection(
    uganda_convening, uganda, convenor, client_for, django_assert_max_num_queries
):
    for organisation in OrganisationFactory.create_batch(30):
        MembershipFactory(organisation=organisation, national_alliance=uganda)
    url = reverse("campaigns:invite", kwargs={"slug": uganda_convening.slug})
    client = client_for(convenor)

    with django_assert_max_num_queries(12):
        response = client.get(url, {"national_alliance": uganda.pk, "status": "approved"})

    assert response.context["organisation_count"] == 30
