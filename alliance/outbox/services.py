"""The outbox: every email is a row first, and is sent only after the row is committed.

Three rules keep a message from being lost or sent twice:

1. The row is written in the caller's transaction, with a unique key; the task that sends
   it is queued on commit, so a rolled-back change never sends anything.
2. A worker claims a row with a conditional UPDATE (pending -> sending) before sending,
   and marks it sent right after; a second worker, or a second copy of the task, finds
   nothing to claim.
3. The broker is not trusted: `sweep` re-queues pending rows that no queue holds any more
   and rows claimed by a worker that died. The only message that can arrive twice is the
   one a worker had handed to the SMTP server when it was killed: SMTP has no
   idempotency.

Sending is the hot path of every fan-out (20,000 invitations), so it avoids what it can:
a message's templates are rendered once per distinct (template, language, context) and
only the per-recipient values (`personal`) are filled in per message; the MIME bytes are
written directly for the usual shape of message; a claim is one statement per batch and
a "sent" mark one statement per message (bench/README.md has the measurements).
"""

import email.utils
import json
import logging
import re
import secrets
import smtplib
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from email.header import Header
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from psycopg import errors as psycopg_errors
from psycopg import generators as psycopg_generators
from psycopg import pq as psycopg_pq

from alliance.outbox.models import OutgoingMessage
from alliance.queueing import enqueue

logger = logging.getLogger(__name__)

# How many messages one task claims and sends over one SMTP connection. Each claim is a
# synchronous commit and each task costs the broker a round trip: fewer, larger batches
# are cheaper, and 50 messages still take well under a second, far inside the claim
# window (OUTBOX_STALE_CLAIM_SECONDS).
BATCH_SIZE = 50
# Failures that no retry will change: the server refused the address, or the message
# names a template that does not exist.
PERMANENT_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    TemplateDoesNotExist,
)


@dataclass(frozen=True)
class Email:
    key: str
    to_email: str
    template: str
    language: str = "en"
    to_name: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, str]] = field(default_factory=list)
    # Per-recipient strings, printed as they are (see OutgoingMessage.personal).
    personal: dict[str, str] = field(default_factory=dict)


def queue_emails(emails: list[Email]) -> list[int]:
    """Write the messages (skipping keys already written) and send them after commit.

    Returns the ids of the rows this call created. Must run inside the transaction of
    the change that causes the messages, so that both commit or neither does.
    """
    if not emails:
        return []
    now = timezone.now()
    if connection.vendor == "postgresql":
        created = _insert_new_returning_ids(emails, now)
    else:
        created = _insert_new(emails, now)
    if created:
        transaction.on_commit(lambda: dispatch(created))
    return created


def _insert_new(emails: list[Email], now) -> list[int]:
    keys = [email.key for email in emails]
    existing = set(OutgoingMessage.objects.filter(key__in=keys).values_list("key", flat=True))
    OutgoingMessage.objects.bulk_create(
        [
            OutgoingMessage(
                key=email.key,
                to_email=email.to_email,
                to_name=email.to_name,
                language=email.language,
                template=email.template,
                context=email.context,
                attachments=email.attachments,
                personal=email.personal,
                queued_at=now,
            )
            for email in emails
            if email.key not in existing
        ],
        ignore_conflicts=True,  # a concurrent writer of the same key wins; that is fine
    )
    return list(
        OutgoingMessage.objects.filter(key__in=set(keys) - existing)
        .order_by("id")
        .values_list("id", flat=True)
    )


# Rows per INSERT statement (13 parameters each).
INSERT_BATCH_SIZE = 500


