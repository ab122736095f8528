"""Recording a signature a partner collected: the one way for every partner contract
(/api/v1/ and /osdi/v1/) from a parsed request to the signing services, so that both
apply the same audience, window, one-per-organisation rule, moderation and audit."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError

from alliance.core.api.exceptions import ApiError
from alliance.core.api.scopes import acting_user
from alliance.core.permissions import is_convenor
from members.models import Organisation
from members.rules import represents
from statements import services
from statements.models import Signature, Statement


@dataclass(frozen=True)
class Recorded:
    signature: Signature
    status_code: int  # 201 signed at once, 202 waiting for its signer's address


def signable_statement(pk: int) -> Statement:
    """A partner may record signatures for any statement past its draft, also one
    circulated only to invited organisations (which a key cannot list)."""
    return get_object_or_404(Statement.objects.exclude(status=Statement.Status.DRAFT), pk=pk)


def partner_organisation(request, organisation_id: int) -> Organisation:
    """An organisation the requester may name when signing: one it may see, or the
    key's own."""
    visible = Organisation.objects.visible_to(request.user)
    own = Q(pk=request.auth.organisation_id) if request.auth else Q(pk=None)
    organisation = Organisation.objects.filter(
        Q(pk__in=visible.values("pk")) | own, pk=organisation_id
    ).first()
    if organisation is None:
        raise ValidationError({"organisation": [_("No such organisation.")]})
    return organisation


def speaks_for(request, organisation: Organisation) -> bool:
    """Whether the key signs as the organisation itself: a key of the organisation's
    own, or one acting for a convenor or for one of its representatives. Anyone else
    is not known as one of its people (a coordinator may not learn who signed)."""
    acting = acting_user(request)
    return (
        request.auth.organisation_id == organisation.pk
        or is_convenor(acting)
        or represents(acting, organisation)
    )


def record_partner_signature(
    *,
    request,
    statement: Statement,
    organisation: Organisation,
    signatory: services.Signatory,
    language: str | None,
) -> Recorded:
    """Sign for `organisation`, or claim its place until the signatory confirms their
    address. Raises ApiError for a refusal, and services.AlreadySigned (only to a key
    that speaks for the organisation: each contract answers it its own way)."""
    if not statement.audience_includes(organisation.pk):
        raise ApiError(403, "not_in_audience", _("This organisation may not sign this statement."))
    try:
        if not speaks_for(request, organisation):
            # Whether the organisation signed is not this key's to learn: the answer is
            # the same either way, and the signature waits for its signer's address.
            signature = services.claim_signature(
                statement=statement,
                organisation=organisation,
                signatory=signatory,
                source=Signature.Source.PARTNER,
                language=language or statement.original_language,
            )
            return Recorded(signature, status.HTTP_202_ACCEPTED)
        signature = services.sign(
            statement=statement,
            organisation=organisation,
            signatory=signatory,
            source=Signature.Source.PARTNER,
        )
    except DjangoValidationError as refusal:
        raise ApiError(409, "statement_not_open", " ".join(refusal.messages)) from None
    return Recorded(signature, status.HTTP_201_CREATED)
