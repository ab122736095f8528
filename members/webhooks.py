"""The webhook events of memberships and what they carry."""

from django.utils.translation import gettext_lazy as _

from alliance.core.api import events
from alliance.core.api.webhooks import emit
from members.models import Membership

MEMBERSHIP_APPROVED = events.declare("membership.approved", _("a membership was approved"))


def membership_payload(membership: Membership) -> dict:
    return {
        "membership": {
            "id": membership.pk,
            "organisation": membership.organisation_id,
            "national_alliance": membership.national_alliance_id,
        }
    }


def emit_membership_approved(membership: Membership, *, when: bool = True) -> list[int]:
    return emit(event=MEMBERSHIP_APPROVED, payload=membership_payload(membership), when=when)
