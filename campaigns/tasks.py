"""Celery tasks for convenings: they take ids and call campaigns.services."""

from celery import shared_task

from campaigns import services


@shared_task(ignore_result=True)
def notify_invitees(convening_id: int, invitation_ids: list[int]) -> int:
    """One batch of the fan-out: write the invitation, update or cancellation emails
    these invitations are owed. Safe to run twice (it sends only what is owed)."""
    return services.notify_invitees(convening_id=convening_id, invitation_ids=invitation_ids)


@shared_task(ignore_result=True)
def send_convening_reminders() -> int:
    """Periodic (Celery beat, hourly): RSVP and day-before reminders, once each."""
    return services.send_reminders()


@shared_task(ignore_result=True)
def catch_up_convening_notifications() -> int:
    """Periodic (Celery beat, every few minutes): redo fan-out batches the broker lost."""
    return services.catch_up_notifications()
