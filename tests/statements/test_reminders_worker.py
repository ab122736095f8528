"""Reminders with a real Celery worker, Redis and an SMTP server: two copies of the scan
running at the same time send each reminder exactly once, and none to an organisation
that has answered."""

import datetime as dt
import time
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from alliance.celery import app
from statements import tasks
from statements.models import SignOnRequest
from tests.factories import ContactFactory, OrganisationFactory, SignOnRequestFactory
from tests.fixtures.services import (
    RESULTS,
    CeleryProcess,
    CeleryWorker,
    celery_environment,
    database_url,
    require_services,
    services_configured,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

QUEUE = "statements-tests"
QUIET_SECONDS = 3


class StatementsWorker(CeleryWorker):
    """A worker on the default queue and one of its own, with two processes, so that the
    two copies of the scan run at the same time."""

    def start(self, timeout: float = 60) -> None:
        self.node_name = f"statements-{uuid.uuid4().hex[:8]}@alliance-tests"
        self.arguments = [
            "worker",
            "--concurrency",
            str(self.concurrency),
            "--hostname",
            self.node_name,
            "--loglevel",
            self.loglevel,
            "--without-gossip",
            "--without-mingle",
            "--queues",
            f"{QUEUE},celery",
        ]
        CeleryProcess.start(self)
        self.wait_until_ready(timeout)


@pytest.fixture
def statements_worker(smtp_server, settings):
    if not services_configured():
        require_services("PostgreSQL (DATABASE_URL) and a broker (CELERY_BROKER_URL)")
    env = celery_environment(
        database=database_url(connection.settings_dict),
        broker=settings.CELERY_BROKER_URL,
        smtp=smtp_server.url,
        DJANGO_SETTINGS_MODULE="tests.settings",
    )
    worker = StatementsWorker(env=env, log_dir=RESULTS / "celery-statements", concurrency=2)
    app.conf.task_always_eager = False
    worker.start()
    yield worker
    worker.stop()
    app.conf.task_always_eager = True


def test_two_concurrent_scans_send_each_reminder_once(
    statements_worker, smtp_server, open_statement
):
    open_statement.signon_closes_at = timezone.now() + dt.timedelta(hours=47)
    open_statement.embargo_until = open_statement.signon_closes_at + dt.timedelta(days=1)
    open_statement.reminder_offsets = [168, 48, 0]
    open_statement.save()
    waiting = []
    for n in range(5):
        organisation = OrganisationFactory(name=f"Waiting {n}")
        for m in range(2):
            waiting.append(
                ContactFactory(organisation=organisation, email=f"w{n}-{m}@example.test")
            )
        SignOnRequestFactory(statement=open_statement, organisation=organisation)
    for answer in ("signed", "declined"):
        organisation = OrganisationFactory(name=f"Answered {answer}")
        ContactFactory(organisation=organisation, email=f"{answer}@example.test")
        SignOnRequestFactory(statement=open_statement, organisation=organisation, answer=answer)
    SignOnRequest.objects.update(requested_at=timezone.now() - dt.timedelta(days=3))
    smtp_server.clear()

    for _ in range(2):
        tasks.send_statement_reminders.apply_async(queue=QUEUE)

    deadline = time.monotonic() + 60
    while smtp_server.count < len(waiting) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(QUIET_SECONDS)  # a duplicate, if any, would arrive now
    counts = smtp_server.key_counts()
    reminder_keys = {key for key in counts if key.startswith("statement-reminder:")}
    assert len(reminder_keys) == len(waiting), statements_worker.log_tail()
    assert set(counts.values()) == {1}
    assert {key.split(":")[3] for key in reminder_keys} == {"48"}
    recipients = {r for message in smtp_server.messages for r in message.recipients}
    assert recipients == {contact.email for contact in waiting}
