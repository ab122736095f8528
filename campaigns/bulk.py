"""The directory's bulk action "invite to a convening" (members.bulk), through the
invitation service: the organisations already invited are left as they are."""

from django.utils.translation import gettext_lazy as _

from campaigns import services
from campaigns.models import Convening
from members import bulk


def invitable_convenings(user):
    """The scheduled (or moved) convenings `user` may invite organisations to."""
    convenings = Convening.objects.filter(status__in=services.OPEN_STATUSES).order_by("starts_at")
    return convenings.filter(
        pk__in=[
            convening.pk
            for convening in convenings.select_related("national_alliance")
            if user.has_perm("campaigns.invite_to_convening", convening)
        ]
    )


def _invite(actor, convening, organisations) -> int:
    return len(
        services.invite_organisations(
            convening=convening, organisations=organisations, invited_by=actor
        )
    )


def register() -> None:
    bulk.register(
        bulk.Action(
            name="convening_invite",
            label=_("Invite to a convening"),
            targets=invitable_convenings,
            target_label=_("Convening"),
            apply=_invite,
        )
    )
