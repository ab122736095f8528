import datetime as dt

from celery import shared_task
from django.utils import timezone

from alliance.api.models import IdempotentRequest

# A partner retries within minutes or hours; a day of margin on top of that.
KEEP_IDEMPOTENT_RESPONSES = dt.timedelta(days=7)


@shared_task(ignore_result=True)
def forget_old_idempotent_requests() -> int:
    """Periodic (Celery beat, daily): delete kept responses older than a week. Safe to
    run twice: the second run finds nothing left to delete."""
    cutoff = timezone.now() - KEEP_IDEMPOTENT_RESPONSES
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
