"""A batch of outbox messages sent by Django's SMTP backend over one connection, against
a real aiosmtpd server: what arrives is what was written; a refused address fails only
its message; a temporary refusal gives the rest of the batch back; a dropped connection
repeats at most the message in flight; and after a "sent" mark fails (the database
session gone, as in a restart) the batch stops and the sweeper sends the rest."""

import asyncio
import email
import email.policy
import logging
import threading
from collections import Counter
from datetime import timedelta

import icalendar
import psycopg
import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, deliver, queue_emails, sweep
from tests.fixtures.services import database_url, free_port, require_services

Status = OutgoingMessage.Status

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Alliance Hub//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:convening-7@alliancehub.org\r\nSEQUENCE:0\r\n"
    "DTSTAMP:20261125T000000Z\r\nDTSTART:20261225T090000Z\r\nSUMMARY:Assemblée\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def notice(n: int, text: str = "The statement is open for sign-on.", **fields) -> Email:
    return Email(
        key=f"fanout:{n}",
        to_email=f"p{n}@example.org",
        to_name=f"Person {n}",
        template="notice",
        context={"subject": "Davos statement", "text": text},
        **fields,
    )


def queued(emails: list[Email]) -> list[int]:
    """Write the rows without sending them (the test calls `deliver`)."""
    ids = queue_emails(emails)
    assert len(ids) == len(emails)
    return ids


def written(emails: list[Email]) -> list[int]:
    """Committed rows that no task was queued for (the test calls `deliver`)."""
    rows = OutgoingMessage.objects.bulk_create(
        OutgoingMessage(
            key=outgoing.key,
            to_email=outgoing.to_email,
            to_name=outgoing.to_name,
            template=outgoing.template,
            context=outgoing.context,
            queued_at=timezone.now(),
        )
        for outgoing in emails
    )
    return [row.id for row in rows]


def rows(ids: list[int]) -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(id__in=ids).order_by("id"))


@pytest.mark.django_db
def test_a_batch_delivers_each_message_with_its_parts_and_marks_it_sent(
    smtp_email, django_capture_on_commit_callbacks
):
    attachment = {"filename": "invite.ics", "mimetype": "text/calendar", "content": CALENDAR}
    with django_capture_on_commit_callbacks():
        ids = queued([notice(n, attachments=[attachment]) for n in range(3)])

    assert deliver(ids) == 3

    received = sorted(smtp_email.wait_for(3), key=lambda message: message.key)
    for n, (message, row) in enumerate(zip(received, rows(ids), strict=True)):
        assert message.recipients == [f"p{n}@example.org"]
        assert message.key == f"fanout:{n}"
        assert message.subject == "Davos statement"
        assert message.message_id == f"<outbox-{row.pk}@testserver>"
        assert message.message["To"] == f"Person {n} <p{n}@example.org>"
        assert message.body.startswith(f"Person {n},\n\nThe statement is open for sign-on.")
        assert f"<p>Person {n},</p>" in message.html
        [(filename, content_type, content)] = message.attachments
        assert (filename, content_type) == ("invite.ics", "text/calendar")
        event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
        assert str(event["UID"]) == "convening-7@alliancehub.org"
        assert str(event["SUMMARY"]) == "Assemblée"
        assert row.status == Status.SENT and row.sent_at is not None


@pytest.mark.django_db
def test_lines_starting_with_a_dot_arrive_intact(smtp_email, django_capture_on_commit_callbacks):
    # A line that is one dot ends the DATA of an exchange that does not double it.
    text = ".profile\n..two dots\n.\nafter the lone dot"
    with django_capture_on_commit_callbacks():
        ids = queued([notice(0, text=text), notice(1, text=text)])

    assert deliver(ids) == 2

    for message in smtp_email.wait_for(2):
        assert f"Person {message.key[-1]},\n\n{text}\n" in message.body
    assert {row.status for row in rows(ids)} == {Status.SENT}


@pytest.mark.django_db
def test_a_refused_recipient_fails_that_message_and_the_next_one_goes_out(
    smtp_email, django_capture_on_commit_callbacks
):
    smtp_email.refuse("p1@example.org")
    with django_capture_on_commit_callbacks():
        ids = queued([notice(n) for n in range(4)])

    assert deliver(ids) == 3

    first, refused, *rest = rows(ids)
    assert (refused.status, refused.attempts, refused.next_attempt_at) == (Status.FAILED, 1, None)
    assert "550" in refused.last_error
    assert [row.status for row in [first, *rest]] == [Status.SENT] * 3
    assert sorted(message.key for message in smtp_email.wait_for(3)) == [
        "fanout:0",
        "fanout:2",
        "fanout:3",
    ]