def _insert_new_returning_ids(emails: list[Email], now) -> list[int]:
    """PostgreSQL: `INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id`, which returns
    exactly the rows this call created, in one statement per 500 messages (instead of a
    lookup, a bulk_create and a read back). A fan-out's messages share their context and
    attachments (the same objects): each is serialised to JSON once."""
    table = OutgoingMessage._meta.db_table
    serialised: dict[int, str] = {}

    def as_json(value) -> str:
        if id(value) not in serialised:
            serialised[id(value)] = json.dumps(value)
        return serialised[id(value)]

    created: list[int] = []
    row = "(%s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s::jsonb, %s, 0, '', %s, %s)"
    for start in range(0, len(emails), INSERT_BATCH_SIZE):
        batch = emails[start : start + INSERT_BATCH_SIZE]
        parameters = []
        for outgoing in batch:
            parameters += [
                outgoing.key,
                outgoing.to_email,
                outgoing.to_name,
                outgoing.language,
                outgoing.template,
                as_json(outgoing.context),
                as_json(outgoing.personal),
                as_json(outgoing.attachments),
                OutgoingMessage.Status.PENDING,
                now,
                now,
            ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key, to_email, to_name, language, template, context,"  # noqa: S608 - the model's table
                " personal, attachments, status, attempts, last_error, created_at, queued_at)"
                f" VALUES {', '.join([row] * len(batch))}"
                # A key already written (by this call, or a concurrent writer) is skipped.
                " ON CONFLICT (key) DO NOTHING RETURNING id",
                parameters,
            )
            created += [created_id for (created_id,) in cursor.fetchall()]
    return sorted(created)


def queue_email(email: Email) -> int | None:
    created = queue_emails([email])
    return created[0] if created else None


def dispatch(ids: list[int]) -> None:
    """Hand committed rows to the broker in batches. If it is down, the sweeper will."""
    from alliance.outbox.tasks import deliver_messages

    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        if not enqueue(deliver_messages, batch, what=f"{len(ids)} outbox messages"):
            return


@dataclass(frozen=True)
class Claimed:
    """A message claimed for sending: what sending needs, without a model instance.
    The context and attachments stay JSON text: the text is the key of the render and
    attachment caches, and is parsed only when a cache misses."""

    id: int
    key: str
    to_email: str
    to_name: str
    language: str
    template: str
    context_json: str
    attachments_json: str
    personal: dict[str, str]
    attempts: int

    @property
    def pk(self) -> int:
        return self.id


@dataclass(frozen=True)
class Parts:
    subject: str
    text: str
    html: str | None


class _Slot(str):
    """Stands in for a personal value while a shared rendering is made. It prints as one
    marker where the template escapes HTML (`__html__`) and another where it does not,
    so each marker can be replaced by the value escaped, or as it is."""

    def __html__(self) -> str:
        return self[:-2] + "e\ue001"


_SLOT_MARKER = re.compile("\ue000(\\d+)([re])\ue001")


def _slot(index: int) -> _Slot:
    return _Slot(f"\ue000{index}r\ue001")


def render_parts(message: "OutgoingMessage | Claimed") -> Parts:
    """Subject, text and HTML of `message`, in the recipient's language."""
    personal = {
        **{name: str(value) for name, value in (message.personal or {}).items()},
        "recipient_name": message.to_name,
        "recipient_email": message.to_email,
    }
    filled = tuple(sorted(name for name, value in personal.items() if value))
    empty = tuple(sorted(name for name, value in personal.items() if not value))
    shared = _shared_parts(
        message.template,
        message.language,
        _context_json(message),
        settings.SITE_URL,
        filled,
        empty,
    )
    values = [personal[name] for name in filled]

    def fill(text: str) -> str:
        return _SLOT_MARKER.sub(
            lambda marker: (
                values[int(marker[1])] if marker[2] == "r" else escape(values[int(marker[1])])
            ),
            text,
        )

    return Parts(
        subject=" ".join(fill(shared.subject).split()),
        text=fill(shared.text),
        html=fill(shared.html) if shared.html else None,
    )


def _context_json(message: "OutgoingMessage | Claimed") -> str:
    if isinstance(message, Claimed):
        return message.context_json
    return json.dumps(message.context, sort_keys=True)


@lru_cache(maxsize=256)
def _shared_parts(
    template: str,
    language: str,
    context_json: str,
    site_url: str,
    filled: tuple[str, ...],
    empty: tuple[str, ...],
) -> Parts:
    """The templates rendered once for every message that shares this context: the
    personal values are slots (`_Slot`), filled in per message by `render_parts`."""
    context = {
        **json.loads(context_json),
        "site_url": site_url,
        **{name: _slot(index) for index, name in enumerate(filled)},
        **dict.fromkeys(empty, ""),
    }
    base = f"emails/{template}"
    with translation.override(language):
        # Subject and text are plain text: rendered by the engine that escapes nothing.
        subject = render_to_string(f"{base}/subject.txt", context, using="text")
        text = render_to_string(f"{base}/body.txt", context, using="text")
        try:
            html = render_to_string(f"{base}/body.html", context)
        except TemplateDoesNotExist:
            html = None
    return Parts(subject=subject, text=text, html=html if html and html.strip() else None)


