"""National alliances (the list, a page each, their coordinators) and the diversity
dashboard. Views parse, check a permission, call a service or read the figures, render.

`members` sits below `campaigns` and `statements`: a national alliance's convenings are
read through the reverse relation, its open statements through `apps.get_model`, never
through an import of those apps.
"""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliance.core.audit.services import record
from alliance.core.csv_export import csv_response
from alliance.core.permissions import require
from members import alliance_services, dashboard, dashboard_figures, directory
from members.alliance_forms import (
    AppointCoordinatorForm,
    CompositionTargetForm,
    NationalAllianceEditForm,
    NationalAllianceForm,
)
from members.models import (
    CompositionTarget,
    Membership,
    NationalAlliance,
    Organisation,
    coordinated_alliances,
    is_convenor,
)

APPROVED = Q(memberships__status=Membership.Status.APPROVED)
APPLIED = Q(memberships__status=Membership.Status.APPLIED)
# How many of each list the alliance page shows.
PAGE_LIST_LENGTH = 20


def alliances(request):
    """Which national alliances exist, and who coordinates them, is public."""
    rows = (
        NationalAlliance.objects.visible_to(request.user)
        .annotate(
            member_count=Count("memberships", filter=APPROVED),
            application_count=Count("memberships", filter=APPLIED),
        )
        .prefetch_related("coordinators")
        .order_by("name")
    )
    return render(
        request,
        "members/alliances.html",
        {"alliances": rows, "may_add": request.user.has_perm("members.add_nationalalliance")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def alliance_create(request):
    require(request.user, "members.add_nationalalliance")
    form = NationalAllianceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alliance = alliance_services.create_national_alliance(
                **form.cleaned_data, created_by=request.user
            )
        except ValidationError as error:
            form.add_error("country", error)
        else:
            messages.success(request, _("%(name)s created.") % {"name": alliance.name})
            return redirect("members:alliance", slug=alliance.slug)
    return render(request, "members/alliance_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def alliance_edit(request, slug):
    """Convenors and the alliance's own coordinators."""
    alliance = get_object_or_404(NationalAlliance, slug=slug)
    require(request.user, "members.change_nationalalliance", alliance)
    form = NationalAllianceEditForm(request.POST or None, instance=alliance)
    if request.method == "POST" and form.is_valid():
        # The form wrote the values onto `alliance`; the service compares with the row.
        alliance_services.update_national_alliance(
            alliance=NationalAlliance.objects.get(pk=alliance.pk),
            changed_by=request.user,
            **{name: form.cleaned_data[name] for name in form.Meta.fields},
        )
        messages.success(request, _("Saved."))
        return redirect("members:alliance", slug=alliance.slug)
    return render(request, "members/alliance_form.html", {"form": form, "alliance": alliance})


def alliance_page(request, slug):
    alliance = get_object_or_404(NationalAlliance.objects.visible_to(request.user), slug=slug)
    user = request.user
    may_see_private = user.has_perm("members.view_nationalalliance_private", alliance)
    by_kind = (
        alliance.memberships.filter(status=Membership.Status.APPROVED)
        .values_list("organisation__kind")
        .annotate(count=Count("pk"))
        .order_by("-count", "organisation__kind")
    )
    kind_labels = dict(Organisation.Kind.choices)
    context = {
        "alliance": alliance,
        "coordinators": alliance.coordinators.order_by("name", "email"),
        "members_by_kind": [(kind, kind_labels.get(kind, kind), count) for kind, count in by_kind],
        "may_see_private": may_see_private,
        "may_appoint": user.has_perm("members.appoint_coordinators", alliance),
        "may_change": user.has_perm("members.change_nationalalliance", alliance),
        "may_see_dashboard": user.has_perm("members.view_alliance_dashboard", alliance),
        "pending": (
            alliance.memberships.filter(status=Membership.Status.APPLIED)
            .select_related("organisation")
            .order_by("applied_at")[:PAGE_LIST_LENGTH]
            if may_see_private
            else None
        ),
        "convenings": alliance.convenings.visible_to(user)
        .filter(ends_at__gte=timezone.now())
        .exclude(status="cancelled")
        .order_by("starts_at")[:PAGE_LIST_LENGTH],
        "statements": _open_statements(alliance, user),
        "appoint_form": AppointCoordinatorForm(),
    }
    return render(request, "members/alliance.html", context)


def _open_statements(alliance, user) -> list:
    """Statements open for sign-on that the viewer may see and this alliance's members
    may sign (all members, anyone, or some of its organisations were asked), each with
    `.text` in the viewer's language (texts prefetched, not read per statement)."""
    statement_model = apps.get_model("statements", "Statement")
    version_model = apps.get_model("statements", "StatementVersion")
    audiences = [statement_model.Audience.MEMBERS, statement_model.Audience.ANYONE]
    statements = list(
        statement_model.objects.visible_to(user)
        .filter(status=statement_model.Status.OPEN)
        .filter(
            Q(audience__in=audiences)
            | Q(signon_requests__organisation__memberships__national_alliance=alliance)
        )
        .distinct()
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=version_model.objects.order_by("-number").prefetch_related("texts"),
            )
        )
        .order_by("signon_closes_at", "pk")[:PAGE_LIST_LENGTH]
    )
    language = get_language()
    for statement in statements:
        versions = statement.versions.all()
        statement.text = versions[0].text_in(language) if versions else None
    return statements


@login_required
@require_POST
def alliance_appoint(request, slug):
    alliance = get_object_or_404(NationalAlliance, slug=slug)
    require(request.user, "members.appoint_coordinators", alliance)
    form = AppointCoordinatorForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["email"]))
    elif alliance_services.appoint_coordinator(
        alliance=alliance, user=form.cleaned_data["user"], appointed_by=request.user
    ):
        messages.success(
            request,
            _("%(person)s now coordinates %(alliance)s.")
            % {"person": form.cleaned_data["user"], "alliance": alliance},
        )
    return redirect("members:alliance", slug=alliance.slug)


