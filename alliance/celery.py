import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

app = Celery("alliance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The outbox lives in a sub-package of the project that autodiscovery does not list first.
app.autodiscover_tasks(["alliance.outbox"])