class ScriptedHandler:
    """aiosmtpd handler that keeps every message it accepts and, at the `at`-th message it
    is sent, does one thing: answers 451 ("defer"), drops the connection before its reply
    (the client cannot know the message arrived) or right after it, or runs `action`
    before replying."""

    def __init__(self, at: int, what: str, action=None):
        self.at = at
        self.what = what
        self.action = action
        self.keys: list[str] = []
        self.seen = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.seen += 1
            now = self.seen == self.at
            if now and self.what == "defer":
                return "451 4.3.0 try again later"
            self.keys.append(str(message["X-Alliance-Message-Key"]))
        if now and self.what == "drop-before-reply":
            server.transport.abort()  # the reply below is never written
        elif now and self.what == "drop-after-reply":
            asyncio.get_running_loop().call_soon(server.transport.close)
        elif now and self.action is not None:
            self.action()
        return "250 Message accepted for delivery"


@pytest.fixture
def scripted_server(settings):
    def start(*, at: int, what: str, action=None) -> ScriptedHandler:
        handler = ScriptedHandler(at, what, action)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        return handler

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controllers = []
    yield start
    for controller in controllers:
        controller.stop()


@pytest.mark.django_db
def test_a_temporary_refusal_of_one_message_gives_back_the_rest_of_the_batch(
    scripted_server, django_capture_on_commit_callbacks
):
    handler = scripted_server(at=2, what="defer")
    with django_capture_on_commit_callbacks():
        ids = queued([notice(n) for n in range(4)])

    assert deliver(ids) == 1

    first, deferred, *rest = rows(ids)
    assert first.status == Status.SENT
    assert (deferred.status, deferred.attempts) == (Status.PENDING, 1)
    assert "451" in deferred.last_error
    # Given back without an attempt counted against them.
    assert [(row.status, row.attempts) for row in rest] == [(Status.PENDING, 0)] * 2
    assert all(row.next_attempt_at > timezone.now() for row in [deferred, *rest])
    assert handler.keys == ["fanout:0"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("what", "duplicates"),
    [("drop-before-reply", {"fanout:3": 2}), ("drop-after-reply", {})],
)
def test_a_connection_dropped_mid_batch_loses_nothing_and_repeats_at_most_one_message(
    scripted_server, what, duplicates, django_capture_on_commit_callbacks
):
    handler = scripted_server(at=4, what=what)
    with django_capture_on_commit_callbacks():
        ids = queued([notice(n) for n in range(8)])

    assert deliver(ids) == 8

    counts = Counter(handler.keys)
    assert set(counts) == {f"fanout:{n}" for n in range(8)}
    # Only the message whose reply was lost is sent again (one fresh try).
    assert {key: n for key, n in counts.items() if n > 1} == duplicates
    assert {row.status for row in rows(ids)} == {Status.SENT}


@pytest.mark.django_db(transaction=True)
def test_after_a_sent_mark_fails_the_batch_stops_and_the_sweeper_sends_the_rest(
    scripted_server, caplog, settings, django_capture_on_commit_callbacks
):
    if connection.vendor != "postgresql":
        require_services("PostgreSQL (a database session to terminate)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [(sending_session,)] = cursor.fetchall()
    url = database_url(connection.settings_dict)

    def terminate_the_sending_session():
        # What a database restart does to the worker's session, while message 2 is in
        # flight: its "sent" mark fails.
        with psycopg.connect(url, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s, 5000)", [sending_session])

    handler = scripted_server(at=2, what="action", action=terminate_the_sending_session)
    ids = written([notice(n) for n in range(5)])

    with caplog.at_level(logging.ERROR, logger="alliance.core.outbox.services"):
        assert deliver(ids) == 1

    # The batch stopped at the message whose mark failed: nothing after it was sent.
    assert handler.keys == ["fanout:0", "fanout:1"]
    assert "could not be marked sent" in caplog.text
    connection.close()  # the terminated session; the next query opens a new one
    assert [row.status for row in rows(ids)] == [Status.SENT] + [Status.SENDING] * 4
    # After the stale-claim window the sweeper puts them back: the one in flight is sent
    # again, the rest once; nothing is lost.
    OutgoingMessage.objects.update(
        claimed_at=timezone.now() - timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep()["reclaimed"] == 4
    counts = Counter(handler.keys)
    assert counts == {"fanout:0": 1, "fanout:1": 2, "fanout:2": 1, "fanout:3": 1, "fanout:4": 1}
    assert {row.status for row in rows(ids)} == {Status.SENT}
