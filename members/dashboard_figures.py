"""The dashboard's map, breakdowns, charts and growth tables, rendered once per figures
and language.

The figures themselves are a few sums (members.dashboard.composition, its groups cached
under a key of the memberships); writing them out as a map and some 2,000 table cells
cost three quarters of the page. The rendered part is kept in Django's cache under the
figures' digest (made once with the cached sums, and the targets) and the language, so
new figures are a new key at once.
"""

from collections.abc import Callable

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

FIGURES_CACHE_SECONDS = 600


def rendered(figures, context: Callable[[], dict]) -> SafeString:
    """members/includes/dashboard_figures.html for `figures` (a dashboard.Composition);
    `context` makes what the template needs, only when it is not kept."""
    key = f"dashboard-figures:{translation.get_language()}:{figures.digest}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("members/includes/dashboard_figures.html", context())
        cache.set(key, str(html), FIGURES_CACHE_SECONDS)
    # Written by the template above, which escapes every value; the cache keeps a str.
    return mark_safe(html)  # noqa: S308
