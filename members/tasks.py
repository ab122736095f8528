"""Celery tasks for members: they take ids and call the services."""

from celery import shared_task

from members import imports


@shared_task(ignore_result=True)
def run_import(import_id: int) -> str:
    """The real run of a CSV import: all rows in one transaction, or none. Safe to run
    twice: the import is claimed under a row lock and finished at commit."""
    return imports.run_import(import_id=import_id)


@shared_task(ignore_result=True)
def requeue_lost_imports() -> list[int]:
    """Periodic (Celery beat, every minute): queue again the imports whose task was lost."""
    return imports.requeue_lost_imports()


@shared_task(ignore_result=True)
def run_bulk_action(bulk_id: int) -> str:
    """A directory bulk action above the threshold: every row in one transaction, or
    none. Safe to run twice: the action is claimed under a row lock and finished at
    commit."""
    from members import bulk

    return bulk.run_bulk_action(bulk_id=bulk_id)


@shared_task(ignore_result=True)
def requeue_lost_bulk_actions() -> list[int]:
    """Periodic (Celery beat, every minute): queue again the bulk actions whose task was
    lost."""
    from members import bulk

    return bulk.requeue_lost_bulk_actions()
