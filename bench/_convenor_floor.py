"""The floors of bench/convenor.py: what Django and DRF, written as their tutorials write
them, cost on this machine for a page of 100 organisations, under the whole of
production's settings and middleware, at the pages' own paths (so that nginx applies the
same locations to them). Each does strictly less than the page it stands under:

- `/members/directory/`: a signed-in page in the site's layout listing the first 100
  organisations the viewer may see, by name, with kind, place and memberships; no search,
  no filters, no counts, no selection (a function view, the ORM with
  `prefetch_related`, a template extending base.html).
- `/api/v1/organisations/`: the same 16 fields as the partner API's list, a DRF
  `ModelSerializer` over model instances with `prefetch_related`, `ListAPIView`,
  `CursorPagination` of 100, django-filter's `filterset_fields` and `OrderingFilter`, the
  project's key authentication, scope check and throttle.

Run by gunicorn with production's command line, `_convenor_floor` in place of
`alliance.wsgi`.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
settings.ROOT_URLCONF = __name__  # this module's URLs, below

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.db.models import Prefetch  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import include, path  # noqa: E402
from django_countries.serializer_fields import CountryField  # noqa: E402
from django_filters.rest_framework import DjangoFilterBackend  # noqa: E402
from rest_framework import filters, generics, pagination, serializers  # noqa: E402

from alliance.core.api.authentication import ApiKeyAuthentication  # noqa: E402
from alliance.core.api.permissions import HasScope  # noqa: E402
from alliance.core.api.scopes import Scope  # noqa: E402
from alliance.core.api.throttling import ApiKeyRateThrottle  # noqa: E402
from members.api.serializers import (  # noqa: E402
    OrganisationSerializer as PartnerOrganisationSerializer,
)
from members.models import Membership, Organisation  # noqa: E402

DIRECTORY = engines["django"].from_string(
    """{% extends "base.html" %}{% load i18n %}
{% block title %}{% translate "Directory" %} · {% endblock title %}
{% block content %}
<h1>{% translate "Directory" %}</h1>
<table class="table directory-table">
  <thead><tr>
    <th scope="col">{% translate "Organisation" %}</th>
    <th scope="col">{% translate "Kind" %}</th>
    <th scope="col">{% translate "Place" %}</th>
    <th scope="col">{% translate "Memberships" %}</th>
  </tr></thead>
  <tbody>
  {% for organisation in organisations %}
    <tr>
      <th scope="row">
        <a href="{{ organisation.get_absolute_url }}">{{ organisation.name }}</a>
        {% if organisation.short_name %}
          <span class="muted">{{ organisation.short_name }}</span>
        {% endif %}
      </th>
      <td>{{ organisation.get_kind_display }}</td>
      <td>
        {% if organisation.city %}{{ organisation.city }}, {% endif %}
        {{ organisation.country.name }}
      </td>
      <td>
        {% for membership in organisation.memberships.all %}
          {{ membership.national_alliance.name|default:_("International") }}
          ({{ membership.get_status_display }}){% if not forloop.last %}, {% endif %}
        {% endfor %}
      </td>
    </tr>
  {% endfor %}
  </tbody>
</table>
{% endblock content %}"""
)


@login_required
def directory(request):
    organisations = (
        Organisation.objects.visible_to(request.user)
        .order_by("name", "id")
        .prefetch_related("memberships__national_alliance")[:100]
    )
    return HttpResponse(DIRECTORY.render({"organisations": organisations}, request))


class OrganisationSerializer(serializers.ModelSerializer):
    country = CountryField()
    focus_areas = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    national_alliances = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = PartnerOrganisationSerializer.Meta.fields  # the same 16, in order

    def get_national_alliances(self, organisation):
        return [membership.national_alliance.slug for membership in organisation.approved]


class Pages(pagination.CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    ordering = ("name", "id")


class OrganisationList(generics.ListAPIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    required_scopes = {"GET": Scope.READ}
    throttle_classes = [ApiKeyRateThrottle]
    serializer_class = OrganisationSerializer
    pagination_class = Pages
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_fields = ["country"]
    ordering_fields = ["name", "updated_at"]

    def get_queryset(self):
        approved = Membership.objects.filter(
            status=Membership.Status.APPROVED, national_alliance__isnull=False
        ).select_related("national_alliance")
        return Organisation.objects.visible_to(self.request.user).prefetch_related(
            "focus_areas", Prefetch("memberships", queryset=approved, to_attr="approved")
        )


def healthz(request):
    return HttpResponse("ok")


urlpatterns = [
    path("members/directory/", directory),
    path("api/v1/organisations/", OrganisationList.as_view()),
    path("healthz", healthz),
    # base.html's links (navigation, language form, sign-out) name the project's URLs.
    path("", include("alliance.urls")),
]