def _recipient(message: "OutgoingMessage | Claimed") -> str:
    """`Name <address>`, the name quoted (a comma in it) or encoded (not ASCII) if need be."""
    return email.utils.formataddr((message.to_name, message.to_email), charset="utf-8")


def _headers(message: "OutgoingMessage | Claimed") -> dict[str, str]:
    return {
        "Message-ID": f"<outbox-{message.pk}@{_domain()}>",
        "X-Alliance-Message-Key": message.key,
        "Content-Language": message.language,
    }


def _attachments(message: "OutgoingMessage | Claimed") -> list[dict[str, str]]:
    if isinstance(message, Claimed):
        return json.loads(message.attachments_json)
    return message.attachments


def render(message: "OutgoingMessage | Claimed") -> EmailMultiAlternatives:
    """Build the email from the message's templates, in the recipient's language: what
    every email backend can send (the SMTP path writes the same message more cheaply)."""
    parts = render_parts(message)
    email_message = EmailMultiAlternatives(
        subject=parts.subject,
        body=parts.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[_recipient(message)],
        headers=_headers(message),
    )
    if parts.html:
        email_message.attach_alternative(parts.html, "text/html")
    for attachment in _attachments(message):
        email_message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return email_message


def _domain() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "localhost"


# --- MIME, written directly ------------------------------------------------------------
#
# Django's EmailMessage builds a tree of email.mime objects and serialises it through
# the email package's generator: about a third of the CPU a message cost. For the shape
# every outbox email has (text, optional HTML, text attachments such as an .ics), the
# bytes are written here, the same structure and headers Django writes; anything else
# (a line too long for 8bit, an address that is not ASCII) goes through Django.

MAX_LINE = 998  # RFC 5322: longer lines need quoted-printable, which Django does


def mime_bytes(message: "OutgoingMessage | Claimed", parts: Parts) -> bytes | None:
    """The message as it goes over SMTP (CRLF line ends), or None when it is not of the
    usual shape and Django should build it."""
    if not (message.to_email.isascii() and message.key.isascii() and message.language.isascii()):
        return None
    if any(character in message.key for character in "\r\n"):
        return None
    text = _text_part("plain", parts.text)
    html = _text_part("html", parts.html) if parts.html else None
    if text is None or (parts.html and html is None):
        return None
    if isinstance(message, Claimed):
        attachments = list(_attachment_parts(message.attachments_json))
    else:
        attachments = [_attachment_part(**attachment) for attachment in message.attachments]
    if any(part is None for part in attachments):
        return None
    body = _multipart("alternative", [text, html]) if html else text
    if attachments:
        body = _multipart("mixed", [body, *attachments])
    headers = [
        body.headers,
        b"MIME-Version: 1.0\r\n",
        b"Subject: " + _encoded_header(parts.subject) + b"\r\n",
        b"From: " + _encoded_address(*_parsed_address(settings.DEFAULT_FROM_EMAIL)) + b"\r\n",
        b"To: " + _encoded_address(message.to_name, message.to_email) + b"\r\n",
        b"Date: "
        + email.utils.formatdate(localtime=settings.EMAIL_USE_LOCALTIME).encode()
        + b"\r\n",
    ]
    for name, value in _headers(message).items():
        headers.append(f"{name}: {value}\r\n".encode())
    return b"".join(headers) + b"\r\n" + body.content


@dataclass(frozen=True)
class _Part:
    headers: bytes  # the Content-* lines, each ending in CRLF
    content: bytes

    def as_bytes(self) -> bytes:
        return self.headers + b"MIME-Version: 1.0\r\n\r\n" + self.content


def _crlf(text: str) -> bytes | None:
    lines = text.replace("\r\n", "\n").split("\n")
    content = "\r\n".join(lines).encode()
    if len(content) > MAX_LINE and any(len(line.encode()) > MAX_LINE for line in lines):
        return None
    return content


