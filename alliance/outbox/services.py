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
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from alliance.outbox.models import OutgoingMessage
from alliance.queueing import enqueue

logger = logging.getLogger(__name__)

# How many messages one task claims and sends over one SMTP connection.
BATCH_SIZE = 20
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


def queue_emails(emails: list[Email]) -> list[int]:
    """Write the messages (skipping keys already written) and send them after commit.

    Returns the ids of the rows this call created. Must run inside the transaction of
    the change that causes the messages, so that both commit or neither does.
    """
    if not emails:
        return []
    keys = [email.key for email in emails]
    existing = set(OutgoingMessage.objects.filter(key__in=keys).values_list("key", flat=True))
    now = timezone.now()
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
                queued_at=now,
            )
            for email in emails
            if email.key not in existing
        ],
        ignore_conflicts=True,  # a concurrent writer of the same key wins; that is fine
    )
    created = list(
        OutgoingMessage.objects.filter(key__in=set(keys) - existing)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if created:
        transaction.on_commit(lambda: dispatch(created))
    return created


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


def render(message: OutgoingMessage) -> EmailMultiAlternatives:
    """Build the email from the message's templates, in the recipient's language."""
    context = {
        **message.context,
        "site_url": settings.SITE_URL,
        "recipient_name": message.to_name,
        "recipient_email": message.to_email,
    }
    base = f"emails/{message.template}"
    with translation.override(message.language):
        subject = " ".join(render_to_string(f"{base}/subject.txt", context).split())
        text = render_to_string(f"{base}/body.txt", context)
        try:
            html = render_to_string(f"{base}/body.html", context)
        except TemplateDoesNotExist:
            html = None
    recipient = f"{message.to_name} <{message.to_email}>" if message.to_name else message.to_email
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers={
            "Message-ID": f"<outbox-{message.pk}@{_domain()}>",
            "X-Alliance-Message-Key": message.key,
            "Content-Language": message.language,
        },
    )
    if html and html.strip():
        email.attach_alternative(html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return email


def _domain() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "localhost"


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


def _send(email: EmailMultiAlternatives) -> None:
    try:
        sent = _Connection.get().send_messages([email])
    except smtplib.SMTPServerDisconnected:
        # The server closed an idle connection: one fresh try.
        _Connection.reset()
        sent = _Connection.get().send_messages([email])
    except Exception:
        _Connection.reset()
        raise
    if sent != 1 and settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        # Django's SMTP backend swallows nothing with fail_silently off; 0 means refused.
        raise smtplib.SMTPException("the SMTP server did not accept the message")


def claim(ids: list[int]) -> list[OutgoingMessage]:
    """Take the pending rows among `ids` for this worker; rows already taken are skipped."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            OutgoingMessage.objects.select_for_update(skip_locked=True)
            .filter(id__in=ids, status=OutgoingMessage.Status.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("id")
        )
        if claimed:
            OutgoingMessage.objects.filter(id__in=[m.id for m in claimed]).update(
                status=OutgoingMessage.Status.SENDING,
                claimed_at=now,
                attempts=F("attempts") + 1,
            )
    for message in claimed:
        message.attempts += 1
        message.claimed_at = now
    return claimed


def deliver(ids: list[int]) -> int:
    """Claim and send the given messages. Safe to call twice with the same ids."""
    messages = claim(ids)
    deadline = timezone.now() + timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS / 2)
    sent = 0
    for index, message in enumerate(messages):
        if timezone.now() > deadline:
            # This batch is slow (a hanging server): give the rest back before the
            # sweeper decides this worker is dead and another sends them as well.
            _release(messages[index:], error="batch ran past its claim window")
            break
        try:
            _send(render(message))
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the row
            _fail(message, error)
            if not isinstance(error, PERMANENT_ERRORS):
                # The server is in trouble: stop hammering it; retry the rest later.
                _release(messages[index + 1 :], error=f"after an error: {error}")
                break
            continue
        _mark_sent(message)
        sent += 1
    return sent


def _mark_sent(message: OutgoingMessage) -> None:
    """Record that the SMTP server took the message, without waiting for the disk.

    The commit is asynchronous on Postgres (`synchronous_commit = off` for this one
    transaction): it is durable once the WAL writer flushes it, a fraction of a second
    later. A killed *worker* loses nothing by this; only a crash of *Postgres itself* in
    that fraction could forget a mark, and the message would then be sent again, which
    is the outcome a mark is there to make rare, not impossible (SMTP has no
    idempotency). It saves one disk flush per message: the largest cost of sending.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        OutgoingMessage.objects.filter(id=message.id, status=OutgoingMessage.Status.SENDING).update(
            status=OutgoingMessage.Status.SENT, sent_at=timezone.now(), last_error=""
        )


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def _fail(message: OutgoingMessage, error: Exception) -> None:
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


def _release(messages: list[OutgoingMessage], *, error: str) -> None:
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
