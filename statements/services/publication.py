"""Publishing a statement, by hand or when its embargo ends."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from alliance.core.audit.services import record
from alliance.core.outbox.services import queue_emails
from statements.messages import publication_emails
from statements.models import (
    Signature,
    Statement,
)
from statements.webhooks import emit_statement_published

# --- Publication ------------------------------------------------------------------------


def publish(*, statement: Statement, actor=None) -> bool:
    """Make the statement public in all its languages at once; sign-on ends. Safe to call
    twice: only the first call changes anything. Returns whether this call published."""
    with transaction.atomic():
        now = timezone.now()
        published = Statement.objects.filter(
            pk=statement.pk, status__in=[Statement.Status.DRAFT, Statement.Status.OPEN]
        ).update(status=Statement.Status.PUBLISHED, published_at=now, updated_at=now)
        if published:
            statement.status = Statement.Status.PUBLISHED
            statement.published_at = now
            if not statement.unconfirmed_count_after_change:
                _lapse_unconfirmed(statement)
            record(
                actor=actor,
                actor_label="" if actor else "embargo",
                action="statement.published",
                target=statement,
                changes={"status": [None, Statement.Status.PUBLISHED]},
            )
            emit_statement_published(statement)
            queue_emails(publication_emails(statement))
    return bool(published)


def _lapse_unconfirmed(statement: Statement) -> None:
    """The convenor chose that signatures of an earlier text count only if confirmed:
    at publication, those never confirmed are withdrawn (each one audited)."""
    current = statement.current_version()
    unconfirmed = list(
        Signature.objects.live().filter(statement=statement).exclude(version=current)
    )
    _set_status(
        unconfirmed,
        Signature.Status.WITHDRAWN,
        actor_label="publication",
        action="signature.lapsed",
        note="The text changed and the signer did not confirm it before publication.",
    )


def _set_status(
    signatures: list[Signature], status: str, *, actor_label: str, action: str, note: str
) -> None:
    """Move `signatures` (loaded, and locked where the caller must) to `status` in one
    UPDATE, with an audit entry each that records the status it had."""
    Signature.objects.filter(pk__in=[signature.pk for signature in signatures]).update(
        status=status, updated_at=timezone.now()
    )
    for signature in signatures:
        record(
            actor_label=actor_label,
            action=action,
            target=signature,
            changes={"status": [signature.status, status]},
            note=note,
        )


def publish_due_statements(*, now: dt.datetime | None = None) -> list[int]:
    """Publish the open statements whose embargo has passed."""
    now = now or timezone.now()
    due = Statement.objects.filter(status=Statement.Status.OPEN, embargo_until__lte=now)
    return [statement.pk for statement in due if publish(statement=statement)]
