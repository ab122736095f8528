"""Moderation and claims: convenors hold or accept public signatures, representatives
see the signatures waiting for their organisation and confirm a changed text.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.core.permissions import is_convenor, is_coordinator
from statements import services
from statements.models import Signature
from statements.views._common import LoginNeeded, check_permission, current_text_of, guarded


@guarded
@require_POST
def moderate(request, pk):
    """Approve or reject a signature waiting for moderation, from the tracking board (or,
    for a coordinator, a claim from the claims page)."""
    signature = get_object_or_404(
        Signature.objects.select_related("statement", "organisation"), pk=pk
    )
    check_permission(request, "statements.moderate_signature", signature)
    approve = request.POST.get("decision") == "approve"
    try:
        services.moderate(
            signature=signature,
            approve=approve,
            moderator=request.user,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        # The same words whatever became of it: approving a claim for an organisation
        # that signed already must not tell a coordinator that it had.
        messages.success(request, _("Your decision is recorded.") if approve else _("Rejected."))
    if request.user.has_perm("statements.view_tracking", signature.statement):
        return redirect("statements:tracking", slug=signature.statement.slug)
    return redirect("statements:claims")


@guarded
def claims(request):
    """Signatures sent by people not known as one of the organisation's people, whose
    address is confirmed, waiting for a convenor or the organisation's coordinator to
    approve them. Nothing here says whether the organisation has signed otherwise."""
    if not request.user.is_authenticated:
        raise LoginNeeded
    if not (is_convenor(request.user) or is_coordinator(request.user)):
        raise PermissionDenied
    claims = list(
        Signature.objects.claims_decidable_by(request.user)
        .select_related("statement", "organisation")
        .prefetch_related("statement__versions__texts")
        .order_by("created_at")
    )
    language = translation.get_language()
    for claim in claims:
        text = current_text_of(claim.statement, language)
        claim.statement_title = text.title if text else claim.statement.slug
    return render(request, "statements/claims.html", {"claims": claims})


@guarded
@require_POST
def confirm(request, pk):
    """A representative confirms, for their organisation, the changed text."""
    signature = get_object_or_404(Signature.objects.select_related("statement"), pk=pk)
    check_permission(request, "statements.confirm_signature", signature)
    if services.confirm_current_text(signature=signature, actor=request.user):
        messages.success(request, _("Thank you: your signature now carries the new text."))
    return redirect(signature.statement)
