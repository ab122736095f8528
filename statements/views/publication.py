"""Publication and export: publishing a statement and the list of signatories as CSV."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.core.audit.services import record
from alliance.core.csv_export import csv_response
from statements import services
from statements.models import Signature, Statement
from statements.views._common import check_permission, guarded


@guarded
@require_POST
def publish(request, slug):
    statement = get_object_or_404(Statement, slug=slug)
    check_permission(request, "statements.publish_statement", statement)
    if services.publish(statement=statement, actor=request.user):
        messages.success(request, _("The statement is published in all its languages."))
    else:
        messages.info(request, _("The statement was already published."))
    return redirect(statement)


def _offline_columns(signature) -> list[str]:
    receipt = getattr(signature, "offline_receipt", None)
    if receipt is None:
        return ["", ""]
    return [receipt.channel, receipt.recorded_by.email if receipt.recorded_by else ""]


@guarded
def export(request, slug):
    """Every signature, with its status and whether it is listed: for convenors only."""
    statement = get_object_or_404(Statement, slug=slug)
    check_permission(request, "statements.export_signatories", statement)
    record(actor=request.user, action="statement.signatories_exported", target=statement)
    rows = (
        Signature.objects.filter(statement=statement)
        .select_related("organisation", "version", "offline_receipt__recorded_by")
        .order_by("organisation__country", "organisation__name")
    )
    return csv_response(
        filename=f"{statement.slug}-signatories.csv",
        header=[
            "organisation",
            "country",
            "kind",
            "signatory",
            "title",
            "email",
            "listed_publicly",
            "status",
            "source",
            "version",
            "signed_at",
            # Signatures received offline: how, and who recorded them.
            "received_by",
            "recorded_by",
        ],
        rows=(
            [
                signature.organisation.name,
                signature.organisation.country.code,
                signature.organisation.kind,
                signature.signatory_name,
                signature.signatory_title,
                signature.email,
                "yes" if signature.listed_publicly else "no",
                signature.status,
                signature.source,
                signature.version.number,
                signature.created_at.isoformat(),
                *_offline_columns(signature),
            ]
            for signature in rows.iterator(chunk_size=2000)
        ),
    )