@login_required
@require_POST
def alliance_remove_coordinator(request, slug, user_id):
    alliance = get_object_or_404(NationalAlliance, slug=slug)
    require(request.user, "members.appoint_coordinators", alliance)
    coordinator = get_object_or_404(get_user_model(), pk=user_id)
    if alliance_services.remove_coordinator(
        alliance=alliance, user=coordinator, removed_by=request.user
    ):
        messages.success(
            request,
            _("%(person)s no longer coordinates %(alliance)s.")
            % {"person": coordinator, "alliance": alliance},
        )
    return redirect("members:alliance", slug=alliance.slug)


def _dashboard_scope(request) -> NationalAlliance | None:
    """The national alliance in `?alliance=`, which the viewer must be allowed to see
    the figures of; None for the whole alliance."""
    require(request.user, "members.view_dashboard")
    slug = request.GET.get("alliance", "")
    if not slug:
        return None
    alliance = get_object_or_404(NationalAlliance, slug=slug)
    require(request.user, "members.view_alliance_dashboard", alliance)
    return alliance


@login_required
def dashboard_page(request):
    alliance = _dashboard_scope(request)
    figures = dashboard.composition(alliance)
    user = request.user
    may_set_targets = user.has_perm("members.set_composition_target")
    # The alliances whose figures the viewer may open, as (slug, name) by name: every one
    # for convenors (the directory's kept lists), else those they coordinate (read with
    # their reach, which the navigation has read already).
    if is_convenor(user):
        choices = directory.filter_lists()["alliance"]
    else:
        choices = [(each.slug, each.name) for each in coordinated_alliances(user)]
    # Those who may set targets are convenors: the form offers the same alliances.
    target_form = CompositionTargetForm(
        initial={"alliance": alliance}, alliances=choices if may_set_targets else None
    )
    context = {
        "figures": figures,
        "alliance": alliance,
        "alliance_choices": choices,
        "target_rows": [
            (CompositionTarget.Measure.GLOBAL_SOUTH.label, figures.global_south),
            (CompositionTarget.Measure.WOMENS_RIGHTS.label, figures.womens_rights),
        ],
        "figures_html": dashboard_figures.rendered(figures, lambda: _figures_context(figures)),
        "may_set_targets": may_set_targets,
        "target_form": target_form,
        "target_fields": (
            dashboard_figures.target_fields(target_form, choices, alliance)
            if may_set_targets
            else ""
        ),
    }
    return render(request, "members/dashboard.html", context)