def _text_part(subtype: str, text: str) -> _Part | None:
    content = _crlf(text)
    if content is None:
        return None
    encoding = "7bit" if content.isascii() else "8bit"
    return _Part(
        headers=(
            f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            f"Content-Transfer-Encoding: {encoding}\r\n"
        ).encode(),
        content=content,
    )


@lru_cache(maxsize=64)
def _attachment_parts(attachments_json: str) -> tuple["_Part | None", ...]:
    return tuple(_attachment_part(**attachment) for attachment in json.loads(attachments_json))


@lru_cache(maxsize=64)
def _attachment_part(*, filename: str, mimetype: str, content: str) -> _Part | None:
    """A text attachment (an .ics): the same bytes for every invitee, so built once."""
    if not (mimetype.startswith("text/") and filename.isascii() and mimetype.isascii()):
        return None
    if any(character in filename + mimetype for character in '"\r\n\\'):
        return None
    body = _crlf(content)
    if body is None:
        return None
    content_type, *parameters = [piece.strip() for piece in mimetype.split(";")]
    rendered = "".join(
        f'; {name.strip()}="{value.strip()}"'
        for name, value in (parameter.split("=", 1) for parameter in parameters if "=" in parameter)
    )
    encoding = "7bit" if body.isascii() else "8bit"
    return _Part(
        headers=(
            f'Content-Type: {content_type}{rendered}; charset="utf-8"\r\n'
            f"Content-Transfer-Encoding: {encoding}\r\n"
            f'Content-Disposition: attachment; filename="{filename}"\r\n'
        ).encode(),
        content=body,
    )


def _multipart(subtype: str, parts: list[_Part]) -> _Part:
    boundary = f"===============outbox{secrets.token_hex(12)}=="
    separator = f"--{boundary}\r\n".encode()
    content = b"".join(separator + part.as_bytes() + b"\r\n" for part in parts)
    return _Part(
        headers=f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n'.encode(),
        content=content + f"--{boundary}--\r\n".encode(),
    )


@lru_cache(maxsize=1024)
def _encoded_header(value: str) -> bytes:
    if value.isascii() and len(value) < 900 and "\n" not in value and "\r" not in value:
        return value.encode()
    return Header(value, "utf-8").encode(linesep="\r\n").encode()


def _encoded_address(name: str, address: str) -> bytes:
    """`Name <address>`, the name quoted or encoded as it needs (the address is ASCII)."""
    return email.utils.formataddr((name, address), charset="utf-8").encode()


class _Connection:
    """One SMTP connection per worker process, reused across messages and tasks."""

    connection = None

    @classmethod
    def get(cls):
        if cls.connection is None:
            cls.connection = get_connection()
            cls.connection.open()
        return cls.connection

    @classmethod
    def reset(cls):
        if cls.connection is not None:
            try:
                cls.connection.close()
            except Exception:  # noqa: BLE001 - the connection is being thrown away anyway
                logger.debug("closing a broken SMTP connection failed", exc_info=True)
        cls.connection = None


def _send(message: "OutgoingMessage | Claimed") -> None:
    try:
        _send_once(message)
    except smtplib.SMTPServerDisconnected:
        # The server closed an idle connection: one fresh try.
        _Connection.reset()
        _send_once(message)
    except Exception:
        _Connection.reset()
        raise


def _send_once(message: "OutgoingMessage | Claimed") -> None:
    backend = _Connection.get()
    if isinstance(backend, SmtpBackend) and backend.connection is not None:
        parts = render_parts(message)
        content = mime_bytes(message, parts)
        if content is not None:
            # Refusals raise (SMTPRecipientsRefused, SMTPDataError, ...): one recipient.
            backend.connection.sendmail(_envelope_sender(), [message.to_email], content)
            return
    sent = backend.send_messages([render(message)])
    if sent != 1 and isinstance(backend, SmtpBackend):
        # Django's SMTP backend swallows nothing with fail_silently off; 0 means refused.
        raise smtplib.SMTPException("the SMTP server did not accept the message")


def _envelope_sender() -> str:
    return _parsed_address(settings.DEFAULT_FROM_EMAIL)[1]


@lru_cache(maxsize=8)
def _parsed_address(address: str) -> tuple[str, str]:
    """(name, address) of a setting such as DEFAULT_FROM_EMAIL, parsed once."""
    return email.utils.parseaddr(address)


# --- claiming and marking ------------------------------------------------------------


