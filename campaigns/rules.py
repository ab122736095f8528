"""Who may do what to campaigns, convenings and invitations."""

import rules

from alliance.core.permissions import is_convenor, is_coordinator
from members.rules import coordinates, represents


@rules.predicate
def coordinates_convening(user, convening) -> bool:
    if convening is None or convening.national_alliance_id is None:
        return False
    return coordinates(user, convening.national_alliance)


@rules.predicate
def represents_invitee(user, invitation) -> bool:
    return invitation is not None and represents(user, invitation.organisation)


rules.add_perm("campaigns.add_campaign", is_convenor)
rules.add_perm("campaigns.change_campaign", is_convenor)
# A convening for a national alliance (the object) may be organised by its coordinators;
# international ones (no object) by convenors only.
rules.add_perm("campaigns.organise_convening", is_convenor | coordinates)
# May open the "new convening" page at all: a convenor, or the coordinator of some alliance.
rules.add_perm("campaigns.organise_any_convening", is_convenor | is_coordinator)
rules.add_perm("campaigns.change_convening", is_convenor | coordinates_convening)
rules.add_perm("campaigns.view_invitations", is_convenor | coordinates_convening)
rules.add_perm("campaigns.answer_invitation", is_convenor | represents_invitee)
# Inviting: the organiser of the convening; whom they may invite is scoped in
# campaigns.services.invitable_organisations (a coordinator: their alliances' members).
rules.add_perm("campaigns.invite_to_convening", is_convenor | coordinates_convening)
rules.add_perm("campaigns.invite_anyone", is_convenor)
