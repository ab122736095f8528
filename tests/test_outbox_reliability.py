"""The outbox under crashes, with a real Celery worker and beat, Redis and an SMTP server.

1,000 messages are written in one committed transaction; the SMTP server counts them by
their X-Alliance-Message-Key. The worker runs with production's settings: a pool process
per core, each with at most one message in flight. A worker killed with SIGKILL mid-run,
its database sessions cut mid-run (what a PostgreSQL restart does to them), or a broker
wiped with FLUSHALL, must lose nothing: the database row, not the broker, is the source
of truth, and the sweeper (run by beat) re-queues what was lost. The only messages that
may arrive twice are the ones in flight, at most one per pool process: SMTP has no
idempotency.
"""

import time

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, queue_emails
from tests.fixtures.services import wait_until_marked_sent

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MESSAGES = 1000
# How long the SMTP server must stay quiet after the last message before a test trusts
# that no duplicate is on its way: more than one sweep of the sweeper.
QUIET_SECONDS = 3


def queue_messages(run: str) -> set[str]:
    keys = [f"reliability:{run}:{n}" for n in range(MESSAGES)]
    with transaction.atomic():
        queue_emails(
            [
                Email(
                    key=key,
                    to_email=f"member{n}@example.org",
                    template="notice",
                    context={"subject": f"Notice {n}", "text": "Sign the Davos statement."},
                )
                for n, key in enumerate(keys)
            ]
        )
    return set(keys)


def wait_until_all_arrived(smtp_server, keys: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not keys <= set(smtp_server.key_counts()):
        if time.monotonic() > deadline:
            missing = keys - set(smtp_server.key_counts())
            raise AssertionError(
                f"{len(missing)} of {len(keys)} messages missing after {timeout} s"
            )
        time.sleep(0.2)
    # Let a late duplicate, if there is one, arrive before anyone counts.
    time.sleep(QUIET_SECONDS)


def assert_all_sent(keys: set[str]) -> None:
    statuses = OutgoingMessage.objects.filter(key__in=keys).values_list("status", flat=True)
    assert len(statuses) == len(keys)
    assert set(statuses) == {OutgoingMessage.Status.SENT}


def test_without_crashes_every_message_arrives_exactly_once(smtp_server):
    smtp_server.clear()
    keys = queue_messages("steady")

    wait_until_all_arrived(smtp_server, keys, timeout=60)

    counts = smtp_server.key_counts()
    assert set(counts) == keys
    assert set(counts.values()) == {1}
    assert_all_sent(keys)


def test_worker_killed_mid_run_loses_nothing_and_repeats_at_most_the_one_in_flight(
    smtp_server, celery_worker
):
    smtp_server.clear()
    keys = queue_messages("sigkill")
    smtp_server.wait_for(MESSAGES // 4, timeout=60)

    celery_worker.kill()
    arrived_before_the_kill = smtp_server.count
    assert arrived_before_the_kill < MESSAGES, "the kill must come in the middle of the run"
    celery_worker.start()
    restarted_at = time.monotonic()
    wait_until_marked_sent(OutgoingMessage.objects.filter(key__in=keys), timeout=90)
    recovery_seconds = time.monotonic() - restarted_at
    wait_until_all_arrived(smtp_server, keys, timeout=10)

    assert_at_most_one_repeat_per_process(smtp_server, keys, celery_worker)
    assert recovery_seconds <= 60
    assert_all_sent(keys)


def assert_at_most_one_repeat_per_process(smtp_server, keys: set[str], worker) -> None:
    counts = smtp_server.key_counts()
    assert set(counts) == keys
    repeated = {key: count for key, count in counts.items() if count > 1}
    assert len(repeated) <= worker.pool_processes, (
        f"more than the message in flight of each of {worker.pool_processes} processes"
        f" arrived twice: {repeated}"
    )
    assert set(repeated.values()) <= {2}


def test_database_sessions_cut_mid_run_lose_nothing_and_repeat_at_most_one_per_process(
    smtp_server, celery_worker
):
    smtp_server.clear()
    keys = queue_messages("terminated")
    smtp_server.wait_for(MESSAGES // 4, timeout=60)

    # What `pg_ctl restart -m fast` does to the worker's sessions: each pool process's
    # next statement, often the "sent" mark of the message it has just sent, fails.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
        )
        [(terminated,)] = cursor.fetchall()
    assert terminated >= 1, "the worker had no database session to cut"
    assert smtp_server.count < MESSAGES, "the cut must come in the middle of the run"
    wait_until_marked_sent(OutgoingMessage.objects.filter(key__in=keys), timeout=90)
    wait_until_all_arrived(smtp_server, keys, timeout=10)

    assert_at_most_one_repeat_per_process(smtp_server, keys, celery_worker)
    assert_all_sent(keys)


def test_broker_wiped_mid_run_loses_nothing(smtp_server):
    smtp_server.clear()
    keys = queue_messages("flushall")
    smtp_server.wait_for(MESSAGES // 4, timeout=60)

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushall()
    assert smtp_server.count < MESSAGES, "the wipe must come in the middle of the run"
    wait_until_all_arrived(smtp_server, keys, timeout=60)

    counts = smtp_server.key_counts()
    assert set(counts) == keys
    assert set(counts.values()) == {1}, "no worker died: nothing may arrive twice"
    assert_all_sent(keys)
