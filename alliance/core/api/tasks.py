import datetime as dt

from celery import shared_task
from django.utils import timezone

from alliance.core.api.models import IdempotentRequest

# A partner retries within minutes or hours; a day of margin on top of that.
KEEP_IDEMPOTENT_RESPONSES = dt.timedelta(days=7)


# Each task keeps the name it had before the module moved into alliance.core, so that
# queued messages, the beat schedule and CELERY_TASK_ROUTES still match it.
@shared_task(name="alliance.api.tasks.forget_old_idempotent_requests", ignore_result=True)
def forget_old_idempotent_requests() -> int:
    """Periodic (Celery beat, daily): delete kept responses older than a week. Safe to
    run twice: the second run finds nothing left to delete."""
    cutoff = timezone.now() - KEEP_IDEMPOTENT_RESPONSES
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@shared_task(name="alliance.api.tasks.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> bool:
    """Post one webhook delivery. Failures are recorded on the row and retried by the
    sweeper with back-off, not by Celery: the row is the source of truth."""
    from alliance.core.api import webhooks

    return webhooks.deliver(delivery_id)


@shared_task(name="alliance.api.tasks.sweep_webhooks", ignore_result=True)
def sweep_webhooks() -> dict[str, int]:
    """Periodic (Celery beat, every minute): queue due retries, and what the broker lost
    or a dead worker held."""
    from alliance.core.api import webhooks

    return webhooks.sweep()
