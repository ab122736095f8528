from celery import shared_task

from alliance.outbox import services


@shared_task(ignore_result=True)
def deliver_messages(message_ids: list[int]) -> int:
    """Send the given outbox rows. Failures are recorded on each row and retried by the
    sweeper with back-off, not by Celery: the row is the source of truth."""
    return services.deliver(message_ids)


@shared_task(ignore_result=True)
def sweep_outbox() -> dict[str, int]:
    """Periodic (Celery beat): re-queue what the broker lost or a dead worker held."""
    return services.sweep()
