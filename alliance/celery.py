import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

app = Celery("alliance")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fixup closes the database connection before and after every task
# unless told how many tasks may share one. A new PostgreSQL connection per task cost
# ~15 ms on the benchmark machine, as much as sending five emails (bench/README.md).
# Keep it, and drop it only when Django would after a request (see below); the fixup
# still recycles it every thousand tasks.
app.conf.CELERY_DB_REUSE_MAX = 1000
app.autodiscover_tasks()
# The outbox lives in a sub-package of the project that autodiscovery does not list first.
app.autodiscover_tasks(["alliance.outbox"])


@task_prerun.connect
@task_postrun.connect
def close_broken_or_old_connections(task=None, **kwargs):
    """Between tasks, close a connection that broke or outlived CONN_MAX_AGE, as Django
    does between requests, so that one database restart does not fail task after task."""
    if task is not None and task.request.is_eager:
        return  # in-process: the caller's connection, perhaps in the middle of a transaction
    from django.db import close_old_connections

    close_old_connections()
