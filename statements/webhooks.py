"""The webhook events of statements and signatures, and what each partner key may learn
from them: the same as it may read from the API (statements.api.views), never more."""

from django.utils.translation import gettext_lazy as _

from alliance.core.api import events
from alliance.core.api.webhooks import emit
from statements.models import Signature, Statement

STATEMENT_PUBLISHED = events.declare("statement.published", _("a statement was published"))
SIGNATURE_CONFIRMED = events.declare("signature.confirmed", _("a signature was confirmed"))
SIGNATURE_WITHDRAWN = events.declare("signature.withdrawn", _("a signature was withdrawn"))


def statement_payload(statement: Statement) -> dict:
    return {"statement": {"id": statement.pk, "slug": statement.slug}}


def signature_payload_for(signature: Signature, api_key) -> dict | None:
    """What `api_key` may learn of an event about `signature`: nothing if it may not see
    the statement; the organisation only if it may see who signed (listed on a published
    statement, the key's own organisation, or a convenor's key made to read the unlisted):
    the one-row form of SignatureQuerySet.visible_to_key, for an event."""
    statement = signature.statement
    own = (
        api_key.organisation_id is not None and api_key.organisation_id == signature.organisation_id
    )
    if not (api_key.sees_unlisted or own or statement.seen_by_anyone):
        return None
    named = (
        api_key.sees_unlisted
        or own
        or (signature.listed_publicly and statement.status in Statement.PUBLIC_STATUSES)
    )
    return {
        "signature": {
            "id": signature.pk,
            "statement": signature.statement_id,
            "organisation": signature.organisation_id if named else None,
            "listed_publicly": signature.listed_publicly if named else None,
        }
    }


def emit_signature_event(event: str, signature: Signature, *, when: bool = True) -> list[int]:
    return emit(
        event=event,
        when=when,
        payload_for=lambda api_key: signature_payload_for(signature, api_key),
    )


def emit_statement_published(statement: Statement) -> list[int]:
    return emit(event=STATEMENT_PUBLISHED, payload=statement_payload(statement))
