from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view

from alliance.api.views import PartnerListView
from campaigns.api.serializers import ConveningSerializer
from campaigns.models import Convening


class ConveningFilter(django_filters.FilterSet):
    alliance = django_filters.CharFilter(
        field_name="national_alliance__slug", help_text="Slug of the national alliance."
    )
    country = django_filters.CharFilter(
        field_name="national_alliance__country", help_text="Country of the national alliance."
    )
    status = django_filters.ChoiceFilter(
        choices=[c for c in Convening.Status.choices if c[0] != Convening.Status.DRAFT],
        help_text="scheduled, moved, cancelled or held.",
    )
    scope = django_filters.ChoiceFilter(
        choices=Convening.Scope.choices, help_text="international or national."
    )
    starts_after = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="gte", help_text="Starting at or after (ISO 8601)."
    )

    class Meta:
        model = Convening
        fields = ["alliance", "country", "status", "scope", "starts_after"]


@extend_schema_view(
    get=extend_schema(
        summary="List convenings",
        description="Public information about convenings that are not drafts.",
    )
)
class ConveningList(PartnerListView):
    serializer_class = ConveningSerializer
    filterset_class = ConveningFilter
    ordering_fields = ["starts_at", "created_at"]
    ordering = ["starts_at", "id"]

    def get_queryset(self):
        # That a convening takes place, when and where, is public once it is scheduled;
        # the pages show more (online link, invitations) to those invited, which the API
        # never does. (Convening.objects.visible_to answers for the pages' details.)
        return Convening.objects.exclude(status=Convening.Status.DRAFT).select_related(
            "national_alliance", "campaign"
        )
