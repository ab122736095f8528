"""What a partner's key may learn of an answer to an invitation (webhook event
`invitation.answered`)."""

from campaigns.models import Invitation


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
