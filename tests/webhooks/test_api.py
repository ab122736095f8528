"""/api/v1/webhooks/: a key manages only its own subscriptions."""

import pytest
from django.utils import timezone

from alliance.core.api import webhooks
from alliance.core.api.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.partner.example/alliance"


@pytest.fixture
def allow_loopback(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def other_key(make_key):
    return make_key("read", partner_name="Another CRM")


@pytest.fixture
def own_subscription(partner_key, allow_loopback):
    return webhooks.subscribe(
        api_key=partner_key, target_url="http://127.0.0.1:9/hook", events=["statement.published"]
    )


def test_key_subscribes_and_sees_the_secret_once(api, partner_key, allow_loopback):
    response = api(partner_key).post(
        "/api/v1/webhooks/",
        {"target_url": HOOK, "events": ["statement.published", "convening.cancelled"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    subscription = WebhookSubscription.objects.get()
    assert body["secret"] == subscription.secret
    assert body["secret"].startswith("whsec_")
    assert subscription.api_key == partner_key
    assert subscription.events == ["convening.cancelled", "statement.published"]
    shown_again = api(partner_key).get(f"/api/v1/webhooks/{subscription.pk}/").json()
    assert "secret" not in shown_again
    assert shown_again["is_active"] is True


@pytest.mark.parametrize(
    "data, field",
    [
        ({"target_url": "ftp://partner.example/", "events": ["statement.published"]}, "target_url"),
        # An error inside a list is under a dotted path: which event is unknown.
        ({"target_url": HOOK, "events": ["statement.published", "statement.deleted"]}, "events.1"),
        ({"target_url": HOOK, "events": []}, "events"),
    ],
)
def test_invalid_subscription_is_refused_per_field(api, partner_key, data, field):
    response = api(partner_key).post("/api/v1/webhooks/", data, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert not WebhookSubscription.objects.exists()


def test_private_target_is_refused_by_default(api, partner_key, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = api(partner_key).post(
        "/api/v1/webhooks/",
        {"target_url": "http://169.254.169.254/latest", "events": ["statement.published"]},
        format="json",
    )
    assert response.status_code == 400
    assert "target_url" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/webhooks/{id}/"),
        ("delete", "/api/v1/webhooks/{id}/"),
        ("post", "/api/v1/webhooks/{id}/resume/"),
        ("get", "/api/v1/webhooks/{id}/deliveries/"),
    ],
)
@pytest.mark.parametrize("who, status", [("own", None), ("other", 404), ("nobody", 401)])
def test_only_the_owning_key_reaches_a_subscription(
    api, partner_key, other_key, own_subscription, method, path, who, status
):
    key = {"own": partner_key, "other": other_key, "nobody": None}[who]
    response = getattr(api(key), method)(path.format(id=own_subscription.pk))
    if status is None:
        assert response.status_code in (200, 204)
    else:
        assert response.status_code == status
        assert WebhookSubscription.objects.filter(pk=own_subscription.pk).exists()


def test_list_shows_only_the_keys_own_subscriptions(api, other_key, own_subscription):
    assert api(other_key).get("/api/v1/webhooks/").json()["results"] == []


def test_owner_lists_its_subscriptions(api, partner_key, own_subscription):
    results = api(partner_key).get("/api/v1/webhooks/").json()["results"]
    assert [row["id"] for row in results] == [own_subscription.pk]


@pytest.mark.parametrize(
    "persona",
    [
        "convenor",
        "superuser_convenor",
        "uganda_coordinator",
        "brazil_coordinator",
        "representative",
        "outsider",
    ],
)
def test_signed_in_people_have_no_subscriptions_and_cannot_subscribe(
    request, client_for, own_subscription, persona
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/api/v1/webhooks/").json()["results"] == []
    assert client.get(f"/api/v1/webhooks/{own_subscription.pk}/").status_code == 404
    response = client.post(
        "/api/v1/webhooks/",
        {"target_url": HOOK, "events": ["statement.published"]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "api_key_required"


def test_anonymous_visitor_is_asked_for_a_key(client):
    response = client.get("/api/v1/webhooks/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_key_without_read_scope_is_refused(api, make_key):
    key = make_key("write:signatures")
    response = api(key).get("/api/v1/webhooks/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_unsubscribing_deletes_the_subscription(api, partner_key, own_subscription):
    response = api(partner_key).delete(f"/api/v1/webhooks/{own_subscription.pk}/")
    assert response.status_code == 204
    assert not WebhookSubscription.objects.exists()


def test_resume_reactivates_a_paused_subscription(api, partner_key, own_subscription):
    WebhookSubscription.objects.filter(pk=own_subscription.pk).update(
        is_active=False, paused_at=timezone.now(), consecutive_failures=20
    )
    response = api(partner_key).post(f"/api/v1/webhooks/{own_subscription.pk}/resume/")
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    assert response.json()["consecutive_failures"] == 0


def test_delivery_log_shows_status_code_and_attempts(api, partner_key, own_subscription):
    [delivery_id] = webhooks.emit(event="statement.published", payload={"statement": {"id": 1}})
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        attempts=3, last_response_code=503, next_attempt_at=timezone.now()
    )
    [row] = (
        api(partner_key)
        .get(f"/api/v1/webhooks/{own_subscription.pk}/deliveries/")
        .json()["results"]
    )
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert row["id"] == str(delivery.idempotency_id)
    assert row["event"] == "statement.published"
    assert row["status"] == "pending"
    assert row["attempts"] == 3
    assert row["last_response_code"] == 503
    assert row["payload"] == {"statement": {"id": 1}}


@pytest.mark.parametrize("url", ["/api/v1/webhooks/", "/api/v1/webhooks/{id}/deliveries/"])
def test_list_queries_do_not_grow_with_the_page_size(
    api, partner_key, own_subscription, django_assert_max_num_queries, url
):
    for number in range(5):
        webhooks.subscribe(
            api_key=partner_key, target_url=f"{HOOK}/{number}", events=["statement.published"]
        )
        webhooks.emit(event="statement.published", payload={"n": number})
    url = url.format(id=own_subscription.pk)
    client = api(partner_key)
    client.get(url)  # last_used_at written once, outside the count
    with django_assert_max_num_queries(4) as small:
        assert len(client.get(url + "?page_size=1").json()["results"]) == 1
    with django_assert_max_num_queries(4) as large:
        assert len(client.get(url + "?page_size=100").json()["results"]) > 1
    assert len(large.captured_queries) == len(small.captured_queries)


def test_webhooks_are_in_the_schema(api, partner_key):
    document = api(partner_key).get("/api/v1/schema/?format=json").json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/webhooks/"])
    assert {"get", "delete"} <= set(paths["/api/v1/webhooks/{id}/"])
    assert "post" in paths["/api/v1/webhooks/{id}/resume/"]
    assert "get" in paths["/api/v1/webhooks/{id}/deliveries/"]
    created = paths["/api/v1/webhooks/"]["post"]["responses"]["201"]
    reference = created["content"]["application/json"]["schema"]["$ref"]
    component = document["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    assert "secret" in component["properties"]
