"""The base every partner API view builds on: key or session authentication, scopes,
throttling per key, keyset pagination, filters, ordering and the one error shape."""

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import authentication, filters, generics
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny

from alliance.api.authentication import ApiKeyAuthentication
from alliance.api.exceptions import ApiError, exception_handler
from alliance.api.pagination import KeysetPagination
from alliance.api.permissions import HasScope
from alliance.api.schema import ApiAutoSchema
from alliance.api.scopes import Scope, scopes_of
from alliance.api.throttling import ApiKeyRateThrottle


class PartnerFilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the view's filters: building
    and validating the filter form costs about 1 ms of CPU a request, and with no filter
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

    def get_exception_handler(self):
        return exception_handler

    def has_scope(self, scope: str) -> bool:
        return scope in scopes_of(self.request)


class PartnerListView(PartnerApiMixin, generics.ListAPIView):
    pass


class PartnerDetailView(PartnerApiMixin, generics.RetrieveAPIView):
    error_responses = {"404": "No such object, or not visible to this key (`not_found`)."}


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([AllowAny])
def not_found(request, path=""):
    """Unknown paths under /api/v1/ answer in the API's error shape, not with an HTML page."""
    raise ApiError(404, "not_found", _("There is no such endpoint."))


not_found.cls.get_exception_handler = lambda self: exception_handler
