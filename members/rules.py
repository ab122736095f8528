"""Who may do what to members, their contacts, memberships and national alliances."""

import rules

from alliance.core.permissions import is_convenor, is_coordinator


@rules.predicate
def represents(user, organisation) -> bool:
    """`user` is a contact (member representative) of `organisation`."""
    if organisation is None or not user.is_authenticated:
        return False
    return organisation.contacts.filter(user=user).exists()


@rules.predicate
def coordinates_alliance_of(user, organisation) -> bool:
    """`organisation` belongs to, or applied to, a national alliance `user` coordinates."""
    if organisation is None or not user.is_authenticated:
        return False
    return organisation.memberships.filter(national_alliance__coordinators=user).exists()


@rules.predicate
def coordinates(user, alliance) -> bool:
    if alliance is None or not user.is_authenticated:
        return False
    return alliance.coordinators.filter(pk=user.pk).exists()


@rules.predicate
def coordinates_membership_alliance(user, membership) -> bool:
    if membership is None or membership.national_alliance_id is None:
        return False
    return coordinates(user, membership.national_alliance)


@rules.predicate
def can_see_organisation(user, organisation) -> bool:
    from members.models import Organisation

    if organisation is None:
        return False
    return Organisation.objects.visible_to(user).filter(pk=organisation.pk).exists()


rules.add_perm("members.view_organisation", can_see_organisation)
rules.add_perm("members.change_organisation", is_convenor | represents | coordinates_alliance_of)
rules.add_perm("members.add_organisation", is_convenor)
rules.add_perm("members.delete_organisation", is_convenor)
# Contacts and internal notes: personal data, seen by the organisation itself, the
# coordinators of its alliances and convenors.
rules.add_perm("members.view_contacts", is_convenor | represents | coordinates_alliance_of)
rules.add_perm("members.change_contact", is_convenor | represents | coordinates_alliance_of)
rules.add_perm("members.view_internal_notes", is_convenor | coordinates_alliance_of)
rules.add_perm("members.export_contact", is_convenor)
rules.add_perm("members.erase_contact", is_convenor)
# Applications are decided by the coordinators of the alliance applied to, or a convenor;
# applications to the international alliance by convenors only.
rules.add_perm("members.review_membership", is_convenor | coordinates_membership_alliance)
# The review queue itself: convenors, and coordinators (who see their alliances' only).
rules.add_perm("members.view_applications", is_convenor | is_coordinator)
rules.add_perm("members.add_nationalalliance", is_convenor)
rules.add_perm("members.appoint_coordinators", is_convenor)
rules.add_perm("members.change_nationalalliance", is_convenor | coordinates)
rules.add_perm("members.view_nationalalliance_private", is_convenor | coordinates)
rules.add_perm("members.publish_principles", is_convenor)
rules.add_perm("members.view_dashboard", is_convenor | is_coordinator)
# The directory as CSV: the whole alliance's list, for convenors and coordinators.
rules.add_perm("members.export_directory", is_convenor | is_coordinator)
# The dashboard of one national alliance: its coordinators and convenors (the whole
# alliance's, `view_dashboard`, is for every coordinator).
rules.add_perm("members.view_alliance_dashboard", is_convenor | coordinates)
rules.add_perm("members.set_composition_target", is_convenor)
# Acting on many organisations at once from the directory (members.bulk): each row is
# still checked, a coordinator's action touching only their alliances' organisations.
# The same people as the directory's export, which the directory page relies on.
rules.add_perm("members.act_in_bulk", is_convenor | is_coordinator)
