"""Who may do what to statements and signatures."""

import rules

from alliance.core.permissions import add_own_word_perm, is_convenor, is_coordinator
from members.rules import coordinates_alliance_of, represents


@rules.predicate
def may_sign_for_an_organisation(user, statement) -> bool:
    """A member representative authorised to sign, on a statement open for sign-on whose
    audience includes their organisation."""
    from statements.models import Statement

    if statement is None or not user.is_authenticated or statement.status != Statement.Status.OPEN:
        return False
    contact = getattr(user, "contact", None)
    if contact is None or not contact.authorised_to_sign:
        return False
    return statement.audience_includes(contact.organisation_id)


@rules.predicate
def may_circulate_to_own_alliance(user, statement) -> bool:
    """A national coordinator, when the convenor allowed it on an open statement (to
    their own alliance's organisations only: the circulation form sees to that)."""
    from statements.models import Statement

    return (
        statement is not None
        and user.is_authenticated
        and statement.coordinators_may_circulate
        and statement.status == Statement.Status.OPEN
        and user.coordinated_alliances.exists()
    )


@rules.predicate
def represents_signatory(user, signature) -> bool:
    return signature is not None and represents(user, signature.organisation)


rules.add_perm("statements.add_statement", is_convenor)
rules.add_perm("statements.change_statement", is_convenor)
rules.add_perm("statements.publish_statement", is_convenor)
rules.add_perm("statements.circulate_statement", is_convenor | may_circulate_to_own_alliance)
rules.add_perm("statements.view_tracking", is_convenor)


@rules.predicate
def may_decide_claim(user, signature) -> bool:
    """A claim on an organisation of an alliance `user` coordinates."""
    from statements.models import Signature

    return (
        signature is not None
        and signature.status == Signature.Status.PENDING_APPROVAL
        and coordinates_alliance_of(user, signature.organisation)
    )


rules.add_perm("statements.moderate_signature", is_convenor | may_decide_claim)
rules.add_perm("statements.export_signatories", is_convenor)


@rules.predicate
def is_public_statement(user, statement) -> bool:
    from statements.models import Statement

    return statement is not None and statement.status in Statement.PUBLIC_STATUSES


# The hand-over document: everyone's once the statement is published; before, whoever
# sees the tracking page.
rules.add_perm("statements.view_handover", is_public_statement | is_convenor)
add_own_word_perm("statements.sign_statement", may_sign_for_an_organisation)
rules.add_perm("statements.withdraw_signature", is_convenor | represents_signatory)
# Confirming a changed text is the organisation's own word; a convenor cannot give it.
add_own_word_perm("statements.confirm_signature", represents_signatory)


@rules.predicate
def may_read_scan_as_coordinator(user, receipt) -> bool:
    """A coordinator of the organisation's alliance, of a listed signature or one they
    recorded: a scan of a signature counted without the name, recorded by someone else,
    would tell them the organisation signed."""
    if receipt is None or not coordinates_alliance_of(user, receipt.signature.organisation):
        return False
    return receipt.signature.listed_publicly or receipt.recorded_by_id == user.pk


# Signatures received offline (statements.offline): the pages, for those who may record
# some; one organisation's, for a convenor or the coordinators of its alliances; the scan
# of a signed page, for the same people.
rules.add_perm("statements.record_offline_signatures", is_convenor | is_coordinator)
rules.add_perm("statements.record_offline_signature", is_convenor | coordinates_alliance_of)
rules.add_perm("statements.view_offline_scan", is_convenor | may_read_scan_as_coordinator)
