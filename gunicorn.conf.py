"""gunicorn's settings for the web service (`gunicorn --config gunicorn.conf.py`, as the
compose files run it): prometheus-client's hooks, and every worker's loaded program kept
out of the garbage collector's full passes. Affects every page, not only the API."""

import gc

from alliance.monitoring.gunicorn import child_exit, on_starting

__all__ = ["child_exit", "on_starting", "post_worker_init"]


def post_worker_init(worker):
    """Once the worker has loaded the program, import every view (Django reads the URLconf
    only at the first request) and freeze what is alive then: the ~150,000 objects of
    Django, DRF and the project live as long as the process, and without this each full
    collection walked them all again (Python's gc.freeze)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view
    gc.freeze()
