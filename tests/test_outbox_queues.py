"""Email and public submissions on queues of their own, with the workers docker-compose.yml
runs (a `worker` and a `mailer`, each with its `--queues`), on a Redis of the test's own:
under a backlog of public submissions, confirmation emails go out while the backlog is
still being processed, not after it."""

import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import connection

from statements.models import PublicSubmission, Statement
from statements.services import address_digest
from statements.tasks import process_public_submissions
from tests.factories import StatementFactory
from tests.fixtures.services import (
    RESULTS,
    CeleryWorker,
    RedisServer,
    celery_environment,
    database_url,
    require_services,
    use_broker,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[1] / "docker-compose.yml").read_text())
SUBMISSIONS = 5000


def compose_queues(service: str) -> list[str]:
    command = COMPOSE["services"][service]["command"]
    return command[command.index("--queues") + 1].split(",")


def test_the_compose_workers_consume_every_queue_and_email_has_a_worker_of_its_own():
    queues = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    assert set(compose_queues("worker")) | set(compose_queues("mailer")) == queues
    assert compose_queues("mailer") == ["email"]
    assert settings.CELERY_TASK_ROUTES["alliance.outbox.tasks.*"] == {"queue": "email"}


@pytest.fixture
def compose_workers(tmp_path, smtp_server, django_db_setup):
    """The compose file's `worker` and `mailer`, on a Redis of this test's own (the
    session's worker would consume every queue), this process publishing to it."""
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL:
        require_services("PostgreSQL (DATABASE_URL) and a broker (CELERY_BROKER_URL)")
    redis_server = RedisServer(tmp_path).start()
    env = celery_environment(
        database=database_url(connection.settings_dict),
        broker=redis_server.url,
        smtp=smtp_server.url,
        DJANGO_SETTINGS_MODULE="tests.settings",
    )
    workers = [
        CeleryWorker(
            env=env, log_dir=RESULTS / "queues", queues=compose_queues(service), role=service
        )
        for service in ("worker", "mailer")
    ]
    try:
        with use_broker(redis_server.url):
            try:
                for worker in workers:
                    worker.start()
                yield workers
            finally:
                for worker in workers:
                    worker.stop()
    finally:
        redis_server.stop()


def test_confirmation_emails_go_out_while_a_backlog_of_public_submissions_is_processed(
    compose_workers, smtp_server
):
    statement = StatementFactory(audience=Statement.Audience.ANYONE)
    PublicSubmission.objects.bulk_create(
        [
            PublicSubmission(
                statement=statement,
                organisation_name=f"Backlog organisation {n}",
                country="UG",
                kind="grassroots",
                signatory_name=f"Signatory {n}",
                email=f"signatory{n}@backlog.example",
                ip_digest=address_digest(f"10.1.{n // 250}.{n % 250}"),
            )
            for n in range(SUBMISSIONS)
        ],
        batch_size=1000,
    )
    smtp_server.clear()
    # A burst's wake-ups: more than a worker has processes, so that on one queue they
    # would take every process until the backlog is done.
    for _ in range(4):
        process_public_submissions.delay()

    smtp_server.wait_for(1, timeout=60)
    still_received = PublicSubmission.objects.filter(status=PublicSubmission.Status.RECEIVED)
    # Not "any left": on one queue the email waits only until the last batch is claimed.
    left = still_received.count()
    assert left > SUBMISSIONS // 2, f"the first email waited for the backlog ({left} left)"

    # Both go on to the end: every submission processed, every confirmation sent.
    deadline = time.monotonic() + 180
    while still_received.exists():
        assert time.monotonic() < deadline, f"{still_received.count()} submissions left"
        time.sleep(0.5)
    received = smtp_server.wait_for(SUBMISSIONS, timeout=120)
    assert {message.recipients[0] for message in received} == {
        f"signatory{n}@backlog.example" for n in range(SUBMISSIONS)
    }
