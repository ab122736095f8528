"""Reminders: to organisations that have not answered, a few days before the RSVP
deadline; to those who accepted, the day before. Exactly once each, however often the
periodic scan runs."""

import datetime as dt

import pytest
from django.utils import timezone

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from campaigns import services
from campaigns.models import Convening, Invitation
from campaigns.tasks import send_convening_reminders
from tests.factories import ContactFactory, MembershipFactory, OrganisationFactory


def reminders(kind):
    return list(
        OutgoingMessage.objects.filter(key__startswith="convening-reminder:", key__contains=kind)
    )


@pytest.fixture
def answered_and_silent(uganda_convening, uganda, uganda_member, representative, convenor, invite):
    """The Ugandan member accepted; another member has not answered."""
    silent = OrganisationFactory(name="Gulu Youth Movement")
    MembershipFactory(organisation=silent, national_alliance=uganda)
    ContactFactory(organisation=silent, email="youth@gulu.test", language="fr")
    invite(uganda_convening, [uganda_member, silent], by=convenor)
    Invitation.objects.filter(organisation=uganda_member).update(
        answer=Invitation.Answer.YES, delegates=["Sarah Chebet"]
    )
    return uganda_member, silent


def test_no_reply_reminder_goes_once_a_few_days_before_the_deadline(
    uganda_convening, answered_and_silent
):
    deadline = uganda_convening.rsvp_deadline

    assert services.send_reminders(now=deadline - dt.timedelta(days=5)) == 0
    assert services.send_reminders(now=deadline - dt.timedelta(days=2)) == 1
    assert services.send_reminders(now=deadline - dt.timedelta(days=1)) == 0

    (message,) = reminders(":rsvp:")
    assert message.to_email == "youth@gulu.test"
    assert message.language == "fr"
    assert message.template == "convening_reminder_rsvp"
    email = render(message)
    assert "/campaigns/rsvp/" in email.body


def test_accepted_organisations_are_reminded_the_day_before_with_the_online_link(
    uganda_convening, answered_and_silent, representative
):
    starts = uganda_convening.starts_at

    assert services.send_reminders(now=starts - dt.timedelta(days=2)) == 0
    assert services.send_reminders(now=starts - dt.timedelta(hours=20)) == 1
    assert services.send_reminders(now=starts - dt.timedelta(hours=2)) == 0

    (message,) = reminders(":attendance:")
    assert message.to_email == representative.email
    email = render(message)
    assert "https://meet.example.org/uganda-assembly" in email.body
    assert "Sarah Chebet" in email.body


def test_reminder_scan_run_twice_at_the_same_time_sends_once(
    uganda_convening, answered_and_silent, django_capture_on_commit_callbacks, mailoutbox
):
    mailoutbox.clear()
    now = uganda_convening.rsvp_deadline - dt.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.send_reminders(now=now)
        second = services.send_reminders(now=now)

    assert (first, second) == (1, 0)
    assert len(reminders(":rsvp:")) == 1
    assert len(mailoutbox) == 1


def test_no_reminders_for_a_cancelled_convening(uganda_convening, answered_and_silent):
    Convening.objects.update(status=Convening.Status.CANCELLED)

    assert services.send_reminders(now=uganda_convening.starts_at - dt.timedelta(hours=20)) == 0
    assert services.send_reminders(now=uganda_convening.rsvp_deadline - dt.timedelta(days=1)) == 0


def test_periodic_task_sends_nothing_when_nothing_is_due(uganda_convening, answered_and_silent):
    assert send_convening_reminders.delay().get() == 0
    assert timezone.now() < uganda_convening.rsvp_deadline - services.RSVP_REMINDER_BEFORE
