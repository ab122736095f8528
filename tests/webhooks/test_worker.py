"""Webhooks through the real machinery: a Celery worker on Redis posts to an HTTP receiver
on loopback, after the change that caused them commits."""

import hashlib
import hmac
import time

import pytest

from alliance.core.api.models import WebhookDelivery
from statements import services as statements
from statements.models import Statement
from tests.factories import StatementFactory
from tests.fixtures.services import RESULTS, CeleryBeat, CeleryWorker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout} s")


def signature_is_valid(request, secret: str) -> bool:
    timestamp = request.headers["X-Alliance-Timestamp"]
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(request.headers["X-Alliance-Signature"], f"sha256={expected}")


@pytest.fixture
def fast_retrying_worker(celery_worker, celery_beat):
    """The session's worker and beat swapped, for one test, for a pair on settings where
    the back-off starts at 1 s and the sweeper runs every second
    (tests/webhooks/fast_retry_settings.py). The next worker test restarts the session's."""
    env = {**celery_worker.env, "DJANGO_SETTINGS_MODULE": "tests.webhooks.fast_retry_settings"}
    celery_beat.stop()
    celery_worker.stop()
    log_dir = RESULTS / "celery-webhook-retries"
    worker = CeleryWorker(env=env, log_dir=log_dir)
    beat = CeleryBeat(env=env, log_dir=log_dir)
    worker.start()
    beat.start()
    yield worker
    beat.stop()
    worker.stop()


def test_publishing_a_statement_posts_a_signed_webhook(subscribe, receiver, convenor):
    subscription = subscribe("statement.published")
    statement = StatementFactory(status=Statement.Status.OPEN)

    assert statements.publish(statement=statement, actor=convenor)

    [request] = wait_for(lambda: receiver.received, timeout=30, what="the webhook")
    assert signature_is_valid(request, subscription.secret)
    assert request.headers["X-Alliance-Event"] == "statement.published"
    assert request.json["data"] == {"statement": {"id": statement.pk, "slug": statement.slug}}
    delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).first(),
        timeout=10,
        what="the delivery marked delivered",
    )
    assert request.headers["X-Alliance-Delivery"] == str(delivery.idempotency_id)
    assert (delivery.attempts, delivery.last_response_code) == (1, 200)


def test_receiver_failing_twice_gets_the_webhook_on_the_third_attempt(
    fast_retrying_worker, subscribe, receiver, convenor
):
    subscription = subscribe("statement.published")
    receiver.script = [500, 503]
    statement = StatementFactory(status=Statement.Status.OPEN)

    statements.publish(statement=statement, actor=convenor)

    requests = wait_for(
        lambda: receiver.received if len(receiver.received) >= 3 else None,
        timeout=45,
        what=f"three attempts (log: {fast_retrying_worker.log_path})",
    )
    delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).first(),
        timeout=10,
        what="the delivery marked delivered",
    )
    assert (delivery.attempts, delivery.last_response_code) == (3, 200)
    assert len(requests) == 3
    assert {request.headers["X-Alliance-Delivery"] for request in requests} == {
        str(delivery.idempotency_id)
    }
    assert all(signature_is_valid(request, subscription.secret) for request in requests)
    # Back-off of 1 s, then 2 s (WEBHOOKS_FIRST_RETRY_SECONDS = 1), not immediate retries.
    first, second, third = (request.at for request in requests)
    assert second - first >= 1
    assert third - second >= 2
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0
