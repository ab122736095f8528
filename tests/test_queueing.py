"""A broker that is down when a change commits must not turn the saved change into an
error: the rows stay, and the periodic sweeps queue them when the broker is back."""

import pytest
from django.db import transaction

from alliance.celery import app as celery_app
from alliance.outbox.models import OutgoingMessage
from alliance.outbox.services import Email, queue_email, sweep
from alliance.queueing import enqueue


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks go to the broker (not in-process), and the broker is a closed port."""
    closed = "redis://127.0.0.1:1/0"
    monkeypatch.setenv("CELERY_BROKER_URL", closed)
    original = (
        celery_app.conf.task_always_eager,
        celery_app.conf.broker_url,
        celery_app.conf.broker_write_url,
    )
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = celery_app.conf.broker_write_url = closed
    _forget_broker_connections()
    yield
    (
        celery_app.conf.task_always_eager,
        celery_app.conf.broker_url,
        celery_app.conf.broker_write_url,
    ) = original
    _forget_broker_connections()


def _forget_broker_connections():
    """The app keeps its connections to the broker in pools: drop them, so that the next
    publish connects to the broker the configuration now names."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_enqueue_reports_a_broker_outage_instead_of_raising(broker_down):
    from alliance.outbox.tasks import sweep_outbox

    assert enqueue(sweep_outbox, what="a test") is False


@pytest.mark.django_db(transaction=True)
def test_an_email_written_while_the_broker_is_down_is_kept_for_the_sweeper(broker_down):
    with transaction.atomic():
        queue_email(Email(key="outage:1", to_email="a@example.org", template="notice"))
    message = OutgoingMessage.objects.get(key="outage:1")
    assert message.status == OutgoingMessage.Status.PENDING
    # The sweeper finds it once it is due again (it also cannot reach the broker here,
    # and says so without raising).
    OutgoingMessage.objects.filter(pk=message.pk).update(queued_at=None)
    assert sweep() == {"reclaimed": 0, "requeued": 1}
