"""Sent emails keep their row and key (so nothing is sent twice) but not, after
RETENTION_OUTBOX_BODY_DAYS, what they said or to whom (docs/running/retention.md)."""

import datetime as dt

from django.conf import settings
from django.db.models import Q

from alliance.core.outbox.models import OutgoingMessage


def erase_sent_bodies(*, now: dt.datetime) -> int:
    cutoff = now - dt.timedelta(days=settings.RETENTION_OUTBOX_BODY_DAYS)
    return (
        OutgoingMessage.objects.filter(status=OutgoingMessage.Status.SENT, sent_at__lt=cutoff)
        .filter(~Q(to_email="") | ~Q(context={}) | ~Q(personal={}) | ~Q(attachments=[]))
        .update(to_email="", to_name="", context={}, personal={}, attachments=[], last_error="")
    )