def claim(ids: list[int]) -> list[Claimed]:
    """Take the pending rows among `ids` for this worker; rows already taken are skipped."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        claimed = _claim_in_one_statement(ids, now)
    else:
        claimed = _claim_portably(ids, now)
    return sorted(claimed, key=lambda message: message.id)


def _claim_in_one_statement(ids: list[int], now) -> list[Claimed]:
    """PostgreSQL: lock, check and update in one statement, one round trip, one commit."""
    table = OutgoingMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS message
               SET status = %(sending)s, claimed_at = %(now)s, attempts = message.attempts + 1
             WHERE message.id IN (
                   SELECT id FROM {table}
                    WHERE id = ANY(%(ids)s) AND status = %(pending)s
                      AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)
                    ORDER BY id
                      FOR UPDATE SKIP LOCKED)
            RETURNING message.id, message.key, message.to_email, message.to_name,
                      message.language, message.template, message.context::text,
                      message.attachments::text, message.personal::text, message.attempts
            """,  # noqa: S608 - the table name is the model's own, the values are parameters
            {
                "ids": list(ids),
                "now": now,
                "sending": OutgoingMessage.Status.SENDING,
                "pending": OutgoingMessage.Status.PENDING,
            },
        )
        rows = cursor.fetchall()
    return [
        Claimed(*row[:8], personal=json.loads(row[8]) if row[8] else {}, attempts=row[9])
        for row in rows
    ]


def _claim_portably(ids: list[int], now) -> list[Claimed]:
    with transaction.atomic():
        rows = list(
            OutgoingMessage.objects.select_for_update(skip_locked=True)
            .filter(id__in=ids, status=OutgoingMessage.Status.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("id")
        )
        if rows:
            OutgoingMessage.objects.filter(id__in=[row.id for row in rows]).update(
                status=OutgoingMessage.Status.SENDING,
                claimed_at=now,
                attempts=F("attempts") + 1,
            )
    return [
        Claimed(
            id=row.id,
            key=row.key,
            to_email=row.to_email,
            to_name=row.to_name,
            language=row.language,
            template=row.template,
            context_json=json.dumps(row.context, sort_keys=True),
            attachments_json=json.dumps(row.attachments),
            personal=row.personal or {},
            attempts=row.attempts + 1,
        )
        for row in rows
    ]


def deliver(ids: list[int]) -> int:
    """Claim and send the given messages. Safe to call twice with the same ids."""
    messages = claim(ids)
    if not messages:
        return 0
    deadline = timezone.now() + timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS / 2)
    with _commits_without_waiting_for_the_disk():
        return _Batch(messages, deadline).send()


