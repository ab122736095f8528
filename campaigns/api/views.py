"""Campaigns with the moments on their timeline, and convenings, for partners."""

from django.db.models import Prefetch
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view

from alliance.core.api.filters import PartnerFilterSet, UtcIsoDateTimeFilter
from alliance.core.api.schema import id_parameter
from alliance.core.api.views import PartnerDetailView, PartnerListView
from campaigns.api.serializers import CampaignSerializer, ConveningSerializer
from campaigns.models import Campaign, Convening, Moment


class ConveningFilter(PartnerFilterSet):
    alliance = django_filters.CharFilter(
        field_name="national_alliance__slug", help_text="Slug of the national alliance."
    )
    country = django_filters.CharFilter(
        field_name="national_alliance__country", help_text="Country of the national alliance."
    )
    status = django_filters.ChoiceFilter(
        choices=Convening.Status.choices,
        help_text="draft (seen by its organisers only), scheduled, moved, cancelled or held.",
    )
    scope = django_filters.ChoiceFilter(
        choices=Convening.Scope.choices, help_text="international or national."
    )
    starts_after = UtcIsoDateTimeFilter(
        field_name="starts_at", lookup_expr="gte", help_text="Starting at or after (ISO 8601)."
    )

    class Meta:
        model = Convening
        fields = ["alliance", "country", "status", "scope", "starts_after"]


def convenings_for(user):
    """The convenings `user` may see, as the pages show them (for a key, as an anonymous
    visitor), with what the serializer names."""
    return Convening.objects.visible_to(user).select_related("national_alliance", "campaign")


@extend_schema_view(
    get=extend_schema(
        summary="List convenings",
        description="The convenings the caller may see, as the pages show them: with a "
        "session, a coordinator's own alliance's and the international ones, a member's "
        "those it is invited to; a key reads as an anonymous visitor, whoever it acts "
        "for. Never the online link or the invitations.",
    )
)
class ConveningList(PartnerListView):
    serializer_class = ConveningSerializer
    filterset_class = ConveningFilter
    ordering_fields = ["starts_at", "created_at"]
    ordering = ["starts_at", "id"]

    def get_queryset(self):
        return convenings_for(self.request.user)


@extend_schema_view(
    get=extend_schema(summary="One convening", parameters=[id_parameter("convening")])
)
class ConveningDetail(PartnerDetailView):
    serializer_class = ConveningSerializer

    def get_queryset(self):
        return convenings_for(self.request.user)


class CampaignFilter(PartnerFilterSet):
    status = django_filters.ChoiceFilter(
        choices=[c for c in Campaign.Status.choices if c[0] != Campaign.Status.PLANNING],
        help_text="active or concluded.",
    )
    focus_area = django_filters.CharFilter(
        field_name="focus_areas__slug", help_text="Slug of one of its focus areas."
    )
    alliance = django_filters.CharFilter(
        field_name="national_alliances__slug",
        help_text="Slug of a national alliance involved in it.",
    )

    class Meta:
        model = Campaign
        fields = ["status", "focus_area", "alliance"]


def campaigns_for(user):
    """Campaigns `user` may see (for a key, the public ones past planning), with their
    moments, and the statements and convenings of each moment that `user` may see."""
    # Through the reverse relation: campaigns knows nothing of statements, but their
    # queryset scopes itself to the viewer.
    statements = Moment._meta.get_field("statements").related_model.objects.visible_to(user)
    return Campaign.objects.visible_to(user).prefetch_related(
        "focus_areas",
        "national_alliances",
        Prefetch(
            "moments",
            queryset=Moment.objects.order_by("date", "id").prefetch_related(
                Prefetch(
                    "statements",
                    queryset=statements.only("id", "moment_id").order_by("id"),
                    to_attr="visible_statements",
                ),
                Prefetch(
                    "convenings",
                    queryset=Convening.objects.visible_to(user)
                    .only("id", "moment_id")
                    .order_by("id"),
                    to_attr="visible_convenings",
                ),
            ),
            to_attr="timeline",
        ),
    )


@extend_schema_view(
    get=extend_schema(
        summary="List campaigns",
        description="Public campaigns with the moments on their timeline; each moment "
        "names the statements and convenings timed to it.",
    )
)
class CampaignList(PartnerListView):
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    ordering_fields = ["starts_on", "created_at"]
    ordering = ["-starts_on", "-id"]

    def get_queryset(self):
        return campaigns_for(self.request.user)


@extend_schema_view(
    get=extend_schema(summary="One campaign", parameters=[id_parameter("campaign")])
)
class CampaignDetail(PartnerDetailView):
    serializer_class = CampaignSerializer

    def get_queryset(self):
        return campaigns_for(self.request.user)
