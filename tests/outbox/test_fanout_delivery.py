"""The outbox's own SMTP exchange (alliance.outbox.services._Batch), against a real
aiosmtpd server: message N's content goes out, N+1 is rendered while the server takes N,
then N's reply is read and N marked sent. These tests check that what arrives is exactly
what was written, that refusals and dropped connections are handled message by message
as before, and that a "sent" mark that fails leaves the row for the sweeper."""

import asyncio
import email
import email.policy
import logging
import threading
from collections import Counter
from datetime import timedelta

import icalendar
import pytest
from aiosmtpd.controller import Controller
from django.db import connection, transaction
from django.utils import timezone

from alliance.outbox import services
from alliance.outbox.models import OutgoingMessage
from alliance.outbox.services import Email, deliver, queue_emails, sweep
from tests.fixtures.services import free_port, require_services

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


def rows(ids: list[int]) -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(id__in=ids).order_by("id"))


@pytest.fixture
def written_bytes(monkeypatch) -> list[bytes]:
    """Every message's bytes as `mime_bytes` wrote them (None: Django's path)."""
    written = []
    original = services.mime_bytes

    def recording(message, parts):
        content = original(message, parts)
        written.append(content)
        return content

    monkeypatch.setattr(services, "mime_bytes", recording)
    return written


@pytest.mark.django_db
def test_the_overlapped_exchange_delivers_exactly_the_bytes_written(
    smtp_email, written_bytes, django_capture_on_commit_callbacks
):
    attachment = {"filename": "invite.ics", "mimetype": "text/calendar", "content": CALENDAR}
    with django_capture_on_commit_callbacks():
        ids = queued([notice(n, attachments=[attachment]) for n in range(3)])

    assert deliver(ids) == 3

    received = sorted(smtp_email.wait_for(3), key=lambda message: message.key)
    assert len(written_bytes) == 3 and None not in written_bytes, "the direct path was taken"
    assert [message.raw for message in received] == written_bytes
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
def test_lines_starting_with_a_dot_arrive_intact(
    smtp_email, written_bytes, django_capture_on_commit_callbacks
):
    # A line that is one dot ends the DATA of an exchange that does not double it.
    text = ".profile\n..two dots\n.\nafter the lone dot"
    with django_capture_on_commit_callbacks():
        ids = queued([notice(0, text=text), notice(1, text=text)])

    assert deliver(ids) == 2

    received = smtp_email.wait_for(2)
    assert None not in written_bytes
    assert [message.raw for message in sorted(received, key=lambda m: m.key)] == written_bytes
    for message in received:
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


@pytest.mark.django_db
def test_a_temporary_refusal_of_one_message_gives_back_the_rest_of_the_batch(
    smtp_email, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        ids = queued([notice(n) for n in range(4)])
    # The first message goes through; the server answers 451 to the second's content
    # (asked for once the worker has the first's reply, before the second's content).
    original = services._read_final_reply
    replies = []

    def defer_the_second(smtp):
        original(smtp)
        replies.append(smtp)
        if len(replies) == 1:
            smtp_email.defer(1)

    monkeypatch.setattr(services, "_read_final_reply", defer_the_second)
    assert deliver(ids) == 1

    first, deferred, *rest = rows(ids)
    assert first.status == Status.SENT
    assert (deferred.status, deferred.attempts) == (Status.PENDING, 1)
    assert "451" in deferred.last_error
    # Given back, the one rendered while the second was in flight included, without an
    # attempt counted against them.
    assert [(row.status, row.attempts) for row in rest] == [(Status.PENDING, 0)] * 2
    assert all(row.next_attempt_at > timezone.now() for row in [deferred, *rest])
    assert [message.key for message in smtp_email.messages] == ["fanout:0"]


class DroppingHandler:
    """aiosmtpd handler that keeps every message and drops the connection once, at the
    `drop_at`-th message: before its reply (the client cannot know the message arrived)
    or right after it."""

    def __init__(self, drop_at: int, before_reply: bool):
        self.drop_at = drop_at
        self.before_reply = before_reply
        self.keys: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.keys.append(str(message["X-Alliance-Message-Key"]))
            dropping = len(self.keys) == self.drop_at
        if dropping and self.before_reply:
            server.transport.abort()  # the reply below is never written
        elif dropping:
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 Message accepted for delivery"


@pytest.fixture
def dropping_server(settings):
    def start(*, drop_at: int, before_reply: bool) -> DroppingHandler:
        handler = DroppingHandler(drop_at, before_reply)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        services._Connection.reset()
        return handler

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controllers = []
    yield start
    services._Connection.reset()
    for controller in controllers:
        controller.stop()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("before_reply", "duplicates"),
    [(True, {"fanout:3": 2}), (False, {})],
    ids=["before-the-reply", "after-the-reply"],
)
def test_a_connection_dropped_mid_batch_loses_nothing_and_repeats_at_most_one_message(
    dropping_server, before_reply, duplicates, django_capture_on_commit_callbacks
):
    handler = dropping_server(drop_at=4, before_reply=before_reply)
    with django_capture_on_commit_callbacks():
        ids = queued([notice(n) for n in range(8)])

    assert deliver(ids) == 8

    counts = Counter(handler.keys)
    assert set(counts) == {f"fanout:{n}" for n in range(8)}
    # Only the message whose reply was lost is sent again (one fresh try).
    assert {key: n for key, n in counts.items() if n > 1} == duplicates
    assert {row.status for row in rows(ids)} == {Status.SENT}


@pytest.mark.django_db(transaction=True)
def test_a_sent_mark_that_fails_is_logged_and_leaves_the_row_to_the_sweeper(
    smtp_email, monkeypatch, caplog, settings, django_capture_on_commit_callbacks
):
    if connection.vendor != "postgresql":
        require_services("PostgreSQL (marks go through libpq there)")
    # The mark's statement fails in PostgreSQL, as a lost connection or a full disk would.
    monkeypatch.setattr(
        services, "_MARK_SENT", services._MARK_SENT.replace(b"WHERE", b"WHERE 1 / 0 = 1 AND")
    )
    monkeypatch.setattr(services, "_MARK_SENT_NAME", b"outbox_mark_sent_failing")
    monkeypatch.setattr(services, "_mark_sent_prepared_in", None)
    with django_capture_on_commit_callbacks(), transaction.atomic():
        ids = queued([notice(n) for n in range(2)])

    with caplog.at_level(logging.ERROR, logger="alliance.outbox.services"):
        deliver(ids)

    assert sorted(message.key for message in smtp_email.wait_for(2)) == ["fanout:0", "fanout:1"]
    assert {row.status for row in rows(ids)} == {Status.SENDING}
    assert len([r for r in caplog.records if "could not be marked sent" in r.getMessage()]) == 2
    # After the stale-claim window the sweeper puts them back: sent again, never lost.
    OutgoingMessage.objects.update(
        claimed_at=timezone.now() - timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks():
        assert sweep()["reclaimed"] == 2
