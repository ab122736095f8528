"""The directory's 50 rows a page, rendered once per content and language.

Rendering a row (a link, a kind, a country and a region translated, the memberships the
viewer may see) cost more than the page's queries. The rows are still read on every
request, so the directory is never behind the database: the rendered rows are kept in
Django's cache under a digest of exactly what they show, with the language.
"""

from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from alliance.core.fragments import kept_html
from members.classification import REGION_NAMES
from members.models import Membership, Organisation, choice_label

ROWS_CACHE_SECONDS = 600


def rows_html(organisations: list, memberships: dict, *, ticks: bool = False) -> SafeString:
    """The table rows of `organisations` (members.directory.directory_rows) with their
    `memberships` the viewer may see (members.directory.visible_memberships), with a
    box to tick each for a bulk action if `ticks`."""
    rows = [
        Row(organisation, memberships.get(organisation.id, ())) for organisation in organisations
    ]
    return kept_html(
        "directory-rows",
        (translation.get_language(), ticks, [row.shown for row in rows]),
        "members/includes/directory_rows.html",
        lambda: {"organisations": rows, "ticks": ticks},
        seconds=ROWS_CACHE_SECONDS,
    )


class Row:
    """One organisation as members/includes/directory_rows.html shows it."""

    def __init__(self, organisation, memberships):
        self.pk = organisation.id
        self.slug = organisation.slug
        self.name = organisation.name
        self.short_name = organisation.short_name
        self.kind = organisation.kind
        self.city = organisation.city
        self.country = organisation.country
        self.region = organisation.region
        self.global_south = organisation.global_south
        self.memberships = memberships

    @property
    def shown(self) -> tuple:
        """Every value the row shows."""
        return (
            self.pk,
            self.slug,
            self.name,
            self.short_name,
            self.kind,
            self.city,
            self.country,
            self.region,
            self.global_south,
            # The name of the international alliance follows the language, in the key.
            list(self.memberships),
        )

    def get_absolute_url(self) -> str:
        return reverse("members:organisation", kwargs={"slug": self.slug})

    def get_kind_display(self) -> str:
        return choice_label(Organisation.Kind, self.kind)

    @property
    def country_name(self) -> str:
        return countries.name(self.country)

    @property
    def region_name(self) -> str:
        return str(REGION_NAMES.get(self.region, ""))

    @property
    def visible_memberships(self) -> list[dict]:
        return [
            {
                "status": status,
                "alliance_name": alliance_name(alliance),
                "get_status_display": choice_label(Membership.Status, status),
            }
            for status, alliance in self.memberships
        ]


def alliance_name(alliance: str | None) -> str:
    """As Membership.alliance_name: no national alliance is the international one."""
    return alliance if alliance is not None else _("the international alliance")
