"""A broker that is down when a change commits must not turn the saved change into an
error: the rows stay, and the periodic sweeps queue them when the broker is back."""

import pytest
from celery import current_app
from django.db import transaction

from alliance.celery import app as celery_app
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, queue_email, sweep
from alliance.core.queueing import enqueue
from tests.fixtures.services import use_broker


@pytest.fixture
def broker_down():
    """Tasks go to the broker (not in-process), and the broker is a closed port."""
    with use_broker("redis://127.0.0.1:1/0"):
        yield


def test_enqueue_reports_a_broker_outage_instead_of_raising(broker_down):
    from alliance.core.outbox.tasks import sweep_outbox

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


# --- use_broker, the tests' way to publish to a broker of their own ---------------------


def test_use_broker_refuses_the_configured_broker_and_leaves_the_project_app_current(settings):
    # "Going back" with the configured URL made a second app of it, eager, current for
    # every test that followed: the way back is leaving the block, and only that.
    configured = settings.CELERY_BROKER_URL or celery_app.conf.broker_url
    if not configured:
        pytest.skip("no broker configured (plain pytest on SQLite)")
    eager = celery_app.conf.task_always_eager
    with (
        pytest.raises(ValueError, match="not the configured one"),
        use_broker(configured, eager=True),
    ):
        pass
    assert current_app.conf is celery_app.conf
    assert celery_app.conf.task_always_eager == eager


def test_use_broker_publishes_to_its_broker_inside_the_block_only():
    eager = celery_app.conf.task_always_eager
    with use_broker("redis://127.0.0.1:1/0", eager=False) as publishing:
        assert current_app.conf is publishing.conf
        assert current_app.conf.broker_write_url == "redis://127.0.0.1:1/0"
        assert current_app.conf.task_always_eager is False
        with (
            pytest.raises(RuntimeError, match="one broker of the test's own at once"),
            use_broker("redis://127.0.0.1:2/0"),
        ):
            pass
        assert current_app.conf is publishing.conf
    assert current_app.conf is celery_app.conf
    assert celery_app.conf.task_always_eager == eager
