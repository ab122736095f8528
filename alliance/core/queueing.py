"""Handing work to the broker when the database, not the broker, is the source of truth.

Every task in this project works on rows that say what is still to do (an outbox message
not yet sent, an invitation not yet emailed, an import still queued), and a periodic
sweeper queues again what no queue holds. So a broker that is down when a change commits
must not turn a saved change into an error page: the rows are safe, and the sweeper will
queue them once the broker is back.
"""

import logging

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
