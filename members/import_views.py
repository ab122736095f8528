"""The CSV import pages (journey 3), for convenors: the template, the upload and its dry
run, the real run and its progress. The work is in members.imports."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from alliance.core.permissions import require
from members import imports
from members.models import Organisation, OrganisationImport

# Importing creates organisations: the same permission as creating one by hand.
PERMISSION = "members.add_organisation"
LINES_PER_PAGE = 200
SHOWN_ACTIONS = {
    "all": gettext_lazy("All lines"),
    imports.REJECT: gettext_lazy("Rejected"),
    imports.CREATE: gettext_lazy("To create"),
    imports.UPDATE: gettext_lazy("To update"),
    imports.UNCHANGED: gettext_lazy("Unchanged"),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8, columns separated by commas, semicolons or tabs, with the template's "
            "header row; up to 20 MB."
        ),
    )


@login_required
def import_template(request):
    require(request.user, PERMISSION)
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="organisations-template.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """The upload runs the dry run at once: the file is checked, nothing is imported."""
    require(request.user, PERMISSION)
    form = UploadForm()
    if request.method == "POST":
        # Refuse an oversized body before Django reads it into a temporary file.
        if (
            int(request.META.get("CONTENT_LENGTH") or 0)
            > imports.reading.MAX_UPLOAD_BYTES + 64 * 1024
        ):
            error = _("The file is larger than %(limit)s MB. Split it into smaller files.") % {
                "limit": imports.reading.MAX_UPLOAD_BYTES // 1024 // 1024
            }
            return _upload_page(request, form, status=413, error=error)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                organisation_import = imports.check_upload(
                    upload=form.cleaned_data["file"], uploaded_by=request.user
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect("members:import", pk=organisation_import.pk)
    return _upload_page(request, form, status=400 if form.errors else 200)


def _upload_page(request, form, *, status, error=""):
    recent = OrganisationImport.objects.defer("content", "report").select_related("uploaded_by")[
        :10
    ]
    return render(
        request,
        "members/import_upload.html",
        {"form": form, "error": error, "recent": recent, "columns": imports.COLUMNS},
        status=status,
    )


@login_required
def import_detail(request, pk):
    """The dry run's report, line by line, and the button that starts the real run; while
    it runs, its progress."""
    require(request.user, PERMISSION)
    organisation_import = get_object_or_404(
        OrganisationImport.objects.defer("content").select_related("uploaded_by"), pk=pk
    )
    shown = request.GET.get("show", "all")
    if shown not in SHOWN_ACTIONS:
        shown = "all"
    lines = organisation_import.report.get("lines", [])
    if shown != "all":
        lines = [line for line in lines if line["action"] == shown]
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = [
        {
            **line,
            "errors": [imports.describe(error) for error in line["errors"]],
            "changes": [_change_label(name) for name in line["changes"]],
        }
        for line in page.object_list
    ]
    context = {
        "import": organisation_import,
        "totals": organisation_import.report.get("totals", {}),
        "page": page,
        "shown": shown,
        "shown_actions": SHOWN_ACTIONS,
        "rows_done": imports.rows_done(organisation_import),
    }
    return render(request, "members/import_detail.html", context)


CHANGE_LABELS = {
    "focus_areas": gettext_lazy("focus areas"),
    "national_alliance": gettext_lazy("membership of the national alliance"),
    "contact": gettext_lazy("contact"),
}


def _change_label(name: str) -> str:
    if name in CHANGE_LABELS:
        return str(CHANGE_LABELS[name])
    return str(Organisation._meta.get_field(name).verbose_name)


@login_required
def import_progress(request, pk):
    """The progress bar alone, for htmx to poll; once the run is over, the whole page
    reloads to show the result."""
    require(request.user, PERMISSION)
    organisation_import = get_object_or_404(OrganisationImport.objects.defer("content"), pk=pk)
    response = render(
        request,
        "members/import_progress.html",
        {"import": organisation_import, "rows_done": imports.rows_done(organisation_import)},
    )
    if organisation_import.status != OrganisationImport.Status.QUEUED:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_run(request, pk):
    require(request.user, PERMISSION)
    organisation_import = get_object_or_404(OrganisationImport.objects.defer("content"), pk=pk)
    try:
        imports.start_import(
            organisation_import=organisation_import,
            started_by=request.user,
            valid_rows_only=request.POST.get("valid_rows_only") == "on",
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("members:import", pk=organisation_import.pk)
