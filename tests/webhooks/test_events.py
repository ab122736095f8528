"""Each event is emitted by the service that causes it, in its transaction."""

import datetime as dt

import pytest

from alliance.core.api import events, webhooks
from alliance.core.api.models import WebhookDelivery
from alliance.core.audit.services import snapshot
from campaigns import services as convenings
from campaigns.models import Convening
from members import services as members
from members.models import Membership
from statements import services as statements
from statements.models import Signature, Statement
from tests.factories import (
    ConveningFactory,
    MembershipFactory,
    OrganisationFactory,
    SignatureFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(partner_key, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    return webhooks.subscribe(
        api_key=partner_key, target_url="http://127.0.0.1:9/hook", events=events.names()
    )


def emitted():
    return [(d.event, d.payload) for d in WebhookDelivery.objects.order_by("id")]


def test_publishing_a_statement_emits_statement_published(everything, convenor):
    statement = StatementFactory(status=Statement.Status.OPEN)
    statements.publish(statement=statement, actor=convenor)
    statements.publish(statement=statement, actor=convenor)  # the second call changes nothing
    assert emitted() == [
        ("statement.published", {"statement": {"id": statement.pk, "slug": statement.slug}})
    ]


def test_signing_without_moderation_emits_signature_confirmed(everything, uganda_member):
    statement = StatementFactory(moderation=False, audience=Statement.Audience.ANYONE)
    signatory = statements.Signatory(name="Ana", email="ana@member.example")
    signature = statements.sign(
        statement=statement, organisation=uganda_member, signatory=signatory
    )
    # A key acting for nobody sees what the public sees: who signed, once published.
    assert emitted() == [
        (
            "signature.confirmed",
            {
                "signature": {
                    "id": signature.pk,
                    "statement": statement.pk,
                    "organisation": None,
                    "listed_publicly": None,
                }
            },
        )
    ]


def test_signature_waiting_for_moderation_emits_nothing_until_approved(
    everything, uganda_member, convenor
):
    statement = StatementFactory(moderation=True, audience=Statement.Audience.ANYONE)
    signatory = statements.Signatory(name="Ana", email="ana@member.example")
    signature = statements.sign(
        statement=statement, organisation=uganda_member, signatory=signatory
    )
    assert emitted() == []
    statements.moderate(signature=signature, approve=True, moderator=convenor)
    assert [event for event, _ in emitted()] == ["signature.confirmed"]


def test_verifying_a_signature_emits_signature_confirmed(everything):
    signature = SignatureFactory(
        status=Signature.Status.PENDING_VERIFICATION,
        statement__moderation=False,
        statement__audience=Statement.Audience.ANYONE,
    )
    statements.verify_signature(signature=signature)
    assert [event for event, _ in emitted()] == ["signature.confirmed"]


def test_unlisted_signature_does_not_name_the_organisation(everything):
    signature = SignatureFactory(
        status=Signature.Status.PENDING_VERIFICATION,
        statement__moderation=False,
        statement__audience=Statement.Audience.ANYONE,
        listed_publicly=False,
    )
    statements.verify_signature(signature=signature)
    [(_, payload)] = emitted()
    assert payload["signature"]["organisation"] is None


def test_withdrawing_a_signature_emits_signature_withdrawn(everything):
    signature = SignatureFactory(
        status=Signature.Status.CONFIRMED, statement__audience=Statement.Audience.ANYONE
    )
    statements.withdraw(signature=signature, actor_label="the organisation")
    assert [event for event, _ in emitted()] == ["signature.withdrawn"]


def test_approving_a_membership_emits_membership_approved(everything, uganda, uganda_coordinator):
    membership = MembershipFactory(
        national_alliance=uganda,
        organisation=OrganisationFactory(),
        status=Membership.Status.APPLIED,
        joined_at=None,
    )
    members.decide_membership(
        membership=membership, status=Membership.Status.APPROVED, decided_by=uganda_coordinator
    )
    assert emitted() == [
        (
            "membership.approved",
            {
                "membership": {
                    "id": membership.pk,
                    "organisation": membership.organisation_id,
                    "national_alliance": uganda.pk,
                }
            },
        )
    ]


def test_declining_a_membership_emits_nothing(everything, uganda, uganda_coordinator):
    membership = MembershipFactory(national_alliance=uganda, status=Membership.Status.APPLIED)
    members.decide_membership(
        membership=membership,
        status=Membership.Status.DECLINED,
        decided_by=uganda_coordinator,
        reason="Not in Uganda.",
    )
    assert emitted() == []


def test_scheduling_a_convening_emits_convening_scheduled(everything, convenor):
    convening = ConveningFactory(status=Convening.Status.DRAFT)
    convenings.schedule_convening(convening=convening, scheduled_by=convenor)
    assert emitted() == [
        ("convening.scheduled", {"convening": {"id": convening.pk, "status": "scheduled"}})
    ]


def test_moving_a_convening_emits_convening_changed(everything, convenor):
    convening = ConveningFactory(status=Convening.Status.SCHEDULED)
    before = snapshot(convening, [*convenings.MATERIAL_FIELDS, "agenda", "online_link"])
    convening.starts_at += dt.timedelta(days=1)
    convening.ends_at += dt.timedelta(days=1)
    convenings.update_convening(convening=convening, before=before, changed_by=convenor)
    assert emitted() == [
        ("convening.changed", {"convening": {"id": convening.pk, "status": "moved"}})
    ]


def test_editing_only_the_agenda_emits_nothing(everything, convenor):
    convening = ConveningFactory(status=Convening.Status.SCHEDULED)
    before = snapshot(convening, [*convenings.MATERIAL_FIELDS, "agenda", "online_link"])
    convening.agenda = "A new agenda."
    convenings.update_convening(convening=convening, before=before, changed_by=convenor)
    assert emitted() == []


def test_cancelling_a_convening_emits_convening_cancelled(everything, convenor):
    convening = ConveningFactory(status=Convening.Status.SCHEDULED)
    convenings.cancel_convening(convening=convening, cancelled_by=convenor, reason="Floods.")
    assert emitted() == [
        ("convening.cancelled", {"convening": {"id": convening.pk, "status": "cancelled"}})
    ]


def test_a_failing_service_leaves_no_delivery(everything, convenor):
    convening = ConveningFactory(status=Convening.Status.CANCELLED)
    with pytest.raises(Exception):  # noqa: B017 - the service refuses; which error is its own
        convenings.cancel_convening(convening=convening, cancelled_by=convenor)
    assert emitted() == []
