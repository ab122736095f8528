"""The outbox: every email is a row first, and is sent only after the row is committed.

Three rules keep a message from being lost or sent twice:

1. The row is written in the caller's transaction, with a unique key; the task that sends
   it is queued on commit, so a rolled-back change never sends anything.
2. A worker claims a row with a conditional UPDATE (pending -> sending) before sending,
   and marks it sent right after the SMTP server took it; a second worker, or a second
   copy of the task, finds nothing to claim.
3. The broker is not trusted: `sweep` re-queues pending rows that no queue holds any more
   and rows claimed by a worker that died. The only message that can arrive twice is the
   one a worker process had handed to the SMTP server when it was killed, or when its
   database connection failed before the mark: SMTP has no idempotency.

A batch is sent by Django's SMTP backend over one connection; throughput comes from more
worker processes (CELERY_WORKER_CONCURRENCY), each with at most one message in flight.
A message's templates are rendered once per distinct (template, language, context) and
only the per-recipient values (`personal`) are filled in per message.
"""

import email.utils
import json
import logging
import re
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import Error as DatabaseFailure  # a closed connection's InterfaceError too
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from psycopg import sql

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.queueing import enqueue

logger = logging.getLogger(__name__)

# How many messages one task claims and sends over one SMTP connection: fewer, larger
# batches cost fewer claims and broker round trips, and 50 messages still take far less
# than the claim window (OUTBOX_STALE_CLAIM_SECONDS).
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
        created = insert_new_returning_ids(emails, now)
    else:
        created = insert_new_portably(emails, now)
    if created:
        transaction.on_commit(lambda: dispatch(created))
    return created


def insert_new_portably(emails: list[Email], now) -> list[int]:
    """Any database: the rows whose key is new, written; returns their ids."""
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
# The columns the INSERT writes, and the placeholder of each (JSON passed as text).
INSERTED_COLUMNS = {
    "key": "%s",
    "to_email": "%s",
    "to_name": "%s",
    "language": "%s",
    "template": "%s",
    "context": "%s::jsonb",
    "personal": "%s::jsonb",
    "attachments": "%s::jsonb",
    "status": "%s",
    "attempts": "%s",
    "last_error": "%s",
    "created_at": "%s",
    "queued_at": "%s",
}


@lru_cache(maxsize=8)
def _insert_statement(rows: int) -> str:
    """`INSERT ... VALUES (...), ... ON CONFLICT (key) DO NOTHING RETURNING id` for
    `rows` rows: a key already written (by this call, or a concurrent writer) is skipped,
    and only the rows created come back, which the ORM's bulk_create cannot say."""
    meta = OutgoingMessage._meta
    row = sql.SQL("({})").format(sql.SQL(", ").join(map(sql.SQL, INSERTED_COLUMNS.values())))
    return (
        sql.SQL(
            "INSERT INTO {table} ({columns}) VALUES {rows} ON CONFLICT ({key}) DO NOTHING "
            "RETURNING {id}"
        )
        .format(
            table=sql.Identifier(meta.db_table),
            columns=sql.SQL(", ").join(
                sql.Identifier(meta.get_field(name).column) for name in INSERTED_COLUMNS
            ),
            rows=sql.SQL(", ").join([row] * rows),
            key=sql.Identifier(meta.get_field("key").column),
            id=sql.Identifier(meta.pk.column),
        )
        .as_string(None)
    )


def insert_new_returning_ids(emails: list[Email], now) -> list[int]:
    """PostgreSQL: what insert_new_portably does in one statement per 500 messages
    (instead of a lookup, a bulk_create and a read back). A fan-out's messages share their
    context and attachments (the same objects): each is serialised to JSON once."""
    serialised: dict[int, str] = {}

    def as_json(value) -> str:
        if id(value) not in serialised:
            serialised[id(value)] = json.dumps(value)
        return serialised[id(value)]

    created: list[int] = []
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
                0,
                "",
                now,
                now,
            ]
        with connection.cursor() as cursor:
            cursor.execute(_insert_statement(len(batch)), parameters)
            created += [created_id for (created_id,) in cursor.fetchall()]
    return sorted(created)


def queue_email(email: Email) -> int | None:
    created = queue_emails([email])
    return created[0] if created else None


def dispatch(ids: list[int]) -> None:
    """Hand committed rows to the broker in batches. If it is down, the sweeper will."""
    from alliance.core.outbox.tasks import deliver_messages

    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        if not enqueue(deliver_messages, batch, what=f"{len(ids)} outbox messages"):
            return


@dataclass(frozen=True)
class Claimed:
    """A message claimed for sending: what sending needs, without a model instance.
    The context stays JSON text, the key of the render cache, parsed only when the cache
    misses."""

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


class OutboxEmail(EmailMultiAlternatives):
    """Django's email, with a boundary of its own for each multipart part."""

    def message(self):
        message = super().message()
        # Left without one, the email package draws a boundary for each part and compiles
        # a regular expression to check that no line of the message holds it, which costs
        # more than writing the rest of the MIME; 128 random bits make the check needless.
        for part in message.walk():
            if part.is_multipart():
                part.set_boundary(f"==alliance-{secrets.token_hex(16)}")
        return message


