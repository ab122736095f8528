import os

from celery import Celery
from celery.signals import setup_logging, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

app = Celery("alliance")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fixup closes the database connection before and after every task
# unless told how many tasks may share one. A new PostgreSQL connection per task costs
# as much as sending several emails (bench/README.md). Keep it, and drop it only when
# Django would after a request (see below); the fixup
# still recycles it every thousand tasks.
app.conf.CELERY_DB_REUSE_MAX = 1000
app.autodiscover_tasks()
# The outbox lives in a sub-package of the project that autodiscovery does not list first.
app.autodiscover_tasks(["alliance.core.outbox"])


@setup_logging.connect
def log_as_django_does(loglevel=None, **kwargs):
    """Worker and beat write their lines with the settings' LOGGING (JSON in production,
    each with its request id) instead of Celery's own format; `--loglevel` still counts."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


@task_prerun.connect
@task_postrun.connect
def close_broken_or_old_connections(task=None, **kwargs):
    """Between tasks, close a connection that broke or outlived CONN_MAX_AGE, as Django
    does between requests, so that one database restart does not fail task after task."""
    if task is not None and task.request.is_eager:
        return  # in-process: the caller's connection, perhaps in the middle of a transaction
    from django.db import close_old_connections

    close_old_connections()


@task_prerun.connect
def forget_content_types_in_tests(task=None, **kwargs):
    """The tests empty the database between tests, and content types come back with new
    ids, while a test's worker lives on: there, each task forgets the ids it read (an
    audit entry would otherwise name a content type that no longer exists). Content types
    never change under a production worker."""
    from django.conf import settings

    if getattr(settings, "FORGET_CONTENT_TYPES_BETWEEN_TASKS", False):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