class _Batch:
    """A claimed batch, sent over the worker's SMTP connection with one message in flight.

    For the usual message (MIME written directly, `mime_bytes`), the exchange is driven
    here rather than by `smtplib.SMTP.sendmail`: message N's MAIL, RCPT, DATA, content and
    final dot go out, and while the SMTP server parses and stores N, this worker renders
    N+1; only then is N's reply read, N marked sent, and N+1 sent. The worker and the
    SMTP server then work at the same time on two cores, instead of in turn.

    What a kill can leave behind is unchanged: N is marked sent only after the server's
    250 for N, and N+1's MAIL goes out only once N's mark is committed, so at any moment
    at most one message can be accepted by the server and not marked. N+1 rendered but
    not sent when something fails is given back with the rest of the batch.

    (Sending N's mark without waiting for PostgreSQL's answer, and reading it before N+1's
    content, was measured too: no difference in the fan-out's rate, bench/README.md.)
    """

    def __init__(self, messages: list[Claimed], deadline):
        self.messages = messages
        self.deadline = deadline
        self.in_flight: _InFlight | None = None
        self.sent = 0

    def send(self) -> int:
        try:
            for index, message in enumerate(self.messages):
                if not self._send_one(index, message):
                    break
            else:
                self._conclude_in_flight(rest=[])
        finally:
            if self.in_flight is not None:
                # Left by an unexpected error: the connection has a reply nobody read,
                # which the next batch must not take for the answer to its own MAIL.
                _Connection.reset()
        return self.sent

    def _send_one(self, index: int, message: Claimed) -> bool:
        """Send `message`; False when the rest of the batch was given back."""
        if timezone.now() > self.deadline:
            # This batch is slow (a hanging server): give the rest back before the
            # sweeper decides this worker is dead and another sends them as well.
            if self._conclude_in_flight(rest=self.messages[index:]):
                self._release(self.messages[index:], error="batch ran past its claim window")
            return False
        # Rendered while the SMTP server works on the message in flight.
        try:
            content = _direct_mime(message)
        except Exception as error:  # noqa: BLE001 - recorded on the row, as a send failure
            if not self._conclude_in_flight(rest=self.messages[index:]):
                return False
            _Connection.reset()
            return self._failed(index, message, error)
        if not self._conclude_in_flight(rest=self.messages[index:]):
            return False
        try:
            if content is None:
                # Not the usual shape (or not SMTP): Django builds and sends it, in turn.
                _send(message)
                self._mark_sent(message)
            else:
                self._start(message, content)
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the row
            return self._failed(index, message, error)
        return True

    def _start(self, message: Claimed, content: bytes) -> None:
        """Send `message` up to its final dot, leaving the reply to be read later; on a
        connection the server had closed, one fresh try."""
        try:
            _start_sending(_smtp(), message, content)
        except smtplib.SMTPServerDisconnected:
            _Connection.reset()
            try:
                _start_sending(_smtp(), message, content)
            except Exception:
                _Connection.reset()
                raise
        except Exception:
            _Connection.reset()
            raise
        self.in_flight = _InFlight(message, content)

    def _conclude_in_flight(self, *, rest: list[Claimed]) -> bool:
        """Read the reply to the message in flight and mark it sent, or record its
        failure; False when that failure gave `rest` back (the server is in trouble)."""
        if self.in_flight is None:
            return True
        message, content = self.in_flight.message, self.in_flight.content
        self.in_flight = None
        try:
            try:
                _read_final_reply(_smtp())
            except smtplib.SMTPServerDisconnected:
                # The connection dropped before the reply: whether the server kept the
                # message is unknown, so it is sent again on a fresh connection (as
                # `_send` does): at most this one message twice.
                _Connection.reset()
                connection_ = _smtp()
                _start_sending(connection_, message, content)
                _read_final_reply(connection_)
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the row
            _Connection.reset()
            _fail(message, error)
            if not isinstance(error, PERMANENT_ERRORS):
                self._release(rest, error=f"after an error: {error}")
                return False
            return True
        self._mark_sent(message)
        return True

    def _failed(self, index: int, message: Claimed, error: Exception) -> bool:
        _fail(message, error)
        if not isinstance(error, PERMANENT_ERRORS):
            # The server is in trouble: stop hammering it; retry the rest later.
            self._release(self.messages[index + 1 :], error=f"after an error: {error}")
            return False
        return True

    def _mark_sent(self, message: Claimed) -> None:
        _mark_sent(message)
        self.sent += 1

    def _release(self, messages: list[Claimed], *, error: str) -> None:
        _release(messages, error=error)


@dataclass(frozen=True)
class _InFlight:
    message: Claimed
    content: bytes  # to send it again if the connection drops before its reply


def _direct_mime(message: Claimed) -> bytes | None:
    """The message's bytes for the exchange driven by `_Batch`, or None when Django's
    backend must build or send it (another backend, or not the usual shape)."""
    backend = _Connection.get()
    if not isinstance(backend, SmtpBackend) or backend.connection is None:
        return None
    return mime_bytes(message, render_parts(message))


def _smtp() -> smtplib.SMTP:
    backend = _Connection.get()
    if backend.connection is None:  # closed after a refusal with 421
        _Connection.reset()
        backend = _Connection.get()
    return backend.connection


