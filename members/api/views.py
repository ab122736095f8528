"""Organisations, focus areas, national alliances and memberships for partners; with
write:members, a profile change and an application to join, through the services the
pages use."""

import functools
from collections import defaultdict

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status
from rest_framework.response import Response

from alliance.core.api.exceptions import ApiError, error_body
from alliance.core.api.filters import PartnerFilterSet, UtcIsoDateTimeFilter
from alliance.core.api.idempotency import idempotent
from alliance.core.api.schema import ErrorSerializer, id_parameter
from alliance.core.api.scopes import Scope, acting_user
from alliance.core.api.views import PartnerDetailView, PartnerListView
from members import profiles, services
from members.api.serializers import (
    ContactSerializer,
    FocusAreaSerializer,
    MembershipApplicationInputSerializer,
    MembershipSerializer,
    NationalAllianceSerializer,
    OrganisationProfileInputSerializer,
    OrganisationSerializer,
    OrganisationWithContactsSerializer,
)
from members.models import (
    Contact,
    FocusArea,
    Membership,
    NationalAlliance,
    Organisation,
)


class OrganisationFilter(PartnerFilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        help_text="Words in its name, short name or city, as the directory searches "
        "(any case; accents too on PostgreSQL).",
    )
    updated_since = UtcIsoDateTimeFilter(
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
        fields = ["search", "updated_since", "country", "kind", "region", "alliance", "focus_area"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_alliance(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Membership.objects.live().filter(
                    organisation=OuterRef("pk"), national_alliance__slug=value
                )
            )
        )


def organisations_for(view, organisations=None):
    """Organisations the requester may see (a key sees what an anonymous visitor sees);
    contacts are loaded for keys with read:contacts. Focus areas and alliances come from
    `with_related_slugs`, once the page is cut."""
    if organisations is None:
        organisations = Organisation.objects.visible_to(view.request.user)
    # Never shown through the API: not worth reading 100 times a page.
    organisations = organisations.defer("internal_notes", "subregion")
    if view.has_scope(Scope.READ_CONTACTS):
        organisations = organisations.prefetch_related(
            Prefetch(
                "contacts",
                queryset=Contact.objects.filter(erased_at__isnull=True).order_by("name", "id"),
                to_attr="current_contacts",
            )
        )
    return organisations


def related_slugs(ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """The slugs of the focus areas and of the national alliances (live memberships) of
    the organisations `ids`, by organisation id, in two queries of plain values. The
    serializer only shows slugs: prefetching model rows made ~350 objects and 200 related
    managers per page of 100, a third of the request's CPU."""
    focus_areas, alliances = defaultdict(list), defaultdict(list)
    if ids:
        links = Organisation.focus_areas.through.objects.filter(organisation__in=ids)
        for organisation_id, slug in links.order_by("focusarea__slug").values_list(
            "organisation_id", "focusarea__slug"
        ):
            focus_areas[organisation_id].append(slug)
        memberships = Membership.objects.live().filter(
            organisation__in=ids, national_alliance__isnull=False
        )
        for organisation_id, slug in memberships.order_by("national_alliance__slug").values_list(
            "organisation_id", "national_alliance__slug"
        ):
            alliances[organisation_id].append(slug)
    return focus_areas, alliances


def reads_slug_arrays() -> bool:
    """Whether a list page reads the slugs with `slug_arrays` (PostgreSQL) rather than
    with `related_slugs` after the page is cut (databases without arrays)."""
    return connection.vendor == "postgresql"


def slug_arrays() -> dict:
    """The same slugs as `related_slugs`, as two PostgreSQL arrays for each row of the
    page's own query: a list page reads one query where it read three, and PostgreSQL
    computes them only for the rows the page keeps."""
    links = Organisation.focus_areas.through.objects.filter(organisation=OuterRef("pk"))
    memberships = Membership.objects.live().filter(
        organisation=OuterRef("pk"), national_alliance__isnull=False
    )
    return {
        "focus_area_slugs": ArraySubquery(
            links.order_by("focusarea__slug").values("focusarea__slug")
        ),
        "alliance_slugs": ArraySubquery(
            memberships.order_by("national_alliance__slug").values("national_alliance__slug")
        ),
    }


def with_related_slugs(organisations: list[Organisation]) -> list[Organisation]:
    """Set `focus_area_slugs` and `alliance_slugs`, which the serializer reads, on each
    organisation."""
    focus_areas, alliances = related_slugs([organisation.pk for organisation in organisations])
    for organisation in organisations:
        organisation.focus_area_slugs = focus_areas[organisation.pk]
        organisation.alliance_slugs = alliances[organisation.pk]
    return organisations


# Attributes the list views set on each row from other tables, after the page is cut.
RELATED_SOURCES = {"focus_area_slugs", "alliance_slugs", "current_contacts"}


@functools.cache
def columns_read_by(serializer_class) -> list[str]:
    """The columns (and annotations) a serializer reads from a row: the sources of its
    fields, less those set from other tables. A list page reads them with `.values()`:
    plain rows cost a fraction of model instances, and the serializer writes both."""
    return [
        field.source
        for field in serializer_class().fields.values()
        if field.source not in RELATED_SOURCES
    ]


def page_with_related(rows: list[dict], *, contacts: bool) -> list[dict]:
    """A page of organisation rows (`.values()`) with what the serializer reads from
    other tables: slugs (two queries, unless the rows hold them from `slug_arrays`) and,
    when asked, current contacts (one query)."""
    ids = [row["id"] for row in rows]
    if not reads_slug_arrays():
        focus_areas, alliances = related_slugs(ids)
        for row in rows:
            row["focus_area_slugs"] = focus_areas[row["id"]]
            row["alliance_slugs"] = alliances[row["id"]]
    current = defaultdict(list)
    if contacts and ids:
        for contact in (
            Contact.objects.filter(organisation__in=ids, erased_at__isnull=True)
            .order_by("name", "id")
            .values("organisation_id", *columns_read_by(ContactSerializer))
        ):
            current[contact.pop("organisation_id")].append(contact)
    if contacts:
        for row in rows:
            row["current_contacts"] = current[row["id"]]
    return rows


@functools.cache
def organisation_rows():
    """The organisation list's rows as values, with their slugs on PostgreSQL. Built once
    per process, as the signed-in user's query is (alliance.auth_backends): resolving the
    two array subqueries cost more Python than PostgreSQL takes to run them. Never
    evaluated itself: each request filters a copy."""
    rows = Organisation.objects.values(*columns_read_by(OrganisationSerializer))
    if reads_slug_arrays():
        rows = rows.annotate(**slug_arrays())
    return rows


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
        return organisation_rows().visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        page_with_related(page, contacts=self.has_scope(Scope.READ_CONTACTS))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    get=extend_schema(summary="One organisation", parameters=[id_parameter("organisation")]),
    patch=extend_schema(
        summary="Change an organisation's profile",
        parameters=[id_parameter("organisation")],
        description="Scope write:members. Send only the fields that change. The key acts "
        "for the person named when it was made (`acts for`; a key acting for nobody may not "
        "change organisations): they must be allowed to change this organisation on "
        "its page (a convenor; a coordinator of an alliance it belongs or applied to; one "
        "of its own people). The change is recorded in the organisation's history.",
        request=OrganisationProfileInputSerializer,
        responses={
            200: OrganisationWithContactsSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="A field is not valid (`validation_error`)."
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                description="The key lacks write:members (`insufficient_scope`), or the "
                "person it acts for may not change this organisation (`permission_denied`).",
            ),
        },
    ),
)
class OrganisationDetail(OrganisationSerializerChoice, PartnerDetailView):
    required_scopes = {"GET": Scope.READ, "PATCH": Scope.WRITE_MEMBERS}

    def get_queryset(self):
        return organisations_for(self)

    def get_object(self):
        return with_related_slugs([super().get_object()])[0]

    def patch(self, request, pk):
        editor = acting_user(request)
        # As on the edit page: 404 for what the editor may not see, 403 for what they
        # may see but not change.
        organisation = get_object_or_404(Organisation.objects.visible_to(editor), pk=pk)
        if not editor.has_perm("members.change_organisation", organisation):
            raise exceptions.PermissionDenied(
                _("The person this key acts for may not change this organisation.")
            )
        data = OrganisationProfileInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profiles.update_organisation(
            organisation=organisation, changed_by=editor, data=data.validated_data
        )
        changed = organisations_for(self, Organisation.objects.filter(pk=pk)).get()
        return Response(self.get_serializer(with_related_slugs([changed])[0]).data)


