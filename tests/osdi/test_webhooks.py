"""Webhook subscriptions may choose the OSDI payload format: signature and attendance
events posted as arrays of OSDI resources, as Action Network posts them."""

import json

import pytest

from alliance.core.api.models import WebhookDelivery, WebhookSubscription
from alliance.core.api.webhooks import body_of
from campaigns.services import answer_invitation
from statements import services
from statements.models import Statement
from tests.factories import StatementFactory

pytestmark = pytest.mark.django_db


def test_subscription_chooses_the_osdi_format(osdi_keys, api_client_bearer, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    made = api_client_bearer(osdi_keys["convenor"]).post(
        "/api/v1/webhooks/",
        {
            "target_url": "https://partner.example/osdi",
            "events": ["signature.confirmed", "invitation.answered"],
            "payload_format": "osdi",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["payload_format"] == "osdi"
    bad = api_client_bearer(osdi_keys["convenor"]).post(
        "/api/v1/webhooks/",
        {
            "target_url": "https://p.example/x",
            "events": ["signature.confirmed"],
            "payload_format": "xml",
        },
        format="json",
    )
    assert bad.status_code == 400


def test_signature_and_attendance_events_in_osdi_shape(osdi_world, osdi_keys, settings):
    settings.SITE_URL = "https://hub.example"
    subscription = WebhookSubscription.objects.create(
        api_key=osdi_keys["convenor"],
        target_url="https://partner.example/osdi",
        events=["signature.confirmed", "invitation.answered"],
        secret="whsec_x",
        payload_format="osdi",
    )
    classic = WebhookSubscription.objects.create(
        api_key=osdi_keys["convenor"],
        target_url="https://partner.example/classic",
        events=["signature.confirmed"],
        secret="whsec_y",
    )
    statement = StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)
    signature = services.sign(
        statement=statement,
        organisation=osdi_world["member"],
        signatory=services.Signatory(name="Sarah", email="rep@kapchorwa.test"),
    )
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    body = json.loads(body_of(delivery))
    assert body == [
        {
            "osdi:signature": {
                "identifiers": [f"alliance_hub:{signature.pk}"],
                "alliance_hub:event": "signature.confirmed",
                "alliance_hub:organisation": f"alliance_hub:{osdi_world['member'].pk}",
                "alliance_hub:listed_publicly": True,
                "_links": {
                    "self": {
                        "href": f"https://hub.example/osdi/v1/petitions/{statement.pk}"
                        f"/signatures/{signature.pk}"
                    },
                    "osdi:petition": {
                        "href": f"https://hub.example/osdi/v1/petitions/{statement.pk}"
                    },
                },
            }
        }
    ]
    # The API's own envelope is unchanged for the others.
    assert json.loads(body_of(WebhookDelivery.objects.get(subscription=classic)))["event"] == (
        "signature.confirmed"
    )
    answer_invitation(invitation=osdi_world["invitation"], answer="yes", delegates=["Sarah"])
    attendance = WebhookDelivery.objects.get(subscription=subscription, event="invitation.answered")
    resource = json.loads(body_of(attendance))[0]["osdi:attendance"]
    assert resource["status"] == "accepted"
    assert resource["_links"]["osdi:event"]["href"] == (
        f"https://hub.example/osdi/v1/events/{osdi_world['convening'].pk}"
    )


def test_invitation_answers_reach_only_keys_that_may_see_the_invitation(osdi_world, osdi_keys):
    for name in ("convenor", "coordinator", "public"):
        WebhookSubscription.objects.create(
            api_key=osdi_keys[name],
            target_url=f"https://partner.example/{name}",
            events=["invitation.answered"],
            secret="whsec_x",
        )
    answer_invitation(invitation=osdi_world["invitation"], answer="no", delegates=[])
    heard = sorted(
        d.subscription.target_url.rsplit("/", 1)[-1]
        for d in WebhookDelivery.objects.select_related("subscription")
    )
    assert heard == ["convenor", "coordinator"]