def _start_sending(smtp: smtplib.SMTP, message: Claimed, content: bytes) -> None:
    """MAIL, RCPT, DATA, then the content and its final dot, as `smtplib.SMTP.sendmail`
    sends them (the same options, the same errors raised on a refusal), but without
    reading the reply to the content: `_read_final_reply` does, later."""
    sender = _envelope_sender()
    smtp.ehlo_or_helo_if_needed()
    options = f" size={len(content)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    code, reply = _command(smtp, "mail", "from:", sender, options)
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = _command(smtp, "rcpt", "to:", message.to_email, "")
    if code not in (250, 251):
        _abandon(smtp, code)
        raise smtplib.SMTPRecipientsRefused({message.to_email: (code, reply)})
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        _abandon(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    smtp.send(_dot_stuffed(content))


# An address smtplib's `quoteaddr` would put between angle brackets as it is.
_PLAIN_ADDRESS = re.compile(r"[^\s<>()\[\]\\,;:\"@]+@[^\s<>()\[\]\\,;:\"@]+")


def _command(smtp: smtplib.SMTP, verb: str, prefix: str, address: str, options: str):
    """MAIL FROM or RCPT TO. smtplib parses the address with the email package's parser
    every time (`quoteaddr`), a noticeable share of a message's CPU; a plain address
    (which an outbox address is) is written as it is, anything else as smtplib does."""
    if _PLAIN_ADDRESS.fullmatch(address):
        smtp.putcmd(verb, f"{prefix}<{address}>{options}")
        return smtp.getreply()
    method = smtp.mail if verb == "mail" else smtp.rcpt
    return method(address, options.split())


def _read_final_reply(smtp: smtplib.SMTP) -> None:
    code, reply = smtp.getreply()
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _abandon(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal, as sendmail does: close on 421 (the server is closing), else RSET."""
    if code == 421:
        smtp.close()
        return
    with suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def _dot_stuffed(content: bytes) -> bytes:
    """The content as DATA sends it: a dot doubled at the start of every line (what
    smtplib's `_quote_periods` does, without a regular expression), then CRLF . CRLF.
    `mime_bytes` ends its lines with CRLF already."""
    stuffed = content.replace(b"\n.", b"\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    return stuffed + b".\r\n"


@contextmanager
def _commits_without_waiting_for_the_disk():
    """While a batch is sent, this connection's commits are asynchronous on PostgreSQL
    (`synchronous_commit = off`): durable once the WAL writer flushes them, a fraction of
    a second later, and each "sent" mark is then one statement and one round trip.

    A killed *worker* loses nothing by this: the commit is in PostgreSQL's memory. Only a
    crash of *PostgreSQL itself* in that fraction of a second can forget a mark (or a
    failure, or a release), and the row is then sent again after the stale-claim window:
    a duplicate, never a loss, in a failure that SMTP's lack of idempotency already makes
    duplicates possible in. The claim itself is committed before, synchronously.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except Exception:  # noqa: BLE001 - a broken connection is closed between tasks
            logger.warning("could not reset synchronous_commit", exc_info=True)


_MARK_SENT = (
    f"UPDATE {OutgoingMessage._meta.db_table} SET status = $1, sent_at = $2,"  # noqa: S608 - the model's table
    " last_error = '' WHERE id = $3 AND status = $4"
).encode()


_MARK_SENT_NAME = b"outbox_mark_sent"
# The database session (psycopg connection, server process) the statement is prepared in.
_mark_sent_prepared_in: tuple[int, int] | None = None


def _prepare_mark_sent(raw) -> None:
    """Prepare the mark once per database session: PostgreSQL then neither parses nor
    plans it per message (the CPU it saves is the SMTP server's and the worker's too, on
    two shared cores)."""
    global _mark_sent_prepared_in  # noqa: PLW0603 - one per process, like the connection
    session = (id(raw), raw.pgconn.backend_pid)
    if _mark_sent_prepared_in == session:
        return
    result = raw.pgconn.prepare(_MARK_SENT_NAME, _MARK_SENT)
    if result.status != psycopg_pq.ExecStatus.COMMAND_OK:
        message = (result.error_message or b"").decode(errors="replace").strip()
        if "already exists" not in message:
            raise psycopg_errors.DatabaseError(message)
    _mark_sent_prepared_in = session


def _mark_sent(message: Claimed) -> None:
    """Record that the SMTP server took the message: one UPDATE, committed on its own
    (autocommit) and without waiting for the disk (see above), right after the server's
    250 and before the next message starts, so that a worker killed at any point has at
    most the one message in flight unmarked.

    On PostgreSQL the statement is prepared once per session and sent through libpq
    directly (psycopg's `pgconn`, pinned to 3.2/3.3 in pyproject.toml). Measured here per
    mark: 144 us through Django's cursor, 118 to 131 us through a psycopg cursor with
    `prepare=True`, 86 us this way; in the fan-out (one message in flight, so every
    microsecond is on the critical path), 0.48 to 0.49 of the floor with the psycopg
    cursor against 0.52 to 0.56 this way (bench/README.md).
    If PostgreSQL refuses it, the row stays "sending" and the batch goes on: the sweeper
    puts the row back after the stale-claim window and it is sent again, a duplicate,
    never a loss. A broken connection raises, and ends the batch the same way."""
    global _mark_sent_prepared_in  # noqa: PLW0603 - see _prepare_mark_sent
    if connection.vendor != "postgresql":
        OutgoingMessage.objects.filter(id=message.id, status=OutgoingMessage.Status.SENDING).update(
            status=OutgoingMessage.Status.SENT, sent_at=timezone.now(), last_error=""
        )
        return
    connection.ensure_connection()
    raw = connection.connection
    _prepare_mark_sent(raw)
    raw.pgconn.send_query_prepared(
        _MARK_SENT_NAME,
        [
            OutgoingMessage.Status.SENT.encode(),
            timezone.now().isoformat().encode(),
            str(message.id).encode(),
            OutgoingMessage.Status.SENDING.encode(),
        ],
    )
    raw.wait(psycopg_generators.send(raw.pgconn))
    for result in raw.wait(psycopg_generators.fetch_many(raw.pgconn)):
        if result.status != psycopg_pq.ExecStatus.COMMAND_OK:
            # Prepared again before the next mark, in case this session lost it.
            _mark_sent_prepared_in = None
            logger.error(
                "outbox message %s (%s) was sent but could not be marked sent (%s): it stays"
                " 'sending', and is sent again after the stale-claim window",
                message.id,
                message.key,
                (result.error_message or b"").decode(errors="replace").strip(),
            )


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def _fail(message: Claimed, error: Exception) -> None:
    permanent = isinstance(error, PERMANENT_ERRORS)
    final = permanent or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    logger.warning(
        "outbox message %s (%s) failed, attempt %s%s: %r",
        message.id,
        message.key,
        message.attempts,
        " (giving up)" if final else "",
        error,
    )
    OutgoingMessage.objects.filter(id=message.id, status=OutgoingMessage.Status.SENDING).update(
        status=OutgoingMessage.Status.FAILED if final else OutgoingMessage.Status.PENDING,
        last_error=repr(error)[:2000],
        queued_at=None,
        next_attempt_at=None if final else timezone.now() + _backoff(message.attempts),
    )


def _release(messages: list[Claimed], *, error: str) -> None:
    """Put claimed but unsent messages back, without counting an attempt against them."""
    if not messages:
        return
    OutgoingMessage.objects.filter(
        id__in=[m.id for m in messages], status=OutgoingMessage.Status.SENDING
    ).update(
        status=OutgoingMessage.Status.PENDING,
        attempts=F("attempts") - 1,
        queued_at=None,
        next_attempt_at=timezone.now() + timedelta(seconds=30),
        last_error=error[:2000],
    )


def sweep(*, limit: int = 5000) -> dict[str, int]:
    """Recover what the broker lost or a dead worker left behind. Safe to run twice at once.

    - rows claimed longer ago than OUTBOX_STALE_CLAIM_SECONDS go back to pending: their
      worker died (a live one gives its batch back well before that);
    - pending rows that are due and not on a queue, or were queued so long ago that the
      broker may have dropped them, are queued again (claiming makes a duplicate harmless).
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS)
    with transaction.atomic():
        reclaimed = list(
            OutgoingMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutgoingMessage.Status.SENDING, claimed_at__lt=stale)
            .values_list("id", flat=True)[:limit]
        )
        OutgoingMessage.objects.filter(id__in=reclaimed).update(
            status=OutgoingMessage.Status.PENDING, queued_at=None, next_attempt_at=None
        )
    lost_before = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    with transaction.atomic():
        due = list(
            OutgoingMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutgoingMessage.Status.PENDING)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=lost_before))
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        if due:
            OutgoingMessage.objects.filter(id__in=due).update(queued_at=now)
            transaction.on_commit(lambda: dispatch(due))
    if reclaimed or due:
        logger.info(
            "outbox sweep: %s stale claims reset, %s queued again", len(reclaimed), len(due)
        )
    return {"reclaimed": len(reclaimed), "requeued": len(due)}
