"""The tracking board's table of organisations asked: 200 rows a page, each with its
answer and its signature, read as plain values and rendered once per content.

Rendering the rows (a country name, an answer and a status translated, a time formatted,
per row) cost more than all the board's queries together. The rows are still read on
every request, so the page is never behind the database: the rendered table is kept in
Django's cache under a digest of exactly what it shows, with the language and time zone
it was written in.
"""

import hashlib

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django_countries import countries

from members.models import choice_label
from statements.models import Signature, SignOnRequest, Statement

PAGE_SIZE = 200
ROWS_CACHE_SECONDS = 600

REQUEST_COLUMNS = (
    "organisation_id",
    "organisation__name",
    "organisation__country",
    "answer",
    "answered_at",
)
SIGNATURE_COLUMNS = (
    "organisation_id",
    "signatory_name",
    "signatory_title",
    "status",
    "listed_publicly",
)


def page_of_requests(statement: Statement, *, answer: str, number) -> Page:
    """One page of the organisations asked, by name, with the chosen answer only. Its
    rows are read by rows_html; the paginator's count needs no organisation (as values,
    the count would join the organisations for nothing: 13 ms at 15,000 asked)."""
    requests = statement.signon_requests.order_by("organisation__name", "pk")
    if answer in SignOnRequest.Answer.values:
        requests = requests.filter(answer=answer)
    return Paginator(requests, PAGE_SIZE).get_page(number)


def rows_html(statement: Statement, page: Page) -> SafeString:
    """The table's rows for `page`: two queries (the page's values, their signatures)."""
    requests = list(page.object_list.values_list(*REQUEST_COLUMNS))
    # The latest signature of each organisation, as the rows show it.
    signatures = {
        row[0]: row[1:]
        for row in Signature.objects.filter(
            statement=statement, organisation_id__in=[request[0] for request in requests]
        )
        .order_by("created_at")
        .values_list(*SIGNATURE_COLUMNS)
    }
    shown = repr((requests, sorted(signatures.items())))
    language = translation.get_language()
    zone = timezone.get_current_timezone_name()
    digest = hashlib.sha256(f"{language}|{zone}|{shown}".encode()).hexdigest()
    key = f"tracking-rows:{digest}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "statements/includes/tracking_rows.html",
            {"rows": [_row(request, signatures.get(request[0])) for request in requests]},
        )
        cache.set(key, html, ROWS_CACHE_SECONDS)
    # Written by the template above, which escapes every value; the cache keeps a str.
    return mark_safe(html)  # noqa: S308


def _row(request: tuple, signature: tuple | None) -> dict:
    _organisation_id, name, country, answer, answered_at = request
    row = {
        "name": name,
        "country": countries.name(country),
        "answer": answer,
        "answer_label": choice_label(SignOnRequest.Answer, answer),
        "answered_at": answered_at,
        "signature": None,
    }
    if signature is not None:
        signatory_name, signatory_title, status, listed_publicly = signature
        row["signature"] = {
            "name": signatory_name,
            "title": signatory_title,
            "status_label": choice_label(Signature.Status, status),
            "listed_publicly": listed_publicly,
        }
    return row
