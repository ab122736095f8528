"""The pages of signatures received offline (statements.offline): recording one, the CSV
import with its dry run, and the scan of a signed page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alliance.core.audit.services import record
from alliance.core.permissions import require
from statements import offline
from statements.models import OfflineReceipt, Statement
from statements.offline_forms import OfflineImportForm, OfflineSignatureForm
from statements.services import AlreadySigned

# A checked file comes back with the confirmation, signed so that the real run imports
# exactly what the dry run showed; for at most an hour.
IMPORT_SALT = "statements.offline.import"
IMPORT_MAX_AGE = 3600
# The organisation is chosen from a list of at most this many; a search narrows it.
MAX_CHOICES = 200


def _statement_for(request, slug) -> Statement:
    statement = get_object_or_404(Statement.objects.visible_to(request.user), slug=slug)
    require(request.user, "statements.record_offline_signatures", statement)
    return statement


def _back(request, statement) -> str:
    if request.user.has_perm("statements.view_tracking", statement):
        return reverse("statements:tracking", args=[statement.slug])
    return statement.get_absolute_url()


def _context(request, statement, **more) -> dict:
    text = statement.current_text(translation.get_language())
    return {
        "statement": statement,
        "title": text.title if text else str(statement),
        "back": _back(request, statement),
        "is_open": statement.status == Statement.Status.OPEN,
        **more,
    }


@login_required
@require_http_methods(["GET", "POST"])
def record_signature(request, slug):
    """Record one signature received by phone, email, letter or at a meeting."""
    statement = _statement_for(request, slug)
    organisations = offline.recordable_organisations(statement=statement, user=request.user)
    form = OfflineSignatureForm(
        request.POST or None, request.FILES or None, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            offline.record_offline_signature(
                statement=statement,
                organisation=organisation,
                signatory=form.signatory(),
                channel=form.cleaned_data["channel"],
                note=form.cleaned_data["note"].strip(),
                scan=form.cleaned_data["scan"] or None,
                recorded_by=request.user,
            )
        except AlreadySigned:
            form.add_error("organisation", _("This organisation has already signed."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The signature of %(organisation)s is recorded.")
                % {"organisation": organisation.name},
            )
            return redirect(_back(request, statement))
    status = 400 if form.errors else 200
    search = request.GET.get("q", "").strip()[:100]
    more = _list_at_most(form, organisations, search)
    return render(
        request,
        "statements/offline_record.html",
        _context(request, statement, form=form, search=search, more=more, shown=MAX_CHOICES),
        status=status,
    )


def _list_at_most(form, organisations, search: str) -> bool:
    """Offer MAX_CHOICES organisations at most (those matching `search`, and the one
    chosen), not a list of the whole directory; returns whether more match."""
    matching = organisations.search(search) if search else organisations
    ids = list(matching.values_list("pk", flat=True)[: MAX_CHOICES + 1])
    listed = ids[:MAX_CHOICES]
    chosen = form["organisation"].value()
    if chosen and str(chosen).isdigit():
        listed.append(int(chosen))
    form.fields["organisation"].queryset = organisations.filter(pk__in=listed)
    return len(ids) > MAX_CHOICES


@login_required
@require_http_methods(["GET", "POST"])
def import_signatures(request, slug):
    """Upload a CSV and read the dry run; confirm to record every line, or none."""
    statement = _statement_for(request, slug)
    form, plan, checked = OfflineImportForm(), None, ""
    status = 200
    if request.method == "POST" and "checked" in request.POST:
        try:
            text = signing.loads(request.POST["checked"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
            plan = offline.import_signatures(statement=statement, text=text, actor=request.user)
        except signing.BadSignature:
            messages.error(request, _("This check is too old: upload the file again."))
            return redirect("statements:offline_import", slug=statement.slug)
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        else:
            if not plan.rejected:
                messages.success(
                    request, _("%(count)s signatures are recorded.") % {"count": len(plan.lines)}
                )
                return redirect(_back(request, statement))
            status = 409
    elif request.method == "POST":
        form = OfflineImportForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            text = form.cleaned_data["file"]
            try:
                plan = offline.plan_import(statement=statement, text=text, actor=request.user)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                status = 200
                if not plan.rejected:
                    checked = signing.dumps(text, salt=IMPORT_SALT, compress=True)
    return render(
        request,
        "statements/offline_import.html",
        _context(
            request, statement, form=form, plan=plan, checked=checked, ran="checked" in request.POST
        ),
        status=status,
    )


@login_required
def import_template(request, slug):
    _statement_for(request, slug)
    response = HttpResponse(offline.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="offline-signatures-template.csv"'
    return response


@login_required
def scan(request, pk):
    """The scan of a signed page: for convenors and the coordinators of the
    organisation's alliances only (the file is under MEDIA_ROOT, which nothing serves)."""
    receipt = get_object_or_404(
        OfflineReceipt.objects.select_related("signature__organisation"), pk=pk
    )
    # Refused and missing answer alike: a refusal would say a signature exists.
    if not (request.user.has_perm("statements.view_offline_scan", receipt) and receipt.scan):
        raise Http404
    record(actor=request.user, action="signature.offline_scan_read", target=receipt.signature)
    extension = receipt.scan.name.rpartition(".")[2]
    return FileResponse(
        receipt.scan.open("rb"),
        as_attachment=True,
        filename=f"signature-{receipt.signature_id}-scan.{extension}",
    )
