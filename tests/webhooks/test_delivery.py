import datetime as dt
import hashlib
import hmac

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance.core.api import webhooks
from alliance.core.api.models import WebhookDelivery, WebhookSubscription
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render

pytestmark = pytest.mark.django_db

PAYLOAD = {"statement": {"id": 7, "slug": "tax-justice"}}


def emit_committed(django_capture_on_commit_callbacks, event="statement.published"):
    with django_capture_on_commit_callbacks(execute=True):
        return webhooks.emit(event=event, payload=PAYLOAD)


def test_delivery_is_signed_with_the_subscription_secret(
    subscribe, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe("statement.published")
    [delivery_id] = emit_committed(django_capture_on_commit_callbacks)

    [request] = receiver.received
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    timestamp = request.headers["X-Alliance-Timestamp"]
    expected = hmac.new(
        subscription.secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert request.headers["X-Alliance-Signature"] == f"sha256={expected}"
    assert request.headers["X-Alliance-Event"] == "statement.published"
    assert request.headers["X-Alliance-Delivery"] == str(delivery.idempotency_id)
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    assert request.json["data"] == PAYLOAD
    assert request.json["id"] == str(delivery.idempotency_id)
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.last_response_code == 200
    assert delivery.attempts == 1


def test_signature_does_not_verify_with_another_secret(
    subscribe, receiver, django_capture_on_commit_callbacks
):
    subscribe("statement.published")
    emit_committed(django_capture_on_commit_callbacks)
    [request] = receiver.received
    timestamp = request.headers["X-Alliance-Timestamp"]
    forged = webhooks.signature_header("whsec_wrong", int(timestamp), request.body)
    assert request.headers["X-Alliance-Signature"] != forged


def test_receiver_failing_twice_gets_the_delivery_on_the_third_attempt(
    subscribe, receiver, django_capture_on_commit_callbacks
):
    subscribe("statement.published")
    receiver.script = [500, 503]
    [delivery_id] = emit_committed(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_response_code == 500
    first_retry = delivery.next_attempt_at
    assert first_retry - delivery.last_attempt_at == dt.timedelta(seconds=30)

    # Not due yet: the task claims nothing.
    assert webhooks.deliver(delivery_id) is False
    assert len(receiver.received) == 1

    assert webhooks.deliver(delivery_id, now=first_retry) is False
    delivery.refresh_from_db()
    assert delivery.last_response_code == 503
    assert delivery.next_attempt_at - first_retry == dt.timedelta(minutes=1)

    assert webhooks.deliver(delivery_id, now=delivery.next_attempt_at) is True
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 3
    assert delivery.last_response_code == 200
    ids = {request.headers["X-Alliance-Delivery"] for request in receiver.received}
    assert ids == {str(delivery.idempotency_id)}, "every retry is the same delivery"
    assert WebhookSubscription.objects.get().consecutive_failures == 0


def test_hanging_receiver_times_out_and_is_retried(
    subscribe, receiver, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.5)
    subscribe("statement.published")
    receiver.script = ["hang"]
    started = timezone.now()
    [delivery_id] = emit_committed(django_capture_on_commit_callbacks)
    assert timezone.now() - started < dt.timedelta(seconds=receiver.hang_seconds)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "timed out" in delivery.last_error
    assert delivery.last_response_code is None

    assert webhooks.deliver(delivery_id, now=delivery.next_attempt_at) is True
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 2


def test_back_off_doubles_up_to_six_hours_and_retries_for_more_than_a_day():
    delays = [webhooks.backoff(attempt) for attempt in range(1, webhooks.MAX_ATTEMPTS)]
    assert delays[:3] == [
        dt.timedelta(seconds=30),
        dt.timedelta(minutes=1),
        dt.timedelta(2 / 24 / 60),
    ]
    assert max(delays) == dt.timedelta(hours=6)
    assert sum(delays, dt.timedelta()) > dt.timedelta(days=1)


def test_delivery_fails_for_good_after_the_last_attempt(
    subscribe, receiver, django_capture_on_commit_callbacks
):
    subscribe("statement.published")
    receiver.script = [500] * webhooks.MAX_ATTEMPTS
    [delivery_id] = emit_committed(django_capture_on_commit_callbacks)
    for _ in range(webhooks.MAX_ATTEMPTS - 1):
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        webhooks.deliver(delivery_id, now=delivery.next_attempt_at)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == webhooks.MAX_ATTEMPTS
    assert delivery.next_attempt_at is None
    assert len(receiver.received) == webhooks.MAX_ATTEMPTS


def test_repeated_failures_pause_the_subscription_and_email_the_partner(
    subscribe, receiver, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(webhooks, "PAUSE_AFTER_FAILURES", 3)
    subscription = subscribe("statement.published", contact_email="alerts@partner.example")
    receiver.script = [500] * 3
    for _ in range(3):
        emit_committed(django_capture_on_commit_callbacks)

    subscription.refresh_from_db()
    assert subscription.is_active is False
    assert subscription.paused_at is not None
    [message] = OutgoingMessage.objects.filter(template="webhook_paused")
    assert message.to_email == "alerts@partner.example"
    email = render(message)
    assert receiver.url in email.subject
    assert f"/api/v1/webhooks/{subscription.pk}/resume/" in email.body

    # Paused: new events are not even written for it, and its pending ones wait.
    assert webhooks.emit(event="statement.published", payload=PAYLOAD) == []
    pending = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
    assert pending.count() == 3
    assert webhooks.deliver(pending[0].pk, now=timezone.now() + dt.timedelta(days=1)) is False

    # Resumed: the waiting deliveries go out.
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.resume(subscription=subscription)
    assert WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).count() == 3
    subscription.refresh_from_db()
    assert subscription.is_active is True
    assert subscription.consecutive_failures == 0


def test_paused_subscription_without_contact_email_tells_the_organisations_contacts(
    make_key, receiver, django_capture_on_commit_callbacks, monkeypatch, uganda_member
):
    from tests.factories import ContactFactory

    monkeypatch.setattr(webhooks, "PAUSE_AFTER_FAILURES", 1)
    ContactFactory(organisation=uganda_member, email="director@member.example", language="fr")
    ContactFactory(organisation=uganda_member, authorised_to_sign=False, email="x@m.example")
    key = make_key("read", organisation=uganda_member)
    webhooks.subscribe(api_key=key, target_url=receiver.url, events=["statement.published"])
    receiver.script = [500]
    emit_committed(django_capture_on_commit_callbacks)
    recipients = set(
        OutgoingMessage.objects.filter(template="webhook_paused").values_list(
            "to_email", "language"
        )
    )
    assert ("director@member.example", "fr") in recipients
    assert "x@m.example" not in {email for email, _ in recipients}


def test_event_in_a_rolled_back_transaction_delivers_nothing(
    subscribe, receiver, django_capture_on_commit_callbacks
):
    subscribe("statement.published")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                webhooks.emit(event="statement.published", payload=PAYLOAD)
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert WebhookDelivery.objects.count() == 0
    assert receiver.received == []


def test_only_subscriptions_to_the_event_get_a_delivery(
    subscribe, receiver, django_capture_on_commit_callbacks
):
    published = subscribe("statement.published")
    subscribe("convening.cancelled")
    emit_committed(django_capture_on_commit_callbacks)
    assert list(WebhookDelivery.objects.values_list("subscription", flat=True)) == [published.pk]
    assert len(receiver.received) == 1


def test_sweeper_sends_due_retries_and_deliveries_the_broker_lost(
    subscribe, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe("statement.published")
    past = timezone.now() - dt.timedelta(minutes=1)
    lost = webhooks.emit(event="statement.published", payload=PAYLOAD)  # never committed
    WebhookDelivery.objects.filter(pk__in=lost).update(queued_at=None)
    stale_claim = WebhookDelivery.objects.create(
        subscription=subscription,
        event="statement.published",
        payload=PAYLOAD,
        idempotency_id="00000000-0000-4000-8000-000000000001",
        status=WebhookDelivery.Status.DELIVERING,
        claimed_at=past - webhooks.STALE_CLAIM,
        next_attempt_at=past,
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = webhooks.sweep()
    assert result == {"reclaimed": 1, "requeued": 2}
    assert len(receiver.received) == 2
    stale_claim.refresh_from_db()
    assert stale_claim.status == WebhookDelivery.Status.DELIVERED

    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.sweep() == {"reclaimed": 0, "requeued": 0}


def test_delivering_twice_posts_once(subscribe, receiver):
    subscribe("statement.published")
    [delivery_id] = webhooks.emit(event="statement.published", payload=PAYLOAD)
    assert webhooks.deliver(delivery_id) is True
    assert webhooks.deliver(delivery_id) is False
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    "url", ["ftp://partner.example/hook", "file:///etc/passwd", "javascript:alert(1)", "/hook"]
)
def test_target_url_must_be_http_or_https(url, partner_key, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    with pytest.raises(ValidationError):
        webhooks.subscribe(api_key=partner_key, target_url=url, events=["statement.published"])


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/", "http://10.1.2.3/", "http://169.254.169.254/", "http://[::1]/"],
)
def test_private_targets_are_refused_unless_the_setting_allows_them(url, partner_key, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(ValidationError):
        webhooks.subscribe(api_key=partner_key, target_url=url, events=["statement.published"])
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    webhooks.subscribe(api_key=partner_key, target_url=url, events=["statement.published"])


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (cloud metadata)
        "64:ff9b:1::a00:1",  # local-use NAT64: the operator's own network
        "64:ff9b:1::808:808",
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::127.0.0.1",  # IPv4-compatible (deprecated)
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    ],
)
def test_ipv6_forms_of_private_addresses_are_refused(address, partner_key, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(ValidationError) as refused:
        webhooks.subscribe(
            api_key=partner_key,
            target_url=f"http://[{address}]/hook",
            events=["statement.published"],
        )
    assert refused.value.code == "private"
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
        "64:ff9b::5db8:d70e",  # NAT64 of 93.184.215.14
        "2002:5db8:d70e::1",  # 6to4 of 93.184.215.14
    ],
)
def test_public_addresses_and_their_ipv6_forms_are_accepted(address, partner_key, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    host = f"[{address}]" if ":" in address else address
    webhooks.subscribe(
        api_key=partner_key, target_url=f"http://{host}/hook", events=["statement.published"]
    )
    assert WebhookSubscription.objects.count() == 1


def test_private_target_is_refused_again_at_send_time(
    subscribe, receiver, settings, django_capture_on_commit_callbacks
):
    subscribe("statement.published")
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    [delivery_id] = emit_committed(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert receiver.received == []
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "private" in delivery.last_error


def test_back_off_doubles_from_the_first_retry_setting(settings):
    assert [webhooks.backoff(n) for n in (1, 2, 3)] == [
        dt.timedelta(seconds=30),
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=2),
    ]
    assert webhooks.backoff(40) == dt.timedelta(hours=6)
    settings.WEBHOOKS_FIRST_RETRY_SECONDS = 1
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3)] == [1, 2, 4]
