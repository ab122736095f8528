"""The member directory and the organisation pages: find, read, edit, and the contacts'
personal data (export, erase). Views parse, check a permission, call a service, render."""

import itertools
import json
from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliance.core.audit.models import AuditEntry
from alliance.core.audit.services import readable, record
from alliance.core.csv_export import csv_response
from alliance.core.permissions import require
from members import bulk, directory, directory_rows, profiles
from members.models import Contact, Membership, Organisation
from members.organisation_forms import ContactForm, OrganisationForm


def directory_page(request):
    """Everyone may search the directory; each sees the organisations visible to them."""
    filters = directory.directory_filter(request.GET, request.user)
    page = directory.page(
        directory.directory_rows(filters.qs),
        filters.chosen_sort,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    memberships = directory.visible_memberships(page.organisations, request.user, filters.reached)
    query = filters.filtered_query()
    may_export = request.user.has_perm("members.export_directory")
    context = {
        "filters": filters,
        "page": page,
        "rows": directory_rows.rows_html(page.organisations, memberships, ticks=may_export),
        "count": page.count or directory.count_results(filters.qs),
        "query": query,
        "may_export": may_export,
        # members.act_in_bulk is the export's rule (members/rules.py): asked once, as the
        # page's queries are counted.
        "bulk_actions": list(bulk.ACTIONS.values()) if may_export else [],
    }
    # htmx swaps only the results when a filter changes; without JS the whole page loads.
    template = "members/directory_results.html" if request.headers.get("HX-Request") else None
    return render(request, template or "members/directory.html", context)


@login_required
def directory_export(request):
    """The directory view in the URL as CSV, streamed: rows are read from the database
    in chunks and written out as they come, so 100,000 of them never sit in memory."""
    require(request.user, "members.export_directory")
    filters = directory.directory_filter(request.GET, request.user)
    record(
        actor=request.user,
        action="directory.exported",
        target=request.user,
        note=request.GET.urlencode(),
    )
    rows = (
        filters.qs.order_by(*directory.ordering(filters.chosen_sort, forward=True))
        .values_list(*CSV_COLUMNS)
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return csv_response(
        filename=f"organisations-{stamp}.csv", header=CSV_HEADER, rows=_csv_rows(rows, request.user)
    )


EXPORT_CHUNK = 2000
# Plain values rather than model instances: building 100,000 objects (and their
# related managers) costs several times more than the query.
CSV_COLUMNS = [
    "id",
    "name",
    "short_name",
    "kind",
    "country",
    "city",
    "region",
    "global_south",
    "website",
    "created_at",
]
CSV_HEADER = [
    "name",
    "short_name",
    "kind",
    "country",
    "city",
    "region",
    "global_south",
    "focus_areas",
    "memberships",
    "website",
    "created_at",
]


def _csv_rows(rows, user):
    """One line per organisation; focus areas and memberships are read once per chunk
    of organisations (two queries), not once per organisation. The memberships are
    those the directory page shows `user`, no more."""
    while chunk := list(itertools.islice(rows, EXPORT_CHUNK)):
        ids = [row[0] for row in chunk]
        focus_areas = defaultdict(list)
        for organisation_id, slug in Organisation.focus_areas.through.objects.filter(
            organisation_id__in=ids
        ).values_list("organisation_id", "focusarea__slug"):
            focus_areas[organisation_id].append(slug)
        memberships = defaultdict(list)
        for organisation_id, alliance, status in (
            Membership.objects.visible_to(user)
            .filter(organisation_id__in=ids)
            .order_by("applied_at")
            .values_list("organisation_id", "national_alliance__name", "status")
        ):
            memberships[organisation_id].append(f"{alliance or 'international'}: {status}")
        for pk, name, short_name, kind, country, city, region, south, website, created in chunk:
            yield [
                name,
                short_name,
                kind,
                country,
                city,
                region,
                "yes" if south else "no",
                "; ".join(sorted(focus_areas[pk])),
                "; ".join(memberships[pk]),
                website,
                created.date().isoformat(),
            ]


def _visible_organisation(request, slug):
    # 404 rather than 403 for what the user may not see: its existence is private too.
    return get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)


def organisation_page(request, slug):
    organisation = _visible_organisation(request, slug)
    user = request.user
    may_change = user.has_perm("members.change_organisation", organisation)
    may_see_contacts = user.has_perm("members.view_contacts", organisation)
    contacts = organisation.contacts.order_by("erased_at", "name") if may_see_contacts else []
    context = {
        "organisation": organisation,
        "focus_areas": organisation.focus_areas.all(),
        "memberships": _memberships_with_decisions(organisation, user),
        "contacts": contacts,
        "may_see_contacts": may_see_contacts,
        "may_change": may_change,
        "may_change_contacts": user.has_perm("members.change_contact", organisation),
        "may_export_contacts": user.has_perm("members.export_contact"),
        "may_erase_contacts": user.has_perm("members.erase_contact"),
        "may_see_notes": user.has_perm("members.view_internal_notes", organisation),
        # Reverse relations: members knows nothing of statements and campaigns, but their
        # querysets scope themselves to the viewer.
        "signatures": _signatures(organisation, user),
        "invitations": organisation.invitations.visible_to(user)
        .select_related("convening")
        .order_by("-convening__starts_at")[:100],
        "history": _history(organisation) if may_change else None,
    }
    return render(request, "members/organisation.html", context)


def _memberships_with_decisions(organisation, user) -> list[Membership]:
    """The memberships `user` may see, each with `.decisions`: the statuses it may move to
    by this user's hand (suspend, reinstate, record that it left...), empty if none."""
    memberships = list(
        organisation.memberships.visible_to(user)
        .select_related("national_alliance", "decided_by")
        .order_by("-applied_at")
    )
    for membership in memberships:
        membership.decisions = (
            [
                (status, Membership.Status(status).label)
                for status in sorted(Membership.TRANSITIONS[membership.status])
            ]
            if user.has_perm("members.review_membership", membership)
            else []
        )
    return memberships


def _signatures(organisation, user) -> list[tuple]:
    """(signature, title of the text signed in the viewer's language), for the
    confirmed signatures the viewer may see; texts are prefetched, not read per row."""
    signatures = (
        organisation.signatures.visible_to(user)
        .filter(status="confirmed")
        .select_related("version__statement")
        .prefetch_related("version__texts")
        .order_by("-created_at")[:100]
    )
    language = get_language()
    return [(signature, signature.version.text_in(language)) for signature in signatures]


# What the history calls each action (the audit trail stores codes).
ACTION_LABELS = {
    "organisation.updated": gettext_lazy("Profile changed"),
    "contact.added": gettext_lazy("Contact added"),
    "contact.updated": gettext_lazy("Contact changed"),
    "contact.exported": gettext_lazy("Contact's data exported"),
    "contact.erased": gettext_lazy("Contact erased"),
    "organisation.imported": gettext_lazy("Imported from CSV"),
    "membership.applied": gettext_lazy("Applied to join"),
    "membership.approved": gettext_lazy("Membership approved"),
    "membership.declined": gettext_lazy("Application declined"),
    "membership.suspended": gettext_lazy("Membership suspended"),
    "membership.left": gettext_lazy("Left the alliance"),
}


@dataclass
class HistoryLine:
    entry: AuditEntry
    label: str
    changes: list[tuple[str, object, object]]


def _field_label(model, name: str) -> str:
    try:
        return capfirst(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _history(organisation) -> list[HistoryLine]:
    """The audit entries about the organisation and its contacts, newest first, with
    their actions and fields named for people."""
    return [
        HistoryLine(
            entry=entry,
            label=ACTION_LABELS.get(entry.action, entry.action),
            changes=[
                (
                    _field_label(entry.content_type.model_class(), name),
                    *(readable(entry.content_type.model_class(), name, value) for value in change),
                )
                for name, change in entry.changes.items()
                if isinstance(change, list) and len(change) == 2
            ],
        )
        for entry in _history_entries(organisation)
    ]


def _history_entries(organisation):
    contact_ids = [str(pk) for pk in organisation.contacts.values_list("pk", flat=True)]
    about_contacts = Q(
        content_type=ContentType.objects.get_for_model(Contact), object_id__in=contact_ids
    )
    membership_ids = [str(pk) for pk in organisation.memberships.values_list("pk", flat=True)]
    about_memberships = Q(
        content_type=ContentType.objects.get_for_model(Membership), object_id__in=membership_ids
    )
    about_organisation = Q(
        content_type=ContentType.objects.get_for_model(organisation),
        object_id=str(organisation.pk),
    )
    entries = AuditEntry.objects.filter(about_organisation | about_contacts | about_memberships)
    return entries.select_related("content_type")[:200]


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug):
    organisation = _visible_organisation(request, slug)
    require(request.user, "members.change_organisation", organisation)
    form = OrganisationForm(
        request.POST or None,
        instance=organisation,
        with_internal_notes=request.user.has_perm("members.view_internal_notes", organisation),
    )
    if request.method == "POST" and form.is_valid():
        changes = profiles.update_organisation(
            organisation=organisation, changed_by=request.user, data=form.cleaned_data
        )
        if changes:
            messages.success(request, _("Saved: the change is in the history."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect(organisation)
    return render(
        request, "members/organisation_edit.html", {"organisation": organisation, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, slug, pk=None):
    """Add a contact to the organisation (no `pk`) or change one."""
    organisation = _visible_organisation(request, slug)
    require(request.user, "members.change_contact", organisation)
    contact = None
    if pk is not None:
        contact = get_object_or_404(organisation.contacts, pk=pk, erased_at__isnull=True)
    form = ContactForm(request.POST or None, instance=contact, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        profiles.save_contact(
            organisation=organisation,
            contact=contact,
            changed_by=request.user,
            data=form.cleaned_data,
        )
        messages.success(request, _("Contact saved."))
        return redirect(organisation)
    return render(
        request,
        "members/contact_edit.html",
        {"organisation": organisation, "contact": contact, "form": form},
    )


@login_required
@require_POST
def contact_export(request, slug, pk):
    """A POST, since it is recorded: everything held about one contact, as JSON."""
    organisation = _visible_organisation(request, slug)
    require(request.user, "members.export_contact")
    contact = get_object_or_404(organisation.contacts, pk=pk)
    export = profiles.export_contact(contact=contact, exported_by=request.user)
    response = HttpResponse(
        json.dumps(export, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def contact_erase(request, slug, pk):
    """GET asks for confirmation; POST erases."""
    organisation = _visible_organisation(request, slug)
    require(request.user, "members.erase_contact")
    contact = get_object_or_404(organisation.contacts, pk=pk, erased_at__isnull=True)
    if request.method == "POST":
        profiles.erase_contact(contact=contact, erased_by=request.user)
        messages.success(request, _("The contact's personal data was erased."))
        return redirect(organisation)
    return render(
        request,
        "members/contact_erase.html",
        {"organisation": organisation, "contact": contact},
    )
