"""The convenors' back office for members. Built for 100,000 organisations: related rows
are picked by search (autocomplete) or by id, never from a full <select>, and every
changelist loads its related rows in the same query."""

from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from members.classification import REGION_NAMES
from members.models import (
    Contact,
    FocusArea,
    Membership,
    NationalAlliance,
    Organisation,
    PendingApplicant,
    Principles,
)


def region_filter(field_path: str):
    """A filter on the region derived from the country. Its five values are known, so it
    lists them without the DISTINCT over every organisation that the default filter runs."""

    class RegionFilter(admin.SimpleListFilter):
        title = _("region")
        parameter_name = field_path

        def lookups(self, request, model_admin):
            return list(REGION_NAMES.items())

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{field_path: self.value()})
            return queryset

    return RegionFilter


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(NationalAlliance)
class NationalAllianceAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "status", "member_count", "application_count"]
    list_filter = ["status", ("country", CountryFilter)]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["coordinators"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=Count(
                    "memberships", filter=Q(memberships__status=Membership.Status.APPROVED)
                ),
                application_count=Count(
                    "memberships", filter=Q(memberships__status=Membership.Status.APPLIED)
                ),
            )
        )

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, alliance):
        return alliance.member_count

    @admin.display(description=_("applications"), ordering="application_count")
    def application_count(self, alliance):
        return alliance.application_count


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ["name", "email", "role", "language", "authorised_to_sign", "user", "erased_at"]
    readonly_fields = ["erased_at"]
    raw_id_fields = ["user"]
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    fields = [
        "national_alliance",
        "status",
        "principles",
        "applied_at",
        "decided_at",
        "decision_reason",
        "joined_at",
    ]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    # Addresses typed without a scheme are taken as https, as on the public forms.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "kind",
        "country",
        "city",
        "region_label",
        "global_south",
        "listed_publicly",
        "created_at",
    ]
    list_filter = [
        "kind",
        region_filter("region"),
        "global_south",
        ("country", CountryFilter),
        "memberships__status",
        "memberships__national_alliance",
        "focus_areas",
        "listed_publicly",
    ]
    search_fields = ["name", "short_name", "city", "slug"]
    # No date_hierarchy: its DISTINCT over the creation dates of every row took most of
    # the page; when an organisation joined is on Membership.
    readonly_fields = ["region", "subregion", "global_south", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["focus_areas"]
    inlines = [ContactInline, MembershipInline]
    list_per_page = 50
    # Counting 100,000 rows on every filtered page costs more than it tells.
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "kind", "description", "website"]}),
        (_("Where"), {"fields": ["country", "city", "region", "subregion", "global_south"]}),
        (_("Work"), {"fields": ["focus_areas", "languages"]}),
        (_("Privacy"), {"fields": ["listed_publicly", "verified_domain", "internal_notes"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("region"), ordering="region")
    def region_label(self, organisation):
        return organisation.region_name


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "role", "language", "authorised_to_sign"]
    list_filter = ["authorised_to_sign", "language", ("erased_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organisation"]
    search_fields = ["name", "email", "organisation__name"]
    autocomplete_fields = ["organisation", "user"]
    readonly_fields = ["erased_at", "created_at", "updated_at"]
    show_full_result_count = False


@admin.register(Principles)
class PrinciplesAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "language", "published_at"]
    list_filter = ["version", "language"]
    search_fields = ["title", "text"]
    date_hierarchy = "published_at"


class PendingApplicantInline(admin.StackedInline):
    """Who applied in the organisation's name without being one of its contacts: read
    only, since only approving the application makes them a contact."""

    model = PendingApplicant
    fields = ["name", "email", "role", "language", "email_verified_at", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    inlines = [PendingApplicantInline]
    list_display = [
        "organisation",
        "alliance",
        "status",
        "applied_at",
        "decided_at",
        "joined_at",
    ]
    list_filter = [
        "status",
        "national_alliance",
        region_filter("organisation__region"),
        "organisation__kind",
        "principles",
    ]
    list_select_related = ["organisation", "national_alliance"]
    search_fields = ["organisation__name", "national_alliance__name", "decision_reason"]
    date_hierarchy = "applied_at"
    autocomplete_fields = ["organisation", "decided_by"]
    raw_id_fields = ["endorsed_by"]
    show_full_result_count = False

    @admin.display(description=_("alliance"), ordering="national_alliance__name")
    def alliance(self, membership):
        return membership.alliance_name
