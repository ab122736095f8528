"""The webhook pages of the convenors' admin: subscriptions (pause, resume) and the
read-only delivery log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.core.api import webhooks
from alliance.core.api.models import WebhookDelivery, WebhookSubscription
from alliance.core.audit.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = reverse("admin:api_webhooksubscription_changelist")
DELIVERIES = reverse("admin:api_webhookdelivery_changelist")


@pytest.fixture
def secretariat(db):
    return UserFactory(
        email="secretariat@alliance.test", is_convenor=True, is_staff=True, is_superuser=True
    )


@pytest.fixture
def admin_client(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.fixture
def failing_subscription(subscribe):
    subscription = subscribe("statement.published", "convening.cancelled")
    [delivery_id] = webhooks.emit(event="statement.published", payload={"statement": {"id": 1}})
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        attempts=3,
        last_response_code=503,
        last_attempt_at=timezone.now(),
        next_attempt_at=timezone.now() + webhooks.backoff(3),
    )
    WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=3)
    return subscription


def run_action(client, action: str, subscription):
    return client.post(
        SUBSCRIPTIONS,
        {"action": action, "_selected_action": [subscription.pk]},
        follow=True,
    )


def test_subscription_list_shows_partner_url_events_status_failures_and_last_delivery(
    admin_client, failing_subscription
):
    response = admin_client.get(SUBSCRIPTIONS)
    assert response.status_code == 200
    [row] = response.context["cl"].result_list
    assert row == failing_subscription
    assert row.last_delivery_at is not None
    html = response.content.decode()
    assert "Campaign site" in html
    assert failing_subscription.target_url in html
    assert "convening.cancelled, statement.published" in html
    assert 'class="field-consecutive_failures">3<' in html


@pytest.mark.parametrize("query", [{"is_active__exact": "0"}, {"is_active__exact": "1"}])
def test_subscriptions_filter_by_status(admin_client, failing_subscription, query):
    webhooks.pause(subscription=failing_subscription)
    shown = list(admin_client.get(SUBSCRIPTIONS, query).context["cl"].result_list)
    assert shown == ([failing_subscription] if query["is_active__exact"] == "0" else [])


def test_convenor_pauses_and_resumes_a_subscription(
    admin_client, secretariat, failing_subscription, receiver, django_capture_on_commit_callbacks
):
    run_action(admin_client, "pause", failing_subscription)
    failing_subscription.refresh_from_db()
    assert failing_subscription.is_active is False
    assert failing_subscription.paused_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        run_action(admin_client, "resume", failing_subscription)
    failing_subscription.refresh_from_db()
    assert failing_subscription.is_active is True
    assert failing_subscription.consecutive_failures == 0
    # The delivery that waited for its retry is sent at once.
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED
    actions = AuditEntry.objects.filter(actor=secretariat).values_list("action", flat=True)
    assert sorted(actions) == ["webhook.paused", "webhook.resumed"]


def test_subscriptions_cannot_be_added_or_edited_in_the_admin(admin_client, failing_subscription):
    assert admin_client.get(reverse("admin:api_webhooksubscription_add")).status_code == 403
    page = reverse("admin:api_webhooksubscription_change", args=[failing_subscription.pk])
    response = admin_client.post(page, {"target_url": "https://elsewhere.example/"})
    assert response.status_code == 403
    failing_subscription.refresh_from_db()
    assert failing_subscription.target_url != "https://elsewhere.example/"


def test_delivery_log_shows_event_status_code_attempts_and_next_attempt(
    admin_client, failing_subscription
):
    response = admin_client.get(DELIVERIES, {"status__exact": "pending"})
    assert response.status_code == 200
    [row] = response.context["cl"].result_list
    assert (row.event, row.status, row.last_response_code, row.attempts) == (
        "statement.published",
        "pending",
        503,
        3,
    )
    html = response.content.decode()
    for column in ["event", "status", "last_response_code", "attempts", "next_attempt_at"]:
        assert f"column-{column}" in html
    assert (
        list(admin_client.get(DELIVERIES, {"status__exact": "delivered"}).context["cl"].result_list)
        == []
    )


def test_delivery_log_is_read_only(admin_client, failing_subscription):
    delivery = WebhookDelivery.objects.get()
    assert admin_client.get(reverse("admin:api_webhookdelivery_add")).status_code == 403
    change = reverse("admin:api_webhookdelivery_change", args=[delivery.pk])
    assert admin_client.post(change, {"status": "delivered"}).status_code == 403
    delete = reverse("admin:api_webhookdelivery_delete", args=[delivery.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PENDING


# Not "page": that is Playwright's fixture.
@pytest.mark.parametrize("admin_page", [SUBSCRIPTIONS, DELIVERIES])
@pytest.mark.parametrize("persona", ["convenor", "uganda_coordinator", "representative"])
def test_people_who_are_not_staff_are_refused(request, client_for, admin_page, persona):
    response = client_for(request.getfixturevalue(persona)).get(admin_page)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_webhook_permissions_is_refused(client, failing_subscription):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(SUBSCRIPTIONS).status_code == 403
    assert client.get(DELIVERIES).status_code == 403


@pytest.mark.parametrize("admin_page", [SUBSCRIPTIONS, DELIVERIES])
def test_list_queries_do_not_grow_with_rows(admin_client, make_key, admin_page):
    def add_partner(number):
        key = make_key("read", partner_name=f"Partner {number}")
        webhooks.subscribe(
            api_key=key,
            target_url=f"https://hooks{number}.example/",
            events=["statement.published"],
        )
        webhooks.emit(event="statement.published", payload={"n": number})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(admin_page).status_code == 200
        return len(captured)

    add_partner(0)
    few = queries()
    for number in range(1, 6):
        add_partner(number)
    assert queries() == few
