from celery import shared_task

from alliance.core.outbox import services


# Each task keeps the name it had before the module moved into alliance.core, so that
# queued messages, the beat schedule and CELERY_TASK_ROUTES still match it.
@shared_task(name="alliance.outbox.tasks.deliver_messages", ignore_result=True)
def deliver_messages(message_ids: list[int]) -> int:
    """Send the given outbox rows. Failures are recorded on each row and retried by the
    sweeper with back-off, not by Celery: the row is the source of truth."""
    return services.deliver(message_ids)


@shared_task(name="alliance.outbox.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict[str, int]:
    """Periodic (Celery beat): re-queue what the broker lost or a dead worker held."""
    return services.sweep()
