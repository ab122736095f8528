from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.response import Response

from alliance.core.api.exceptions import ApiError
from alliance.core.api.filters import PartnerFilterSet, UtcIsoDateTimeFilter
from alliance.core.api.idempotency import idempotent
from alliance.core.api.models import ApiKey
from alliance.core.api.schema import ErrorSerializer, id_parameter
from alliance.core.api.scopes import Scope
from alliance.core.api.views import PartnerDetailView, PartnerListView
from statements import services
from statements.api import signing
from statements.api.serializers import (
    SignatureInputSerializer,
    SignatureSerializer,
    SignatureWithEmailSerializer,
    StatementSerializer,
)
from statements.models import Signature, Statement, StatementVersion


class StatementFilter(PartnerFilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after (ISO 8601)."
    )
    status = django_filters.ChoiceFilter(
        choices=Statement.Status.choices, help_text="open, published or closed."
    )
    focus_area = django_filters.CharFilter(
        field_name="focus_areas__slug", help_text="Slug of one of its focus areas."
    )

    class Meta:
        model = Statement
        fields = ["updated_since", "status", "focus_area"]


def statements_for(view):
    """Statements the requester may see: for a key, what an anonymous visitor sees (the
    published ones, and those open to any organisation)."""
    # The count the periodic task stored (statements.counting), as the public page shows
    # it; counted here only for a statement the task has not reached yet. Postgres
    # evaluates COALESCE's arguments lazily, so the subquery runs for those rows alone.
    counted_now = (
        Signature.objects.counted()
        .filter(statement=OuterRef("pk"))
        .order_by()
        .values("statement")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        Statement.objects.visible_to(view.request.user)
        .annotate(
            signature_count=Coalesce(
                "counted_signatures", Subquery(counted_now, output_field=IntegerField()), 0
            )
        )
        .prefetch_related(
            "focus_areas",
            Prefetch(
                "versions",
                queryset=StatementVersion.objects.order_by("-number").prefetch_related("texts"),
                to_attr="current_versions",
            ),
        )
    )


@extend_schema_view(
    get=extend_schema(
        summary="List statements",
        description="Published statements, and those open for any organisation to sign, "
        "with the current text in every language.",
    )
)
class StatementList(PartnerListView):
    serializer_class = StatementSerializer
    filterset_class = StatementFilter
    ordering_fields = ["created_at", "updated_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return statements_for(self)


@extend_schema_view(
    get=extend_schema(summary="One statement", parameters=[id_parameter("statement")])
)
class StatementDetail(PartnerDetailView):
    serializer_class = StatementSerializer

    def get_queryset(self):
        return statements_for(self)


class SignatureFilter(PartnerFilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after (ISO 8601)."
    )
    country = django_filters.CharFilter(
        field_name="organisation__country", help_text="Country of the organisation (ISO code)."
    )

    class Meta:
        model = Signature
        fields = ["updated_since", "country"]


@extend_schema_view(
    get=extend_schema(
        summary="List the signatures of a statement",
        parameters=[id_parameter("statement")],
        description="Confirmed signatures listed publicly on published statements, as the "
        "public page shows them (with read:contacts, with their emails); a key of an "
        "organisation also sees its own. Signatures counted without the name are listed "
        "only to a key acting for a convenor with the read:unlisted scope.",
    ),
    post=extend_schema(
        summary="Record a signature the partner collected",
        parameters=[
            id_parameter("statement"),
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any unique string of up to 255 characters chosen by the partner "
                "per signature: a retry with the same key returns the first response.",
            ),
        ],
        description="Scope write:signatures. The same rules as the web: one signature per "
        "organisation, within the sign-on window, for organisations in the statement's "
        "audience. A key of the organisation itself, or acting for a convenor or one of the "
        "organisation's representatives, signs at once (201). Any other key is not known as "
        "one of the organisation's people: the signature is accepted (202, status "
        "`pending_verification`) and its signatory is emailed a link to confirm; it counts "
        "once confirmed from one of the organisation's addresses, or once a convenor or the "
        "organisation's coordinator approves it. The 202 is the same whether or not the "
        "organisation has signed. Send an `Idempotency-Key` header: a retry with the same "
        "key and body "
        "returns the first response (header `Idempotent-Replayed: true`); the same key "
        "with a different body is refused (422, `idempotency_key_reused`).",
        request=SignatureInputSerializer,
        responses={
            201: SignatureWithEmailSerializer,
            202: SignatureWithEmailSerializer,
            403: OpenApiResponse(
                ErrorSerializer,
                description="The key lacks write:signatures (`insufficient_scope`), or the "
                "organisation is not in the statement's audience (`not_in_audience`).",
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The organisation has signed already (`already_signed`: only to "
                "a key that speaks for it), or "
                "the statement is not open for signatures (`statement_not_open`).",
            ),
            422: OpenApiResponse(
                ErrorSerializer,
                description="The Idempotency-Key was used with another body "
                "(`idempotency_key_reused`).",
            ),
        },
    ),
)
class StatementSignatures(PartnerListView):
    queryset = Signature.objects.none()  # tells the schema the model; see get_queryset
    required_scopes = {"GET": Scope.READ, "POST": Scope.WRITE_SIGNATURES}
    filterset_class = SignatureFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    error_responses = {"404": "No such statement, or not visible to this key (`not_found`)."}

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False):
            return SignatureSerializer
        if self.request.method == "POST" or self.has_scope(Scope.READ_CONTACTS):
            return SignatureWithEmailSerializer
        return SignatureSerializer

    def get_queryset(self):
        statement = get_object_or_404(
            Statement.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        key = self.request.auth if isinstance(self.request.auth, ApiKey) else None
        if key is not None:
            signatures = Signature.objects.visible_to_key(key)
        else:
            signatures = Signature.objects.visible_to(self.request.user)
        return signatures.filter(statement=statement).select_related("organisation")

    @idempotent
    def post(self, request, pk):
        statement = signing.signable_statement(pk)
        data = SignatureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = signing.partner_organisation(request, data.validated_data["organisation"])
        signatory = services.Signatory(
            name=data.validated_data["signatory_name"],
            email=data.validated_data["signatory_email"],
            title=data.validated_data["signatory_title"],
            listed_publicly=data.validated_data["listed_publicly"],
        )
        try:
            recorded = signing.record_partner_signature(
                request=request,
                statement=statement,
                organisation=organisation,
                signatory=signatory,
                language=data.validated_data.get("language"),
            )
        except services.AlreadySigned:
            raise ApiError(
                409, "already_signed", _("This organisation has signed this statement already.")
            ) from None
        return Response(
            SignatureWithEmailSerializer(recorded.signature).data, status=recorded.status_code
        )