def render(message: "OutgoingMessage | Claimed") -> EmailMultiAlternatives:
    """Build the email from the message's templates, in the recipient's language: what
    every email backend can send."""
    parts = render_parts(message)
    email_message = OutboxEmail(
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


# --- claiming and marking ------------------------------------------------------------


def claim(ids: list[int]) -> list[Claimed]:
    """Take the pending rows among `ids` for this worker; rows already taken are skipped."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        claimed = claim_in_one_statement(ids, now)
    else:
        claimed = claim_portably(ids, now)
    return sorted(claimed, key=lambda message: message.id)


# Of a claimed row, what sending needs (Claimed's fields, in order; JSON as text).
CLAIMED_COLUMNS = [
    "id",
    "key",
    "to_email",
    "to_name",
    "language",
    "template",
    "context",
    "attachments",
    "personal",
    "attempts",
]
JSON_COLUMNS = {"context", "attachments", "personal"}


@lru_cache(maxsize=1)
def _claim_statement() -> str:
    """Lock, check and update in one statement: a subquery with FOR UPDATE SKIP LOCKED
    feeding an UPDATE ... RETURNING, which the ORM cannot say in one round trip."""
    meta = OutgoingMessage._meta
    table = sql.Identifier(meta.db_table)

    def column(name: str) -> sql.Composable:
        return sql.Identifier(meta.get_field(name).column)

    returned = [
        sql.SQL("message.{}::text").format(column(name))
        if name in JSON_COLUMNS
        else sql.SQL("message.{}").format(column(name))
        for name in CLAIMED_COLUMNS
    ]
    return (
        sql.SQL(
            """
        UPDATE {table} AS message
           SET {status} = %(sending)s, {claimed_at} = %(now)s,
               {attempts} = message.{attempts} + 1
         WHERE message.{id} IN (
               SELECT {id} FROM {table}
                WHERE {id} = ANY(%(ids)s) AND {status} = %(pending)s
                  AND ({next_attempt_at} IS NULL OR {next_attempt_at} <= %(now)s)
                ORDER BY {id}
                  FOR UPDATE SKIP LOCKED)
        RETURNING {returned}
        """
        )
        .format(
            table=table,
            id=sql.Identifier(meta.pk.column),
            status=column("status"),
            claimed_at=column("claimed_at"),
            attempts=column("attempts"),
            next_attempt_at=column("next_attempt_at"),
            returned=sql.SQL(", ").join(returned),
        )
        .as_string(None)
    )


def claim_in_one_statement(ids: list[int], now) -> list[Claimed]:
    """PostgreSQL: what claim_portably does, in one round trip and one commit."""
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_statement(),
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


def claim_portably(ids: list[int], now) -> list[Claimed]:
    """Any database: lock the claimable rows, then update them, in one transaction."""
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
    """Claim the given messages and send them over one SMTP connection, one at a time.
    Returns how many were sent. Safe to call twice with the same ids."""
    messages = claim(ids)
    if not messages:
        return 0
    deadline = timezone.now() + timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS / 2)
    backend = get_connection()
    try:
        return _send_batch(backend, messages, deadline)
    finally:
        try:
            backend.close()
        except (smtplib.SMTPException, OSError):
            logger.debug("closing the SMTP connection failed", exc_info=True)


def _send_batch(backend, messages: list[Claimed], deadline) -> int:
    sent = 0
    for index, message in enumerate(messages):
        if timezone.now() > deadline:
            # A slow batch (a hanging server) gives the rest back before the sweeper
            # decides this worker is dead and another sends them as well.
            _release(messages[index:], error="batch ran past its claim window")
            break
        try:
            _send(backend, message)
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the row
            _fail(message, error)
            if isinstance(error, PERMANENT_ERRORS):
                continue
            # The server is in trouble: stop hammering it; retry the rest later.
            _release(messages[index + 1 :], error=f"after an error: {error}")
            break
        if not _mark_sent(message):
            # Every further message would be one more that cannot be marked, and so one
            # more duplicate: stop. The rest goes back if the database still answers,
            # else the sweeper takes it with this one.
            try:
                _release(messages[index + 1 :], error="after a failed 'sent' mark")
            except DatabaseFailure:
                logger.warning("could not give back the rest of the batch", exc_info=True)
            break
        sent += 1
    return sent


def _send(backend, message: Claimed) -> None:
    email_message = render(message)
    backend.open()  # no-op when already open
    try:
        accepted = backend.send_messages([email_message])
    except smtplib.SMTPServerDisconnected:
        # Whether the server kept the message is unknown: it goes once more on a fresh
        # connection, so at most this one message arrives twice.
        backend.close()
        backend.open()
        accepted = backend.send_messages([email_message])
    if accepted != 1:
        raise smtplib.SMTPException("the email backend did not accept the message")


def _mark_sent(message: Claimed) -> bool:
    """Record that the SMTP server took the message, committed on its own before the next
    message is sent, so that a worker process stopped at any point leaves at most the one
    message in flight unmarked. False when the database did not record it: the row stays
    "sending", and the sweeper sends it again after the stale-claim window."""
    try:
        OutgoingMessage.objects.filter(id=message.id, status=OutgoingMessage.Status.SENDING).update(
            status=OutgoingMessage.Status.SENT, sent_at=timezone.now(), last_error=""
        )
    except DatabaseFailure:
        logger.exception(
            "outbox message %s (%s) was sent but could not be marked sent: it stays 'sending'"
            " and is sent again after the stale-claim window",
            message.id,
            message.key,
        )
        return False
    return True


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


def backlog() -> dict[str, Any]:
    """What /healthz and /metrics report of the outbox, in one query: the messages waiting
    (`waiting`), those given up on (`failed`), and how many seconds the oldest waiting one
    has waited (`oldest_seconds`, 0 when none waits)."""
    waiting = Q(status__in=[OutgoingMessage.Status.PENDING, OutgoingMessage.Status.SENDING])
    figures = OutgoingMessage.objects.aggregate(
        waiting=Count("id", filter=waiting),
        failed=Count("id", filter=Q(status=OutgoingMessage.Status.FAILED)),
        oldest=Min("created_at", filter=waiting),
    )
    oldest = figures.pop("oldest")
    figures["oldest_seconds"] = (timezone.now() - oldest).total_seconds() if oldest else 0
    return figures
