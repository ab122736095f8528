"""Handing work to the broker when the database, not the broker, is the source of truth.

Every task in this project works on rows that say what is still to do (an outbox message
not yet sent, an invitation not yet emailed, an import still queued), and a periodic
sweeper queues again what no queue holds. So a broker that is down when a change commits
must not turn a saved change into an error page: the rows are safe, and the sweeper will
queue them once the broker is back.
"""

import logging

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, what: str = "") -> bool:
    """`task.delay(*args)`, or, if the broker cannot be reached, a warning and False.

    Tasks run in-process ("eager", development and tests) raise their own errors, not the
    broker's: those go through. Ask the app, not the settings: tests switch it at run time.
    """
    try:
        task.delay(*args)
    except Exception:
        if task.app.conf.task_always_eager:
            raise
        logger.warning(
            "could not queue %s (%s); the periodic sweep will", task.name, what, exc_info=True
        )
        return False
    return True


def queue_again(rows, task, *, what: str) -> list[int]:
    """Queue `task` again, once the transaction commits, with the id of each row of the
    queryset `rows` (work whose task the broker lost, or whose worker died before
    committing), and return those ids. A row a running task holds locked is skipped: it is
    not lost. The task must be safe to run twice."""
    with transaction.atomic():
        lost = list(rows.select_for_update(skip_locked=True).values_list("pk", flat=True))
        for pk in lost:
            transaction.on_commit(lambda pk=pk: enqueue(task, pk, what=what))
    if lost:
        logger.warning("Queued %s again: %s", what, lost)
    return lost


def rows_done(run, key: str, *, finished: str) -> int:
    """How many rows a queued run (an import, a bulk action) has been through. The run
    works in one open transaction, so the figure travels through the cache under `key`
    until it ends; then the row's own field `finished` holds it.

    Nothing in the cache means the run has not started, or has committed since `run` was
    read (the figure leaves the cache after the commit): the row says which, so a page
    polling the progress never sees it go back to 0."""
    if run.status == run.Status.QUEUED:
        done = cache.get(key)
        if done is not None:
            return done
        run.refresh_from_db(fields=["status", finished])
        if run.status == run.Status.QUEUED:
            return 0
    return getattr(run, finished)
