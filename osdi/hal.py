"""What makes a response OSDI's: HAL+JSON whatever the client asks for, absolute links
with the identifier as the last segment, UTC dates, and the paging envelope."""

import hashlib
import math
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer

NAMESPACE = "alliance_hub"
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
CURIES = [
    {"name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}", "templated": True}
]


class HalJsonRenderer(JSONRenderer):
    media_type = "application/hal+json"


class HalJsonParser(JSONParser):
    media_type = "application/hal+json"


class HalOnly(BaseContentNegotiation):
    """OSDI answers HAL+JSON to every client: Action Network clients send
    `Accept: application/json` or nothing, and must not get a 406."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.split(";")[0].strip() == parser.media_type:
                return parser
        return parsers[0] if not request.content_type else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def identifiers(pk: int) -> list[str]:
    return [f"{NAMESPACE}:{pk}"]


def date(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC, to the second, as OSDI's examples write it."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def link(href: str, **extra) -> dict:
    return {"href": href, **extra}


class Base:
    """Absolute URLs without a trailing slash: under /osdi/v1/ (`base("people", 7)`) and
    of the site's pages (`base.page("/statements/x/")`); from the request when there is
    one, from SITE_URL for a webhook."""

    def __init__(self, site: str):
        self.site = site.rstrip("/")

    @classmethod
    def of(cls, request) -> "Base":
        return cls(request.build_absolute_uri("/"))

    def __call__(self, *parts) -> str:
        return "/".join([f"{self.site}/osdi/v1", *(str(part) for part in parts)])

    def page(self, path: str) -> str:
        return self.site + path


def page_parameters(request) -> tuple[int, int]:
    """`page` (from 1) and `per_page` (default 25, at most MAX_PER_PAGE: more is served
    as the maximum, as Action Network does)."""
    values = {}
    for name, default in (("page", 1), ("per_page", DEFAULT_PER_PAGE)):
        raw = request.query_params.get(name, default)
        try:
            values[name] = int(raw)
        except (TypeError, ValueError):
            values[name] = 0
        if values[name] < 1:
            raise ValidationError({name: [_("A whole number from 1.")]})
    return values["page"], min(values["per_page"], MAX_PER_PAGE)


def page_link(request, page: int) -> dict:
    query = request.query_params.copy()
    query["page"] = str(page)
    return link(request.build_absolute_uri(request.path.rstrip("/")) + "?" + query.urlencode())


def count(queryset) -> int:
    """`total_records`, kept for OSDI_COUNT_SECONDS (default 10) per query: counting
    124,000 contacts or 45,000 signatures costs Postgres 40 to 90 ms on every page, while
    a client walking a collection page by page needs the same total on each. The key is
    the query's SQL with its parameters, which holds the key's own visibility filters:
    a count is never shared between queries that see different rows."""
    seconds = getattr(settings, "OSDI_COUNT_SECONDS", 10)
    if not seconds:
        return queryset.count()
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return 0
    digest = hashlib.sha256(f"{queryset.db}\n{sql}\n{params!r}".encode()).hexdigest()
    return cache.get_or_set(f"osdi:count:{digest}", queryset.count, seconds)


def collection(request, *, name: str, queryset, represent) -> dict:
    """One page of `queryset` as an OSDI collection: the envelope, `next`/`prev` links
    that keep the filter and `per_page`, and the page's resources under `_embedded`
    (`represent` turns the page's rows into resources in a fixed number of queries).
    A page past the end is empty, not an error."""
    page, per_page = page_parameters(request)
    total = count(queryset)
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page])
    resources = represent(rows)
    total_pages = math.ceil(total / per_page)
    links = {"self": page_link(request, page)}
    if page < total_pages:
        links["next"] = page_link(request, page + 1)
    if page > 1:
        links["prev"] = page_link(request, min(page - 1, max(total_pages, 1)))
    links[name] = [link(resource["_links"]["self"]["href"]) for resource in resources]
    links["curies"] = CURIES
    return {
        "total_pages": total_pages,
        "per_page": per_page,
        "page": page,
        "total_records": total,
        "_links": links,
        "_embedded": {name: resources},
    }
