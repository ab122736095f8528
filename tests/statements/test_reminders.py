"""Step 4: organisations that have not answered are reminded at each offset before the
deadline, exactly once per organisation and offset, however often the scan runs."""

import datetime as dt

import pytest

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from statements import services, tasks
from statements.models import SignOnRequest
from statements.services import reminders as reminder_services
from tests.factories import ContactFactory, OrganisationFactory, SignOnRequestFactory

DEADLINE = dt.datetime(2030, 1, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def statement(open_statement):
    open_statement.signon_opens_at = DEADLINE - dt.timedelta(days=20)
    open_statement.signon_closes_at = DEADLINE
    open_statement.embargo_until = DEADLINE + dt.timedelta(days=1)
    open_statement.reminder_offsets = [168, 48, 0]
    open_statement.save()
    return open_statement


@pytest.fixture
def asked(statement, uganda_member, uganda_contacts, brazil_member, brazil_contact):
    """Both member organisations were asked three weeks before the deadline."""
    for organisation in (uganda_member, brazil_member):
        SignOnRequestFactory(statement=statement, organisation=organisation)
    SignOnRequest.objects.update(requested_at=DEADLINE - dt.timedelta(days=21))
    return statement


def reminders():
    return OutgoingMessage.objects.filter(template="statement_reminder")


def test_a_due_offset_reminds_every_authorised_contact_of_organisations_without_answer(asked):
    queued = services.send_due_reminders(now=DEADLINE - dt.timedelta(hours=47))
    assert queued == 3
    assert sorted(reminders().values_list("to_email", flat=True)) == [
        "amina@kapchorwa.test",
        "jean@kapchorwa.test",
        "maria@mpa.test",
    ]


def test_running_the_scan_twice_sends_each_reminder_once(asked):
    now = DEADLINE - dt.timedelta(hours=47)
    services.send_due_reminders(now=now)
    assert services.send_due_reminders(now=now) == 0
    assert services.send_due_reminders(now=now + dt.timedelta(hours=1)) == 0
    assert reminders().count() == 3


def test_the_reminder_key_names_statement_organisation_and_offset(asked, uganda_member):
    services.send_due_reminders(now=DEADLINE - dt.timedelta(hours=47))
    amina = uganda_member.contacts.get(email="amina@kapchorwa.test")
    key = f"statement-reminder:{asked.pk}:{uganda_member.pk}:48:{amina.pk}"
    assert reminders().filter(key=key).exists()


def test_each_offset_is_a_separate_reminder(asked):
    services.send_due_reminders(now=DEADLINE - dt.timedelta(hours=167))
    services.send_due_reminders(now=DEADLINE - dt.timedelta(hours=47))
    offsets = {key.split(":")[3] for key in reminders().values_list("key", flat=True)}
    assert offsets == {"168", "48"}
    assert reminders().count() == 6


def test_nobody_who_signed_or_declined_is_reminded(asked, uganda_member, brazil_member):
    SignOnRequest.objects.filter(organisation=uganda_member).update(answer="signed")
    SignOnRequest.objects.filter(organisation=brazil_member).update(answer="declined")
    assert services.send_due_reminders(now=DEADLINE - dt.timedelta(hours=47)) == 0


def test_an_organisation_asked_after_the_offset_fell_due_is_not_reminded_of_it(
    asked, uganda_member
):
    late = OrganisationFactory(name="Asked Late")
    ContactFactory(organisation=late, email="late@example.test")
    request = SignOnRequestFactory(statement=asked, organisation=late)
    SignOnRequest.objects.filter(pk=request.pk).update(
        requested_at=DEADLINE - dt.timedelta(hours=40)
    )
    services.send_due_reminders(now=DEADLINE - dt.timedelta(hours=39))
    assert not reminders().filter(to_email="late@example.test").exists()


def test_a_reminder_missed_for_longer_than_the_grace_period_is_skipped(asked):
    # The 168-hour reminder fell due five days before this scan.
    services.send_due_reminders(now=DEADLINE - dt.timedelta(hours=50))
    assert reminders().count() == 0


def test_the_deadline_morning_reminder_follows_each_recipients_time_zone(asked):
    # 08:00 in Kampala (UTC+3) is 05:00 UTC; in São Paulo (UTC-3) it is 11:00 UTC.
    services.send_due_reminders(now=DEADLINE.replace(hour=6))
    assert sorted(reminders().values_list("to_email", flat=True)) == [
        "amina@kapchorwa.test",
        "jean@kapchorwa.test",
    ]
    services.send_due_reminders(now=DEADLINE.replace(hour=11, minute=30))
    assert reminders().filter(to_email="maria@mpa.test", key__contains=":0:").exists()


def test_no_reminder_after_the_deadline_or_once_published(asked):
    assert services.send_due_reminders(now=DEADLINE + dt.timedelta(minutes=1)) == 0
    asked.status = "published"
    asked.save()
    assert services.send_due_reminders(now=DEADLINE - dt.timedelta(hours=47)) == 0


def test_the_reminder_is_in_the_recipients_language_with_their_link(asked, uganda_member):
    services.send_due_reminders(now=DEADLINE - dt.timedelta(hours=47))
    jean = uganda_member.contacts.get(email="jean@kapchorwa.test")
    email = render(reminders().get(to_email=jean.email))
    token = SignOnRequest.objects.get(organisation=uganda_member).token
    assert "La société civile" in email.subject
    assert f"http://testserver/statements/s/{token}/?contact={jean.pk}&lang=fr" in email.body
    assert "(Africa/Kampala)" in email.body


def test_the_periodic_task_runs_the_scan(asked, monkeypatch):
    monkeypatch.setattr(
        reminder_services.timezone, "now", lambda: DEADLINE - dt.timedelta(hours=47)
    )
    tasks.send_statement_reminders.delay()
    assert reminders().count() == 3
