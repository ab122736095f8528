"""Core delivers webhook events by name; each app declares its own (members/webhooks.py,
campaigns/webhooks.py, statements/webhooks.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from alliance.core.api import events, webhooks


def test_every_app_declares_its_events_and_core_delivers_them_all():
    assert events.names() == [
        "membership.approved",
        "convening.scheduled",
        "convening.changed",
        "convening.cancelled",
        "invitation.answered",
        "statement.published",
        "signature.confirmed",
        "signature.withdrawn",
    ]


def test_an_event_declared_twice_with_another_meaning_is_refused():
    with pytest.raises(ImproperlyConfigured):
        events.declare("membership.approved", "something else")


@pytest.mark.django_db
def test_an_undeclared_event_is_neither_emitted_nor_subscribed(partner_key, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    with pytest.raises(ValueError):
        webhooks.emit(event="organisation.renamed", payload={})
    with pytest.raises(ValidationError):
        webhooks.subscribe(
            api_key=partner_key, target_url="http://127.0.0.1:9/hook", events=["nope.never"]
        )
