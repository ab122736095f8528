"""The base every partner API view builds on: key or session authentication, scopes,
throttling per key, keyset pagination, filters, ordering and the one error shape."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import authentication, exceptions, filters, generics
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from alliance.core.api.authentication import ApiKeyAuthentication
from alliance.core.api.exceptions import ApiError
from alliance.core.api.pagination import KeysetPagination
from alliance.core.api.permissions import HasScope
from alliance.core.api.schema import ApiAutoSchema
from alliance.core.api.scopes import Scope, scopes_of
from alliance.core.api.throttling import ApiKeyRateThrottle


class PartnerFilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the view's filters: building
    and validating the filter form is a noticeable share of a list's CPU, and with no filter
    given every filter leaves the queryset as it is."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        # A filter's parameters start with its name (`created` or `created_after`): any
        # parameter that might belong to one takes the full way.
        names = tuple(filterset_class.base_filters)
        if not any(parameter.startswith(names) for parameter in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


class PartnerApiMixin:
    # The key first: its challenge ("Bearer") makes a missing key a 401, not a 403.
    authentication_classes = [ApiKeyAuthentication, authentication.SessionAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ApiKeyRateThrottle]
    pagination_class = KeysetPagination
    filter_backends = [PartnerFilterBackend, filters.OrderingFilter]
    schema = ApiAutoSchema()
    required_scopes = {"GET": Scope.READ}
    error_responses: dict[str, str] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "GET" and hasattr(self, "list"):
            self.refuse_unknown_parameters(request)

    def refuse_unknown_parameters(self, request) -> None:
        """A list answers 400 to a parameter it does not know: a misspelt filter
        (`?serach=`) silently ignored would return every row as if it had matched."""
        known = known_query_parameters(self)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            message = _("Unknown query parameter. This list accepts: %(known)s.") % {
                "known": ", ".join(sorted(known))
            }
            raise exceptions.ValidationError({name: [message] for name in unknown})

    def has_scope(self, scope: str) -> bool:
        return scope in scopes_of(self.request)


def known_query_parameters(view) -> set[str]:
    """Every query parameter a list view understands: its filters (a range filter's
    `created_after` and `created_before`), ordering, pagination and the format override."""
    known = {api_settings.URL_FORMAT_OVERRIDE} - {None}
    paginator = view.paginator
    if paginator is not None:
        known |= {getattr(paginator, "cursor_query_param", None)}
        known |= {getattr(paginator, "page_size_query_param", None)}
    for backend in view.filter_backends:
        if issubclass(backend, filters.OrderingFilter):
            known.add(backend.ordering_param)
        elif issubclass(backend, filters.SearchFilter):
            known.add(backend.search_param)
        elif issubclass(backend, DjangoFilterBackend):
            filterset_class = getattr(view, "filterset_class", None)
            for name, declared in (filterset_class.base_filters if filterset_class else {}).items():
                suffixes = getattr(declared.field_class.widget, "suffixes", None)
                known |= {f"{name}_{suffix}" for suffix in suffixes} if suffixes else {name}
    return known - {None}


class PartnerListView(PartnerApiMixin, generics.ListAPIView):
    pass


class PartnerDetailView(PartnerApiMixin, generics.RetrieveAPIView):
    error_responses = {"404": "No such object, or not visible to this key (`not_found`)."}


# The lists the root links to, by URL name (alliance/api_urls.py), and where to read
# about them.
ROOT_LINKS = {
    "organisations": "api:organisations",
    "focus_areas": "api:focus-areas",
    "national_alliances": "api:alliances",
    "memberships": "api:memberships",
    "campaigns": "api:campaigns",
    "statements": "api:statements",
    "convenings": "api:convenings",
    "webhooks": "api:webhooks",
    "schema": "api:schema",
    "docs": "api:docs",
}


@extend_schema(exclude=True)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def api_root(request):
    """/api/v1/: where everything is, for a partner (or a person) starting out. Listing
    the endpoints needs no key; reading them does."""
    return Response(
        {
            name: request.build_absolute_uri(reverse(url_name))
            for name, url_name in ROOT_LINKS.items()
        }
    )


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([AllowAny])
def not_found(request, path=""):
    """Unknown paths under /api/v1/ answer in the API's error shape, not with an HTML page."""
    raise ApiError(404, "not_found", _("There is no such endpoint."))
