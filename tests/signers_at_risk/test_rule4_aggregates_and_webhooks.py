"""Rule 4: identifying aggregates stay coarse, and webhooks about a statement go only to
keys that may see it, naming only what the key may read.

(Counts per country or kind on the public page: tests/statements/
test_public_page_signatories.py::test_the_unlisted_are_never_named_nor_counted_in_a_group.)"""

import pytest

from alliance.core.api.models import WebhookDelivery, WebhookSubscription
from alliance.core.api.scopes import Scope
from statements import services
from statements.models import Statement
from tests.factories import (
    OrganisationFactory,
    StatementFactory,
)
from tests.signers_at_risk.channels import (
    READ_UNLISTED,
    signing_key,
)

# --- Rule 4: webhooks go only to keys that may see what they are about ---------------------


@pytest.mark.django_db
def test_signature_webhooks_go_only_to_keys_that_may_see_them(convenor, uganda_member):
    def subscribe(key):
        return WebhookSubscription.objects.create(
            api_key=key,
            target_url="https://partner.example/hook",
            events=["signature.confirmed"],
            secret="whsec_x",
        )

    public = subscribe(signing_key(scopes=[Scope.READ]))
    unlisted = subscribe(signing_key(acting_for=convenor, scopes=[Scope.READ, READ_UNLISTED]))
    own = subscribe(signing_key(organisation=uganda_member, scopes=[Scope.READ]))
    invited_only = StatementFactory(status=Statement.Status.OPEN)
    services.sign(
        statement=invited_only,
        organisation=uganda_member,
        signatory=services.Signatory(name="Sarah", email="sarah@x.test", listed_publicly=False),
    )
    deliveries = {d.subscription_id: d.payload for d in WebhookDelivery.objects.all()}
    assert public.pk not in deliveries  # cannot see an invited-only statement
    assert deliveries[unlisted.pk]["signature"]["organisation"] == uganda_member.pk
    assert deliveries[own.pk]["signature"]["organisation"] == uganda_member.pk
    WebhookDelivery.objects.all().delete()
    open_to_anyone = StatementFactory(
        status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE
    )
    other = OrganisationFactory(name="Counted Only Collective")
    services.sign(
        statement=open_to_anyone,
        organisation=other,
        signatory=services.Signatory(name="Ana", email="ana@x.test", listed_publicly=False),
    )
    payload = WebhookDelivery.objects.get(subscription=public).payload
    assert payload["signature"]["organisation"] is None
    assert payload["signature"]["listed_publicly"] is None
    assert set(payload["signature"]) == {"id", "statement", "organisation", "listed_publicly"}


@pytest.mark.django_db
def test_a_revoked_key_hears_nothing_more(convenor, uganda_member):
    from django.utils import timezone

    key = signing_key(acting_for=convenor, scopes=[Scope.READ, READ_UNLISTED])
    WebhookSubscription.objects.create(
        api_key=key,
        target_url="https://partner.example/hook",
        events=["signature.confirmed"],
        secret="whsec_x",
    )
    key.revoked_at = timezone.now()
    key.save()
    services.sign(
        statement=StatementFactory(status=Statement.Status.OPEN),
        organisation=uganda_member,
        signatory=services.Signatory(name="Sarah", email="sarah@x.test", listed_publicly=False),
    )
    assert not WebhookDelivery.objects.exists()
    assert not key.sees_unlisted
