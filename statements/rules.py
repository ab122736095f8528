"""Who may do what to statements and signatures."""

import rules

from alliance.core.permissions import add_own_word_perm, is_convenor
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
add_own_word_perm("statements.sign_statement", may_sign_for_an_organisation)
rules.add_perm("statements.withdraw_signature", is_convenor | represents_signatory)
# Confirming a changed text is the organisation's own word; a convenor cannot give it.
add_own_word_perm("statements.confirm_signature", represents_signatory)
