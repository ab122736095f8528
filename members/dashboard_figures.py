"""The dashboard's map, breakdowns, charts and growth tables, rendered once per figures
and language.

The figures themselves are a few sums (members.dashboard.composition, its groups cached
under a key of the memberships); writing them out as a map and some 2,000 table cells
cost three quarters of the page. The rendered part is kept in Django's cache under the
figures' digest (made once with the cached sums, and the targets) and the language, so
new figures are a new key at once.
"""

from collections.abc import Callable

from django.utils import translation
from django.utils.safestring import SafeString

from alliance.core.fragments import kept_html

FIGURES_CACHE_SECONDS = 600


def rendered(figures, context: Callable[[], dict]) -> SafeString:
    """members/includes/dashboard_figures.html for `figures` (a dashboard.Composition);
    `context` makes what the template needs, only when it is not kept."""
    return kept_html(
        "dashboard-figures",
        (translation.get_language(), figures.digest),
        "members/includes/dashboard_figures.html",
        context,
        seconds=FIGURES_CACHE_SECONDS,
    )


def target_fields(form, alliances, chosen) -> SafeString:
    """The target form's three fields (members/includes/dashboard_target_fields.html),
    drawn once per language, alliances offered and alliance chosen: the page's form is
    never bound (a refused target comes back as a message), and Django draws a select's
    options one template at a time."""
    return kept_html(
        "dashboard-target-fields",
        (
            translation.get_language(),
            list(alliances),
            chosen.slug if chosen else "",
        ),
        "members/includes/dashboard_target_fields.html",
        lambda: {"target_form": form},
        seconds=FIGURES_CACHE_SECONDS,
    )