def _figures_context(figures) -> dict:
    """What members/includes/dashboard_figures.html shows: the map, the breakdowns, the
    charts and the growth tables."""
    return {
        "figures": figures,
        "world_map": dashboard.world_map(figures.countries, label=_("Map of members by country")),
        "charts": [
            (_("Member organisations"), dashboard.growth_chart(figures.months)),
            (_("Shares, in percent"), dashboard.shares_chart(figures.months, figures)),
        ],
        "chart_size": dashboard.CHART_SIZE,
        "breakdowns": [
            (_("Kind"), "kinds-table", figures.by_kind),
            (_("Region"), "regions-table", figures.by_region),
        ],
        "growth_tables": [
            _growth_table(
                _("Members by kind, month by month"),
                "growth-kinds",
                figures.by_kind,
                [month.by_kind for month in figures.months],
                figures.months,
            ),
            _growth_table(
                _("Members by region, month by month"),
                "growth-regions",
                figures.by_region,
                [month.by_region for month in figures.months],
                figures.months,
            ),
        ],
    }


def _growth_table(title, table_id, lines, counts_per_month, months) -> dict:
    """Months down, the breakdown's lines across (largest first), members at each
    month's end in the cells."""
    return {
        "title": title,
        "id": table_id,
        "headers": [line.label for line in lines],
        "rows": [
            (month.month, [counts.get(line.key, 0) for line in lines])
            for month, counts in zip(months, counts_per_month, strict=True)
        ],
    }


@login_required
def dashboard_export(request):
    """The dashboard's figures as CSV."""
    alliance = _dashboard_scope(request)
    figures = dashboard.composition(alliance)
    record(actor=request.user, action="dashboard.exported", target=alliance or request.user)
    scope = alliance.slug if alliance else "alliance"
    stamp = timezone.now().strftime("%Y%m%d")
    return csv_response(
        filename=f"composition-{scope}-{stamp}.csv",
        header=["section", "key", "label", "month", "members", "percent", "target_percent"],
        rows=_dashboard_rows(figures),
    )


def _dashboard_rows(figures):
    """The summary, the breakdowns, then the growth month by month, a figure a line."""
    yield ["total", "", _("Members"), "", figures.total, "", ""]
    for key, share in (
        ("global_south", figures.global_south),
        ("womens_rights", figures.womens_rights),
    ):
        label = CompositionTarget.Measure(key).label
        yield ["share", key, label, "", share.count, share.percent, share.target]
    for section, lines in (
        ("kind", figures.by_kind),
        ("region", figures.by_region),
        ("country", figures.by_country),
    ):
        for line in lines:
            yield [section, line.key, line.label, "", line.count, line.percent, ""]
    for month in figures.months:
        stamp = month.month.strftime("%Y-%m")
        yield ["growth", "joined", "", stamp, month.joined, "", ""]
        yield ["growth", "total", "", stamp, month.total, "", ""]
        yield [
            "growth",
            "global_south",
            "",
            stamp,
            month.global_south,
            month.global_south_percent,
            "",
        ]
        yield [
            "growth",
            "womens_rights",
            "",
            stamp,
            month.womens_rights,
            month.womens_rights_percent,
            "",
        ]
        for section, counts in (
            ("growth_kind", month.by_kind),
            ("growth_region", month.by_region),
            ("growth_country", month.by_country),
        ):
            for key, count in sorted(counts.items()):
                yield [section, key, "", stamp, count, "", ""]


@login_required
@require_POST
def dashboard_target(request):
    require(request.user, "members.set_composition_target")
    form = CompositionTargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The target was not saved: a percentage from 0 to 100."))
        return redirect("members:dashboard")
    alliance = form.cleaned_data["alliance"]
    dashboard.set_composition_target(
        measure=form.cleaned_data["measure"],
        percent=form.cleaned_data["percent"],
        national_alliance=alliance,
        set_by=request.user,
    )
    messages.success(request, _("Target saved."))
    url = redirect("members:dashboard").url
    return redirect(f"{url}?alliance={alliance.slug}" if alliance else url)
