"""The webhook events of convenings and invitations, and what a partner's key may learn
of each."""

from django.utils.translation import gettext_lazy as _

from alliance.core.api import events
from alliance.core.api.webhooks import emit
from campaigns.models import Convening, Invitation

CONVENING_SCHEDULED = events.declare("convening.scheduled", _("a convening was scheduled"))
CONVENING_CHANGED = events.declare("convening.changed", _("a convening was moved or edited"))
CONVENING_CANCELLED = events.declare("convening.cancelled", _("a convening was cancelled"))
INVITATION_ANSWERED = events.declare(
    "invitation.answered", _("an invitation to a convening was answered")
)


def convening_payload(convening: Convening) -> dict:
    return {"convening": {"id": convening.pk, "status": convening.status}}


def emit_convening_event(event: str, convening: Convening, *, when: bool = True) -> list[int]:
    return emit(event=event, payload=convening_payload(convening), when=when)


def invitation_payload_for(invitation: Invitation, api_key) -> dict | None:
    """The answer, to the key of the invited organisation itself and to keys acting for
    someone who may see the invitation on the pages (a convenor, the convening's
    coordinators, the organisation's people); nothing to anyone else."""
    own = (
        api_key.organisation_id is not None
        and api_key.organisation_id == invitation.organisation_id
    )
    seen = own or (
        api_key.acting_for is not None
        and Invitation.objects.visible_to(api_key.acting_for).filter(pk=invitation.pk).exists()
    )
    if not seen:
        return None
    return {
        "invitation": {
            "id": invitation.pk,
            "convening": invitation.convening_id,
            "organisation": invitation.organisation_id,
            "answer": invitation.answer,
        }
    }