@extend_schema_view(get=extend_schema(summary="List focus areas"))
class FocusAreaList(PartnerListView):
    serializer_class = FocusAreaSerializer
    queryset = FocusArea.objects.all()
    ordering_fields = ["name", "slug"]
    ordering = ["name", "id"]


class NationalAllianceFilter(PartnerFilterSet):
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


class MembershipFilter(PartnerFilterSet):
    alliance = django_filters.CharFilter(
        method="filter_alliance",
        help_text="Slug of a national alliance, or `international` for the international alliance.",
    )
    status = django_filters.ChoiceFilter(
        choices=Membership.Status.choices,
        help_text="applied, approved, declined, suspended or left.",
    )
    organisation = django_filters.NumberFilter(
        field_name="organisation_id",
        # Beyond an id's range the database refuses the number (a 500): answer 400.
        min_value=1,
        max_value=2**31 - 1,
        help_text="Identifier of the organisation.",
    )
    updated_since = UtcIsoDateTimeFilter(
        method="filter_updated_since",
        help_text="Applied for or decided on at or after this time (ISO 8601).",
    )

    class Meta:
        model = Membership
        fields = ["alliance", "status", "organisation", "updated_since"]

    def filter_alliance(self, queryset, name, value):
        if value == "international":
            return queryset.filter(national_alliance__isnull=True)
        return queryset.filter(national_alliance__slug=value)

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(Q(applied_at__gte=value) | Q(decided_at__gte=value))


