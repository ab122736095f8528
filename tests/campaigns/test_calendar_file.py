"""The .ics each invitee receives, parsed back with icalendar: the organiser is a real
address from the settings, the invitee is the ATTENDEE with their organisation's answer,
a URL leads back to the convening's page, the agenda reads as text, and the online link
is there only for organisations that accepted a convening held online or hybrid."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from alliance.core.audit.services import snapshot
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from campaigns import services
from campaigns.models import Convening, Invitation
from tests.campaigns.conftest import messages_for, parse_ics
from tests.factories import ContactFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ORGANIZER = "Alliance secretariat <convenings@alliance.example.org>"
LINK = "https://meet.example.org/uganda-assembly"


def event_of(message):
    (event,) = parse_ics(message).walk("VEVENT")
    return event


def move_by_a_day(convening, by, capture):
    before = snapshot(convening, services.MATERIAL_FIELDS)
    convening.starts_at += dt.timedelta(days=1)
    convening.ends_at += dt.timedelta(days=1)
    with capture(execute=True):
        services.update_convening(convening=convening, before=before, changed_by=by)
    convening.refresh_from_db()


@override_settings(CONVENINGS_ORGANIZER_EMAIL=ORGANIZER)
def test_invitation_names_the_organiser_the_invitee_and_the_convenings_page(
    uganda_convening, uganda_member, representative, member_contacts, uganda_coordinator, invite
):
    invite(uganda_convening, [uganda_member], by=uganda_coordinator)

    messages = messages_for(uganda_convening, "invitation")
    assert len(messages) == 2
    for message in messages:
        event = event_of(message)
        organizer = event["ORGANIZER"]
        assert str(organizer) == "mailto:convenings@alliance.example.org"
        assert organizer.params["CN"] == uganda_convening.national_alliance.name
        attendee = event["ATTENDEE"]
        assert str(attendee) == f"mailto:{message.to_email}"
        assert attendee.params["CN"] == message.to_name
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        page = reverse("campaigns:convening", args=[uganda_convening.slug])
        assert str(event["URL"]) == f"http://testserver{page}"
        # Markdown read as text, and no online link before anyone accepted.
        description = str(event["DESCRIPTION"])
        assert "**" not in description
        assert "Tax justice campaign" in description
        assert LINK not in parse_ics(message).to_ical().decode()


def test_the_organiser_is_never_the_placeholder_address_of_the_settings_file(
    uganda_convening, uganda_member, representative, uganda_coordinator, invite
):
    with override_settings(CONVENINGS_ORGANIZER_EMAIL="Hub <hub@example.org>"):
        invite(uganda_convening, [uganda_member], by=uganda_coordinator)

    (message,) = messages_for(uganda_convening, "invitation")
    assert str(event_of(message)["ORGANIZER"]) == "mailto:hub@example.org"


def test_text_email_shows_the_agenda_as_text_not_markdown(
    uganda_convening, uganda_member, representative, uganda_coordinator, invite
):
    invite(uganda_convening, [uganda_member], by=uganda_coordinator)

    (message,) = messages_for(uganda_convening, "invitation")
    body = render(message).body
    assert "**" not in body
    assert "Tax justice campaign" in body


@pytest.mark.parametrize(
    ("convening_format", "answer", "has_link"),
    [
        (Convening.Format.ONLINE, Invitation.Answer.YES, True),
        (Convening.Format.HYBRID, Invitation.Answer.YES, True),
        (Convening.Format.IN_PERSON, Invitation.Answer.YES, False),
        (Convening.Format.HYBRID, Invitation.Answer.MAYBE, False),
        (Convening.Format.HYBRID, Invitation.Answer.NO, False),
    ],
)
def test_update_carries_the_answer_and_the_online_link_only_for_accepted_invitees(
    uganda_convening,
    uganda_member,
    representative,
    uganda_coordinator,
    invite,
    django_capture_on_commit_callbacks,
    convening_format,
    answer,
    has_link,
):
    uganda_convening.format = convening_format
    uganda_convening.save(update_fields=["format"])
    silent = OrganisationFactory(name="Silent cooperative", country="UG")
    ContactFactory(organisation=silent, email="silent@coop.test", name="Sam")
    MembershipFactory(organisation=silent, national_alliance=uganda_convening.national_alliance)
    invite(uganda_convening, [uganda_member, silent], by=uganda_coordinator)
    invitation = Invitation.objects.get(convening=uganda_convening, organisation=uganda_member)
    services.answer_invitation(invitation=invitation, answer=answer, delegates=["Ruth"])

    move_by_a_day(uganda_convening, uganda_coordinator, django_capture_on_commit_callbacks)

    updates = {m.to_email: m for m in messages_for(uganda_convening, "update")}
    answered = event_of(updates[representative.email])
    expected = {"yes": "ACCEPTED", "maybe": "TENTATIVE", "no": "DECLINED"}[answer]
    assert answered["ATTENDEE"].params["PARTSTAT"] == expected
    ics_text = parse_ics(updates[representative.email]).to_ical().decode()
    assert (LINK in ics_text) is has_link
    if has_link:
        assert LINK in str(answered["DESCRIPTION"])
    # The organisation that has not answered never sees it.
    silent_event = event_of(updates["silent@coop.test"])
    assert silent_event["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert LINK not in parse_ics(updates["silent@coop.test"]).to_ical().decode()


@pytest.mark.parametrize(
    ("convening_format", "has_link"),
    [(Convening.Format.ONLINE, True), (Convening.Format.IN_PERSON, False)],
)
def test_attendance_reminder_gives_the_online_link_only_for_a_meeting_held_online(
    uganda_convening,
    uganda_member,
    representative,
    uganda_coordinator,
    invite,
    convening_format,
    has_link,
):
    uganda_convening.format = convening_format
    uganda_convening.save(update_fields=["format"])
    invite(uganda_convening, [uganda_member], by=uganda_coordinator)
    invitation = Invitation.objects.get(convening=uganda_convening, organisation=uganda_member)
    services.answer_invitation(invitation=invitation, answer="yes", delegates=[])

    services.send_reminders(now=uganda_convening.starts_at - dt.timedelta(hours=12))

    (reminder,) = [m for m in messages_for_reminders(uganda_convening) if "attendance" in m.key]
    assert (LINK in render(reminder).body) is has_link


def messages_for_reminders(convening):
    return list(
        OutgoingMessage.objects.filter(key__startswith=f"convening-reminder:{convening.pk}:")
    )


def test_each_invitee_of_a_fan_out_batch_gets_a_whole_file_with_their_own_attendee(
    uganda_convening, uganda_member, representative, member_contacts, uganda_coordinator, invite
):
    # A name long enough to be folded, with a comma, a quote and letters beyond ASCII.
    long_name = 'Zoë "Nakato" Ssemakula-Ørsted, coordinator of partnerships and campaigns'
    ContactFactory(organisation=uganda_member, name=long_name, email="zoe@kapchorwa.test")
    other = OrganisationFactory(name="Gulu women's network", country="UG")
    MembershipFactory(organisation=other, national_alliance=uganda_convening.national_alliance)
    ContactFactory(organisation=other, name="", email="info@gulu.test")

    invite(uganda_convening, [uganda_member, other], by=uganda_coordinator)

    messages = messages_for(uganda_convening, "invitation")
    assert len(messages) == 4
    files = {}
    for message in messages:
        content = message.attachments[0]["content"]
        calendar = parse_ics(message)
        # What icalendar writes for what it read: the file is whole, folded and escaped.
        assert calendar.to_ical().decode() == content
        attendee = event_of(message)["ATTENDEE"]
        assert str(attendee) == f"mailto:{message.to_email}"
        assert attendee.params.get("CN", "") == message.to_name
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        files[message.to_email] = content

    # Apart from the ATTENDEE line (and its folded continuation), the files are the same.
    def without_attendee(content):
        lines = content.replace("\r\n ", "").split("\r\n")
        return [line for line in lines if not line.startswith("ATTENDEE")]

    shared = {tuple(without_attendee(content)) for content in files.values()}
    assert len(shared) == 1
