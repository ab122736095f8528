"""Circulation and tracking: sending the statement to member organisations and following
who has answered.
"""

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from members.models import NationalAlliance
from statements import services
from statements.charts import tracking_charts
from statements.forms import CirculationForm
from statements.models import Signature, SignOnRequest, Statement
from statements.views._common import check_permission, guarded, title_in


@guarded
@require_http_methods(["GET", "POST"])
def circulate(request, slug):
    """Choose the organisations to ask, see how many people that writes to, send."""
    statement = get_object_or_404(Statement, slug=slug)
    check_permission(request, "statements.circulate_statement", statement)
    # A coordinator asks their own alliance's organisations only.
    alliances = (
        None
        if request.user.has_perm("statements.view_tracking", statement)
        else NationalAlliance.objects.coordinated_by(request.user)
    )
    form = CirculationForm(
        request.POST if request.method == "POST" else request.GET or None, alliances=alliances
    )
    preview = None
    if form.is_bound and form.is_valid():
        organisations = form.organisations()
        if request.method == "POST":
            try:
                asked = services.circulate(
                    statement=statement, organisations=organisations, sent_by=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s organisation has been asked to sign.",
                        "%(count)s organisations have been asked to sign.",
                        asked,
                    )
                    % {"count": asked},
                )
                if alliances is not None:
                    return redirect("statements:circulate", slug=statement.slug)
                return redirect("statements:tracking", slug=statement.slug)
        preview = services.preview_circulation(statement=statement, organisations=organisations)
    return render(
        request,
        "statements/circulate.html",
        {
            "statement": statement,
            "form": form,
            "preview": preview,
            "query": urlencode(request.GET),
        },
    )


@guarded
def tracking(request, slug):
    """Per organisation: signed, declined or no reply; totals; per national alliance."""
    statement = get_object_or_404(Statement, slug=slug)
    check_permission(request, "statements.view_tracking", statement)
    answer = request.GET.get("answer", "")
    # The columns the rows show: the page reads 200 of each.
    requests = (
        statement.signon_requests.select_related("organisation")
        .only("statement", "answer", "answered_at", "organisation__name", "organisation__country")
        .order_by("organisation__name")
    )
    if answer in SignOnRequest.Answer.values:
        requests = requests.filter(answer=answer)
    page = Paginator(requests, 200).get_page(request.GET.get("page"))
    # Per organisation, its live signature if it has one (read last, so kept), else its
    # latest (one recorded after it had signed is not needed, and must not hide it).
    signatures = {
        signature.organisation_id: signature
        for signature in Signature.objects.filter(
            statement=statement,
            organisation_id__in=[r.organisation_id for r in page],
        )
        .select_related("offline_receipt")
        .order_by(
            Case(
                When(status__in=Signature.LIVE_STATUSES, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            "created_at",
        )
    }
    for signon_request in page:
        signon_request.signature = signatures.get(signon_request.organisation_id)
    board = services.tracking(statement)
    return render(
        request,
        "statements/tracking.html",
        {
            "statement": statement,
            # The title in the reader's language where the statement has it.
            "title": title_in(statement, translation.get_language()),
            "page": page,
            "answer": answer,
            "answers": SignOnRequest.Answer.choices,
            "tracking": board,
            "charts": tracking_charts(statement, answers=board.totals),
            "may_record_offline": request.user.has_perm(
                "statements.record_offline_signatures", statement
            ),
            # "Remind now" and "send again" carry it: a double click sends once.
            "action_token": secrets.token_urlsafe(12),
            "to_moderate": Signature.objects.filter(
                statement=statement,
                status__in=[
                    Signature.Status.PENDING_MODERATION,
                    Signature.Status.PENDING_APPROVAL,
                ],
            )
            .select_related("organisation", "offline_receipt")
            .order_by("created_at"),
            "removed": Signature.objects.filter(
                statement=statement,
                status__in=[Signature.Status.WITHDRAWN, Signature.Status.REJECTED],
            )
            .select_related("organisation")
            .order_by("-updated_at"),
        },
    )
