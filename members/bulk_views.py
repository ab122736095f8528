"""The directory's bulk actions (members.bulk): choose what to apply to the selection,
read what it will do and confirm (a POST), then the result, or the progress of the task
that runs it."""

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from alliance.core.csv_export import csv_response
from alliance.core.permissions import is_convenor, require
from members import bulk
from members.models import BulkAction
from members.organisation_views import CSV_COLUMNS, CSV_HEADER, EXPORT_CHUNK, _csv_rows


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"))
    target = forms.ChoiceField(label=_("Apply"), required=False)
    key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, action_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["action"].choices = [(a.name, a.label) for a in bulk.ACTIONS.values()]
        action = bulk.ACTIONS.get(action_name)
        if action is not None and action.targets is not None:
            field = self.fields["target"]
            field.label = action.target_label
            field.required = True
            field.choices = [("", "—")] + [
                (target.pk, action.target_name(target)) for target in action.targets(user)
            ]
        else:
            del self.fields["target"]

    @property
    def chosen(self):
        """(action, target) once the form is valid."""
        action = bulk.get_action(self.cleaned_data["action"])
        return action, bulk.get_target(action, self.user, self.cleaned_data.get("target"))


@login_required
@require_http_methods(["GET", "POST"])
def bulk_confirm(request):
    """GET: the selection, the action's target to choose, then what it will do; POST:
    do it, once, and show the result."""
    require(request.user, "members.act_in_bulk")
    data = request.POST if request.method == "POST" else request.GET
    try:
        selection = bulk.Selection.from_data(data)
        selection.organisations(request.user)  # a filter edited by hand is refused now
    except ValidationError as error:
        return render(
            request, "members/bulk_confirm.html", {"error": " ".join(error.messages)}, status=400
        )
    action_name = data.get("action", "")
    action = bulk.ACTIONS.get(action_name)
    # From the directory the action comes alone: its target is yet to be chosen.
    choosing = request.method == "GET" and action and action.targets and "target" not in data
    if not choosing:
        form = BulkForm(data, user=request.user, action_name=action_name)
    else:
        form = BulkForm(initial={"action": action_name}, user=request.user, action_name=action_name)
    preview, error = None, ""
    if form.is_bound and form.is_valid():
        try:
            action, target = form.chosen
            if request.method == "POST":
                done = bulk.act(
                    actor=request.user,
                    action=action,
                    target=target,
                    selection=selection,
                    key=form.cleaned_data["key"] or uuid.uuid4(),
                )
                return redirect("members:bulk_detail", pk=done.pk)
            preview = bulk.preview(
                actor=request.user, action=action, target=target, selection=selection
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
    context = {
        "form": form,
        "selection": selection,
        "selection_fields": selection.as_fields(),
        "preview": preview,
        "key": uuid.uuid4(),
        "error": error,
    }
    return render(
        request, "members/bulk_confirm.html", context, status=400 if error or form.errors else 200
    )


def _own_bulk_action(request, pk) -> BulkAction:
    """The actor's own bulk action (a convenor may read anyone's); 404 for the others."""
    require(request.user, "members.act_in_bulk")
    actions = BulkAction.objects.select_related("actor")
    if not is_convenor(request.user):
        actions = actions.filter(actor=request.user)
    return get_object_or_404(actions, pk=pk)


@login_required
def bulk_detail(request, pk):
    action = _own_bulk_action(request, pk)
    return render(
        request,
        "members/bulk_detail.html",
        {
            "bulk": action,
            "action": bulk.ACTIONS.get(action.action),
            "rows_done": bulk.rows_done(action),
        },
    )


@login_required
def bulk_progress(request, pk):
    """The progress bar alone, for htmx to poll; the whole page reloads at the end."""
    action = _own_bulk_action(request, pk)
    response = render(
        request,
        "members/bulk_progress.html",
        {"bulk": action, "rows_done": bulk.rows_done(action)},
    )
    if action.status != BulkAction.Status.QUEUED:
        response["HX-Refresh"] = "true"
    return response


@login_required
def bulk_export(request, pk):
    """The CSV of an export action: the selection as it is now, rows the actor may take
    out only; streamed, like the directory's own CSV."""
    action = get_object_or_404(BulkAction, pk=pk, actor=request.user, action="export")
    require(request.user, "members.act_in_bulk")
    rows = (
        bulk.export_rows(action)
        .order_by("name", "id")
        .values_list(*CSV_COLUMNS)
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return csv_response(
        filename=f"organisations-selection-{stamp}.csv",
        header=CSV_HEADER,
        rows=_csv_rows(rows, request.user),
    )
