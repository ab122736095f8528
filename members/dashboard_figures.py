"""The dashboard's map, breakdowns, charts and growth tables, rendered once per figures
and language.

The figures themselves are a few sums (members.dashboard.composition, its groups cached
under a key of the memberships); writing them out as a map and some 2,000 table cells
cost three quarters of the page. The rendered part is kept in Django's cache under a
digest of the figures it shows and the language, so new figures are a new key at once.
"""

import dataclasses
import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import models
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

FIGURES_CACHE_SECONDS = 600


def rendered(figures, context: Callable[[], dict]) -> SafeString:
    """members/includes/dashboard_figures.html for `figures` (a dashboard.Composition);
    `context` makes what the template needs, only when it is not kept."""
    shown = f"{translation.get_language()}|{_plain(figures)!r}"
    key = f"dashboard-figures:{hashlib.sha256(shown.encode()).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("members/includes/dashboard_figures.html", context())
        cache.set(key, html, FIGURES_CACHE_SECONDS)
    # Written by the template above, which escapes every value; the cache keeps a str.
    return mark_safe(html)  # noqa: S308


def _plain(value):
    """`value` as plain data whose repr says everything shown: translated labels as
    text (a lazy one's repr is its address), a model as its class and key."""
    if dataclasses.is_dataclass(value):
        return tuple(_plain(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, dict):  # members per kind, region or country: plain already
        return value
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, models.Model):
        return (type(value).__name__, value.pk)
    return value
