"""Reminders before a sign-on deadline, in each recipient's time zone."""

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone

from alliance.core.outbox.services import queue_emails
from members.models import Organisation
from statements.messages import recently_reminded
from statements.models import (
    SignOnRequest,
    Statement,
)
from statements.services.circulation import contacts_to_write_to, request_emails

# Offset 0 means "the morning of the deadline", at this hour in the recipient's zone.
DEADLINE_MORNING_HOUR = 8
# A reminder that the scan could not send within this window after it fell due (the
# scheduler was down) is skipped rather than sent late and out of order.
REMINDER_GRACE = dt.timedelta(hours=12)

# --- Reminders --------------------------------------------------------------------------


def reminder_due_at(deadline: dt.datetime, offset_hours: int, time_zone: str) -> dt.datetime:
    """When the reminder `offset_hours` before `deadline` falls due. Offset 0 is the
    morning of the deadline's day in the recipient's time zone (or two hours before a
    deadline that comes earlier than that morning)."""
    if offset_hours:
        return deadline - dt.timedelta(hours=offset_hours)
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    local_deadline = deadline.astimezone(zone)
    morning = local_deadline.replace(hour=DEADLINE_MORNING_HOUR, minute=0, second=0, microsecond=0)
    if morning >= deadline:
        return deadline - dt.timedelta(hours=2)
    return morning


def send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """For every open statement, remind the organisations that have not answered, at
    each offset that has fallen due. Safe to run twice, or in two processes at once: a
    reminder's outbox key (statement, organisation, offset, contact) is written once.

    Returns how many emails were queued.
    """
    now = now or timezone.now()
    queued = 0
    statements = Statement.objects.filter(
        status=Statement.Status.OPEN, signon_closes_at__gt=now
    ).exclude(reminder_offsets=[])
    for statement in statements:
        queued += _remind(statement, now)
    return queued


def _remind(statement: Statement, now: dt.datetime) -> int:
    deadline = statement.signon_closes_at
    requests = statement.signon_requests.filter(answer=SignOnRequest.Answer.NO_REPLY)
    contacts = list(
        contacts_to_write_to(Organisation.objects.filter(pk__in=requests.values("organisation")))
    )
    emails = []
    for offset in sorted(set(statement.reminder_offsets), reverse=True):
        due_contacts = [
            contact
            for contact in contacts
            if _falls_due(reminder_due_at(deadline, offset, contact.time_zone), now, deadline)
        ]
        # Whoever was reminded by hand ("remind now") lately is not reminded again now.
        pressed = recently_reminded(statement, due_contacts, pressed_only=True, now=now)
        due_contacts = [contact for contact in due_contacts if contact.pk not in pressed]
        if not due_contacts:
            continue
        due_at = min(reminder_due_at(deadline, offset, c.time_zone) for c in due_contacts)
        # Organisations asked after the reminder fell due have just been written to.
        asked_before = requests.filter(requested_at__lt=due_at)
        emails += request_emails(
            statement,
            asked_before,
            template="statement_reminder",
            contacts=due_contacts,
            key=lambda request, contact, offset=offset: (
                f"statement-reminder:{statement.pk}:{request.organisation_id}:{offset}:{contact.pk}"
            ),
        )
    with transaction.atomic():
        return len(queue_emails(emails))


def _falls_due(due_at, now, deadline) -> bool:
    return due_at <= now < min(deadline, due_at + REMINDER_GRACE)
