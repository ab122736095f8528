"""The directory's 50 rows a page, rendered once per content and language.

Rendering a row (a link, a kind, a country and a region translated, the memberships the
viewer may see) cost more than the page's queries. The rows are still read on every
request, so the directory is never behind the database: the rendered rows are kept in
Django's cache under a digest of exactly what they show, with the language.
"""

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

ROWS_CACHE_SECONDS = 600


def rows_html(organisations: list, *, ticks: bool = False) -> SafeString:
    """The table rows of `organisations` (from members.directory.directory_rows, with
    their `visible_memberships`), with a box to tick each for a bulk action if `ticks`."""
    shown = repr([_shown(organisation) for organisation in organisations])
    digest = hashlib.sha256(f"{translation.get_language()}|{ticks}|{shown}".encode()).hexdigest()
    key = f"directory-rows:{digest}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "members/includes/directory_rows.html",
            {"organisations": organisations, "ticks": ticks},
        )
        cache.set(key, html, ROWS_CACHE_SECONDS)
    # Written by the template above, which escapes every value; the cache keeps a str.
    return mark_safe(html)  # noqa: S308


def _shown(organisation) -> tuple:
    """Every value a row shows (members/includes/directory_rows.html)."""
    return (
        organisation.pk,
        organisation.slug,
        organisation.name,
        organisation.short_name,
        organisation.kind,
        organisation.city,
        organisation.country.code,
        organisation.region,
        organisation.global_south,
        [
            (membership.status, str(membership.alliance_name))
            for membership in organisation.visible_memberships
        ],
    )