def with_alliance_and_version(memberships):
    """The two values the serializer reads from other tables, in the same query."""
    return memberships.annotate(
        alliance_slug=F("national_alliance__slug"), endorsed_version=F("principles__version")
    )


def memberships_for(user):
    """The memberships `user` may see, as the organisation pages show them: for a key,
    what an anonymous visitor sees (approved memberships of publicly listed members)."""
    return with_alliance_and_version(Membership.objects.visible_to(user))


APPLICATION_DESCRIPTION = """Scope write:members. What the public form does: the
organisation (an existing one, or a new one described in `new_organisation`) applies to
the national alliance of its country, or to the international alliance where there is
none; the applicant becomes one of its contacts and receives a link to confirm their
address; reviewers see the application once it is confirmed. The principles endorsed are
those of `principles_version`, which must be the current version.

A new organisation that looks like one already recorded (same website, or same name in
the same country) is refused with 409 `possible_duplicates`, whose `fields.organisation`
lists the identifiers of the probable duplicates visible to the key: apply with one of
them as `organisation`, or again with `not_a_duplicate: true`. An existing organisation
may apply only through a key whose person may change it.

Send an `Idempotency-Key` header: a retry with the same key and body returns the first
response."""


@extend_schema_view(
    get=extend_schema(
        summary="List memberships",
        description="Memberships of organisations in national alliances (and the "
        "international alliance), as the pages show them to the requester: for a key, "
        "approved memberships of publicly listed members.",
    ),
    post=extend_schema(
        summary="Apply to join",
        description=APPLICATION_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any unique string of up to 255 characters chosen by the partner "
                "per application: a retry with the same key returns the first response.",
            ),
        ],
        request=MembershipApplicationInputSerializer,
        responses={
            201: MembershipSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="A field is not valid, the principles were not endorsed, or "
                "`principles_version` is not the current version (`validation_error`).",
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                description="The key lacks write:members (`insufficient_scope`), or the "
                "person it acts for may not apply for this existing organisation "
                "(`permission_denied`).",
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="Probable duplicates of the new organisation exist among "
                "those the key's person may see (`possible_duplicates`); the organisation "
                "cannot apply there again (`application_refused`); no principles are "
                "published yet "
                "(`applications_closed`).",
            ),
            422: OpenApiResponse(
                ErrorSerializer,
                description="The Idempotency-Key was used with another body "
                "(`idempotency_key_reused`).",
            ),
        },
    ),
)
class MembershipList(PartnerListView):
    serializer_class = MembershipSerializer
    required_scopes = {"GET": Scope.READ, "POST": Scope.WRITE_MEMBERS}
    filterset_class = MembershipFilter
    ordering_fields = ["applied_at"]
    ordering = ["-applied_at", "-id"]

    def get_queryset(self):
        return memberships_for(self.request.user).values(*columns_read_by(MembershipSerializer))

    @idempotent
    def post(self, request):
        data = MembershipApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = data.validated_data
        applicant = application["applicant"]
        if "organisation" in application:
            organisation = self._existing_organisation(application["organisation"])
            focus_areas = []
        else:
            described = dict(application["new_organisation"])
            focus_areas = described.pop("focus_areas")
            organisation = Organisation(**described)
        try:
            membership = services.apply_to_join(
                organisation=organisation,
                applicant=services.Applicant(**applicant),
                principles_version=application["principles_version"],
                focus_areas=focus_areas,
                not_a_duplicate=application["not_a_duplicate"],
                seen_by=acting_user(request),
            )
        except services.ApplicationsClosed:
            raise ApiError(
                409, "applications_closed", _("No principles are published yet to endorse.")
            ) from None
        except services.PrinciplesChanged as changed:
            raise exceptions.ValidationError(
                {
                    "principles_version": [
                        _(
                            "The principles have been updated to version %(version)s: show "
                            "them to the applicant before they endorse them."
                        )
                        % {"version": changed.current_version}
                    ]
                }
            ) from None
        except services.PossibleDuplicates as found:
            return self._duplicates(found.organisations)
        except DjangoValidationError as refusal:
            raise ApiError(409, "application_refused", " ".join(refusal.messages)) from None
        # The applicant's own application, whether or not the key may list it.
        created = with_alliance_and_version(Membership.objects.filter(pk=membership.pk)).get()
        return Response(MembershipSerializer(created).data, status=status.HTTP_201_CREATED)

    def _existing_organisation(self, organisation_id: int) -> Organisation:
        applicant_for = acting_user(self.request)
        organisation = (
            Organisation.objects.visible_to(applicant_for).filter(pk=organisation_id).first()
        )
        if organisation is None:
            raise exceptions.ValidationError({"organisation": [_("No such organisation.")]})
        if not applicant_for.has_perm("members.change_organisation", organisation):
            raise exceptions.PermissionDenied(
                _("The person this key acts for may not apply for this organisation.")
            )
        return organisation

    def _duplicates(self, organisations) -> Response:
        return Response(
            error_body(
                "possible_duplicates",
                _(
                    "This organisation may be recorded already. Apply with one of these as "
                    "organisation, or again with not_a_duplicate: true."
                ),
                {"organisation": [str(organisation.pk) for organisation in organisations]},
            ),
            status=status.HTTP_409_CONFLICT,
        )


@extend_schema_view(
    get=extend_schema(summary="One membership", parameters=[id_parameter("membership")])
)
class MembershipDetail(PartnerDetailView):
    serializer_class = MembershipSerializer

    def get_queryset(self):
        return memberships_for(self.request.user)
