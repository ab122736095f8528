"""Circulation and tracking: sending the statement to member organisations and following
who has answered.
"""

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from members.models import NationalAlliance
from statements import services, tracking_board
from statements.forms import CirculationForm
from statements.models import SignOnRequest, Statement
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
    """Per organisation: signed, declined or no reply; totals; per national alliance.

    A fixed number of queries whatever the number of answers and signatures; what the
    board shows is kept under the statement's tracking version, read with the statement
    (statements.tracking_board)."""
    statement = get_object_or_404(tracking_board.with_version(Statement.objects), slug=slug)
    check_permission(request, "statements.view_tracking", statement)
    answer = request.GET.get("answer", "")
    board = tracking_board.board(statement, answer=answer, number=request.GET.get("page"))
    return render(
        request,
        "statements/tracking.html",
        {
            "statement": statement,
            # The title in the reader's language where the statement has it.
            "title": title_in(statement, translation.get_language()),
            "page": board.page,
            "rows": board.rows,
            "answer": answer,
            "answers": SignOnRequest.Answer.choices,
            "totals": board.totals,
            "by_alliance": board.by_alliance,
            "charts": board.charts,
            "may_record_offline": request.user.has_perm(
                "statements.record_offline_signatures", statement
            ),
            # "Remind now" and "send again" carry it: a double click sends once.
            "action_token": secrets.token_urlsafe(12),
            "to_moderate_count": board.to_moderate_count,
            "to_moderate": tracking_board.first_listed(
                statement,
                tracking_board.MODERATION_STATUSES,
                count=board.to_moderate_count,
                order="created_at",
            ),
            "removed_count": board.removed_count,
            "removed": tracking_board.first_listed(
                statement,
                tracking_board.REMOVED_STATUSES,
                count=board.removed_count,
                order="-updated_at",
            ),
        },
    )
