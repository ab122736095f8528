"""Periodic scans of statements (Celery beat). Both are safe to run twice, or in two
processes at once: reminders are keyed outbox rows, publication a conditional update."""

from celery import shared_task

from statements import services


@shared_task(ignore_result=True)
def send_statement_reminders() -> int:
    """Remind the organisations that have not answered, at each offset that fell due."""
    return services.send_due_reminders()


@shared_task(ignore_result=True)
def publish_due_statements() -> list[int]:
    """Publish the statements whose embargo has passed."""
    return services.publish_due_statements()


@shared_task(ignore_result=True)
def count_signatures() -> int:
    """Refresh the stored signature counts (every 5 s: the public pages lag by at most
    that). Safe to run twice: it writes what it counted."""
    from statements.counting import recount_signatures

    return recount_signatures()


@shared_task(ignore_result=True)
def process_public_submissions() -> int:
    """Make signatures from the public submissions received: woken after a submission
    commits (at most once a second) and swept by beat, so one lost wake-up delays
    nothing for long. Safe to run twice: batches are claimed with SKIP LOCKED."""
    return services.process_public_submissions()


@shared_task(ignore_result=True)
def expire_unconfirmed_signatures() -> int:
    """Public signatures not confirmed in time stop holding their organisation's place.
    Safe to run twice: a conditional update."""
    return services.expire_unconfirmed_signatures()


@shared_task(ignore_result=True)
def build_handover_document(document_id: int) -> bool:
    """Build a hand-over PDF too large to build while its reader waits. Safe to run
    twice: the document is claimed (queued to building) before it is built."""
    from statements.handover import build_document

    return build_document(document_id=document_id)
