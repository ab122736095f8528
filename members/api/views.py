from django.db.models import Exists, OuterRef, Prefetch
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view

from alliance.api.schema import id_parameter
from alliance.api.scopes import Scope
from alliance.api.views import PartnerDetailView, PartnerListView
from members.api.serializers import (
    FocusAreaSerializer,
    NationalAllianceSerializer,
    OrganisationSerializer,
    OrganisationWithContactsSerializer,
)
from members.models import Contact, FocusArea, Membership, NationalAlliance, Organisation


class OrganisationFilter(django_filters.FilterSet):
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after (ISO 8601)."
    )
    country = django_filters.CharFilter(
        field_name="country", help_text="ISO 3166-1 alpha-2 code, e.g. UG."
    )
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, help_text="Its kind.")
    region = django_filters.CharFilter(field_name="region", help_text="Region code.")
    alliance = django_filters.CharFilter(
        method="filter_alliance", help_text="Slug of a national alliance it is a member of."
    )
    focus_area = django_filters.CharFilter(
        field_name="focus_areas__slug", help_text="Slug of one of its focus areas."
    )

    class Meta:
        model = Organisation
        fields = ["updated_since", "country", "kind", "region", "alliance", "focus_area"]

    def filter_alliance(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Membership.objects.live().filter(
                    organisation=OuterRef("pk"), national_alliance__slug=value
                )
            )
        )


def organisations_for(view):
    """Organisations the requester may see (a key sees what an anonymous visitor sees),
    with what the serializer reads loaded in a constant number of queries."""
    organisations = Organisation.objects.visible_to(view.request.user).prefetch_related(
        "focus_areas",
        Prefetch(
            "memberships",
            # Only what the serializer reads: a page of 100 loads ~200 memberships.
            queryset=Membership.objects.live()
            .filter(national_alliance__isnull=False)
            .select_related("national_alliance")
            .only("organisation_id", "national_alliance__slug"),
            to_attr="approved_memberships",
        ),
    )
    if view.has_scope(Scope.READ_CONTACTS):
        organisations = organisations.prefetch_related(
            Prefetch(
                "contacts",
                queryset=Contact.objects.filter(erased_at__isnull=True).order_by("name", "id"),
                to_attr="current_contacts",
            )
        )
    return organisations


class OrganisationSerializerChoice:
    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False):
            return OrganisationWithContactsSerializer
        if self.has_scope(Scope.READ_CONTACTS):
            return OrganisationWithContactsSerializer
        return OrganisationSerializer


@extend_schema_view(
    get=extend_schema(
        summary="List organisations",
        description="Public profiles of member organisations; `contacts` is included for "
        "keys with the read:contacts scope.",
    )
)
class OrganisationList(OrganisationSerializerChoice, PartnerListView):
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "updated_at", "created_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        return organisations_for(self)


@extend_schema_view(
    get=extend_schema(summary="One organisation", parameters=[id_parameter("organisation")])
)
class OrganisationDetail(OrganisationSerializerChoice, PartnerDetailView):
    def get_queryset(self):
        return organisations_for(self)


@extend_schema_view(get=extend_schema(summary="List focus areas"))
class FocusAreaList(PartnerListView):
    serializer_class = FocusAreaSerializer
    queryset = FocusArea.objects.all()
    ordering_fields = ["name", "slug"]
    ordering = ["name", "id"]


class NationalAllianceFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(help_text="ISO 3166-1 alpha-2 code.")
    status = django_filters.ChoiceFilter(
        choices=NationalAlliance.Status.choices, help_text="forming, active or dormant."
    )

    class Meta:
        model = NationalAlliance
        fields = ["country", "status"]


@extend_schema_view(get=extend_schema(summary="List national alliances"))
class NationalAllianceList(PartnerListView):
    serializer_class = NationalAllianceSerializer
    filterset_class = NationalAllianceFilter
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        return NationalAlliance.objects.visible_to(self.request.user)
