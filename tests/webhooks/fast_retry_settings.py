"""tests.settings with webhook retries in seconds: the settings of the worker and beat that
tests/webhooks/test_worker.py starts to see a delivery retried with back-off."""

from tests.settings import *  # noqa: F403
from tests.settings import CELERY_BEAT_SCHEDULE

# Back-off of 1 s, 2 s, 4 s... instead of 30 s, 1 min, 2 min...
WEBHOOKS_FIRST_RETRY_SECONDS = 1
# The sweeper queues due retries: every second instead of every minute.
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "webhook-sweep": {**CELERY_BEAT_SCHEDULE["webhook-sweep"], "schedule": 1},
}
