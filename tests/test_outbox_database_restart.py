"""A real PostgreSQL restart (`pg_ctl restart -m fast`) in the middle of an outbox
fan-out, with the session's Celery worker (production's settings: a pool process per
core) and beat: nothing is lost, and at most the one message each pool process had in
flight arrives twice (its "sent" mark failed; the batch stops there instead of sending
the next message it could not mark either)."""

import pytest
from django.db import connection

from alliance.core.outbox.models import OutgoingMessage
from tests.fixtures.services import wait_until_marked_sent
from tests.test_outbox_reliability import (
    MESSAGES,
    assert_all_sent,
    assert_at_most_one_repeat_per_process,
    queue_messages,
    wait_until_all_arrived,
)

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_postgres_restart_mid_fan_out_loses_nothing_and_repeats_at_most_one_per_process(
    smtp_server, celery_worker, restartable_postgres
):
    smtp_server.clear()
    keys = queue_messages("restart")
    smtp_server.wait_for(MESSAGES // 4, timeout=60)

    restartable_postgres.restart()
    assert smtp_server.count < MESSAGES, "the restart must come in the middle of the run"
    # This process's session was cut too.
    connection.close()
    wait_until_marked_sent(OutgoingMessage.objects.filter(key__in=keys), timeout=90)
    wait_until_all_arrived(smtp_server, keys, timeout=10)

    assert_at_most_one_repeat_per_process(smtp_server, keys, celery_worker)
    assert_all_sent(keys)
