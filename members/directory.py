"""The member directory's query: filters from the URL, a sort, and keyset pagination.

A directory of 100,000 organisations is paged by keyset, never by OFFSET and never with a
COUNT(*) of the table: a page is the 50 rows that follow (or precede) the cursor in the
sort order, read through an index on the sort columns. The cursor is the sort key of the
last (or first) row shown, carried in the "next" and "previous" links next to the
filters, so that every view of the directory can be bookmarked and shared.
"""

import base64
import binascii
import datetime as dt
import functools
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from alliance.core.fragments import kept_html
from alliance.core.permissions import is_convenor
from members.classification import REGION_NAMES
from members.models import (
    FILTER_LISTS_KEY,
    FILTER_LISTS_SECONDS,
    FocusArea,
    Membership,
    NationalAlliance,
    Organisation,
    Reach,
    focus_area_name,
    reach,
)

PAGE_SIZE = 50
FORM_CACHE_SECONDS = 600


@dataclass(frozen=True)
class Sort:
    label: str
    # Columns of the keyset, ending with a unique one, all in the same direction (so that
    # one row comparison decides "after the cursor"); an index covers each.
    keys: tuple[str, ...]
    descending: bool = False


SORTS = {
    "name": Sort(_("Name"), ("name", "id")),
    "country": Sort(_("Country"), ("country", "name", "id")),
    "newest": Sort(_("Newest first"), ("created_at", "id"), descending=True),
}
DEFAULT_SORT = "name"


class QuickSelect(forms.Select):
    """A <select> written in Python: Django renders each <option> through a template,
    which for some 250 countries costs more than the page's queries put together."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        attrs = self.build_attrs(self.attrs, attrs)
        options = tuple((str(value), str(label)) for value, label in self._flat_choices())
        return _select_html(name, flatatt(attrs), options, frozenset(chosen))

    def _flat_choices(self):
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # an optgroup: not used here, flatten it
                yield from label
            else:
                # ModelChoiceIterator wraps the value of model choices.
                yield getattr(option_value, "value", option_value), label


# Escaping every option of the same few selects (some 250 countries in four languages)
# again for each page was a third of the directory's Python time; the HTML is a function
# of its arguments alone.
@functools.lru_cache(maxsize=512)
def _select_html(name: str, attrs: str, options: tuple, chosen: frozenset) -> str:
    rendered = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if value in chosen else "", label)
            for value, label in options
        ),
    )
    return format_html('<select name="{}"{}>{}</select>', name, attrs, rendered)


@functools.lru_cache(maxsize=32)
def country_choices(language: str) -> list[tuple[str, str]]:
    """Countries sorted by their name in `language`: django-countries translates and
    sorts some 250 names each time it is asked, on every page otherwise. The filter's
    field adds the empty choice itself."""
    return [(code, str(name)) for code, name in countries]


def countries_in_language() -> list[tuple[str, str]]:
    return country_choices(get_language())


def filter_lists() -> dict:
    """The focus areas as (slug, name, translations) and the national alliances as (slug,
    name), each sorted by name: the same for every page, so read once and kept
    (members.models.FILTER_LISTS_KEY says until when)."""
    lists = cache.get(FILTER_LISTS_KEY)
    if lists is None:
        lists = {
            "focus": list(FocusArea.objects.values_list("slug", "name", "translations")),
            "alliance": list(NationalAlliance.objects.order_by("name").values_list("slug", "name")),
        }
        cache.set(FILTER_LISTS_KEY, lists, FILTER_LISTS_SECONDS)
    return lists


def focus_area_options(lists: dict) -> list[tuple[str, str]]:
    """The focus areas as (slug, name in the page's language), sorted by name."""
    language = get_language() or settings.LANGUAGE_CODE
    return [
        (slug, focus_area_name(name, translations, language))
        for slug, name, translations in lists["focus"]
    ]


def alliance_options(lists: dict) -> list[tuple[str, str]]:
    """The national alliances as (slug, name), sorted by name."""
    return [(slug, name) for slug, name in lists["alliance"]]


class OptionList:
    """The choices of a select, taken from filter_lists when first drawn, and only once:
    the widget looks at them twice (its first option decides `required`)."""

    def __init__(self, empty_label: str, read, lists):
        self.empty_label = empty_label
        self.read = read
        self.lists = lists
        self.options = None

    def __call__(self) -> list[tuple[str, str]]:
        if self.options is None:
            self.options = [("", self.empty_label), *self.read(self.lists())]
        return self.options


class DirectoryFilter(django_filters.FilterSet):
    """The directory's filters: every one of them a URL parameter."""

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search", help_text=_("Name, short name or city.")
    )
    # Choices given as functions: a list of them would be deep-copied, filter by filter
    # and field by field, for every page (some 250 countries).
    country = django_filters.ChoiceFilter(label=_("Country"), choices=countries_in_language)
    region = django_filters.ChoiceFilter(label=_("Region"), choices=REGION_NAMES.items)
    south = django_filters.ChoiceFilter(
        label=_("Global south / north"),
        choices=lambda: [("south", _("Global south")), ("north", _("Global north"))],
        method="filter_south",
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=lambda: Organisation.Kind.choices)
    focus = django_filters.ModelChoiceFilter(
        label=_("Focus area"),
        queryset=FocusArea.objects.all(),
        to_field_name="slug",
        method="filter_focus",
    )
    alliance = django_filters.ModelChoiceFilter(
        label=_("National alliance"),
        queryset=NationalAlliance.objects.order_by("name"),
        to_field_name="slug",
        method="keep",
    )
    status = django_filters.ChoiceFilter(
        label=_("Membership status"),
        choices=lambda: Membership.Status.choices,
        method="keep",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=lambda: [(key, sort.label) for key, sort in SORTS.items()],
        empty_label=None,
        method="keep",
    )

    class Meta:
        model = Organisation
        fields = ["q", "country", "region", "south", "kind", "focus", "alliance", "status"]

    def __init__(self, *args, user=None, reached: Reach | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.reached = reached
        # The lists of focus areas and alliances are taken when the form is drawn, from
        # filter_lists: a model choice field reads them through a server-side cursor
        # (three round trips each) on every page. Their values are still checked
        # against the field's queryset.
        options = {"focus": focus_area_options, "alliance": alliance_options}
        self.option_lists = {}
        for name, field in self.form.fields.items():
            if not isinstance(field.widget, forms.Select):
                continue
            choices = field.choices
            if name in options:
                choices = self.option_lists[name] = OptionList(
                    field.empty_label, options[name], lambda: self.filter_lists
                )
            field.widget = QuickSelect(attrs=field.widget.attrs, choices=choices)

    @functools.cached_property
    def filter_lists(self) -> dict:
        return filter_lists()

    def fields_html(self) -> SafeString:
        """The form's fields as includes/form_field.html draws them, kept in Django's
        cache under a digest of all they show: the language, the values submitted (and
        so their errors) and the lists of focus areas and alliances. Drawing nine fields
        through the template cost more than the page's rows."""
        shown = (
            get_language(),
            [(name, self.data.get(name)) for name in self.form.fields],
            [options() for options in self.option_lists.values()],
        )
        return kept_html(
            "directory-form",
            shown,
            "members/includes/directory_form_fields.html",
            lambda: {"form": self.form},
            seconds=FORM_CACHE_SECONDS,
        )

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_south(self, queryset, name, value):
        return queryset.filter(global_south=value == "south")

    def filter_focus(self, queryset, name, value):
        # EXISTS rather than a join: a join would repeat rows and need DISTINCT.
        return queryset.filter(
            Exists(
                Organisation.focus_areas.through.objects.filter(
                    organisation=OuterRef("pk"), focusarea=value
                )
            )
        )

    def keep(self, queryset, name, value):
        """Alliance, status and sort are applied by filter_queryset and the page."""
        return queryset

    def filter_queryset(self, queryset):
        # Alliance and status describe the same membership ("applied to Uganda"), so
        # both go into one EXISTS (a join would also repeat rows and need DISTINCT).
        # Only memberships the viewer may see count: filtering on the others would tell
        # who applied, or was declined, where.
        queryset = super().filter_queryset(queryset)
        alliance = self.form.cleaned_data.get("alliance")
        status = self.form.cleaned_data.get("status")
        if not (alliance or status):
            return queryset.visible_to(self.user, reached=self.reached)
        # Whoever may see a membership may see its organisation (members.models), so
        # this EXISTS says the organisation is visible too: a second one to say so would
        # only cost PostgreSQL planning and reading (tests/directory, "same rows").
        if status:
            memberships = Membership.objects.visible_to_in_status(
                self.user, status, reached=self.reached
            )
        else:
            memberships = Membership.objects.visible_to(self.user)
        memberships = memberships.filter(organisation=OuterRef("pk"))
        if alliance:
            memberships = memberships.filter(national_alliance=alliance)
        return queryset.filter(Exists(memberships))

    @property
    def chosen_sort(self) -> Sort:
        return SORTS[self.sort_key]

    @property
    def sort_key(self) -> str:
        chosen = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        return chosen if chosen in SORTS else DEFAULT_SORT

    def filtered_query(self) -> str:
        """The filters as a query string (without the cursor), for links and the CSV."""
        params = self.data.copy()
        for name in ("after", "before"):
            params.pop(name, None)
        return params.urlencode()


def directory_filter(data, user) -> DirectoryFilter:
    """The directory's filters on `data` for `user`: its `qs` holds only organisations
    `user` may see (always bound: django-filter leaves an unbound set's queryset
    unfiltered, and visibility is one of its filters)."""
    return DirectoryFilter(
        data if data is not None else QueryDict(),
        queryset=Organisation.objects.all(),
        user=user,
        reached=viewer_reach(user),
    )


def viewer_reach(user) -> Reach | None:
    """What the page's questions of visibility need to know of a coordinator or member
    representative, read once for all of them (None for convenors and visitors, whose
    answers need none)."""
    if is_convenor(user) or not (user and user.is_authenticated):
        return None
    return reach(user)


# Cursors --------------------------------------------------------------------------------


def encode_cursor(organisation: Organisation, sort: Sort) -> str:
    values = []
    for key in sort.keys:
        value = getattr(organisation, key)
        if key == "country":
            value = getattr(value, "code", value)  # a model's Country, or a row's code
        elif isinstance(value, dt.datetime):
            value = value.isoformat()
        values.append(value)
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sort) -> list | None:
    """The sort key in `cursor`, or None when it is not one (edited by hand, or made
    for another sort): the page then starts from the beginning."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != len(sort.keys):
        return None
    if not isinstance(values[-1], int) or not all(isinstance(v, str) for v in values[:-1]):
        return None
    if "created_at" in sort.keys:
        try:
            values[0] = dt.datetime.fromisoformat(values[0])
        except ValueError:
            return None
    return values


def beyond(sort: Sort, values: list, *, forward: bool) -> Q:
    """Rows strictly after `values` in the sort order (or before, if not `forward`).

    The row comparison (k1, k2, k3) > (v1, v2, v3) written as OR-ed prefixes, with a
    redundant k1 >= v1 in front so that Postgres starts the index scan at the cursor
    instead of filtering from the first row.
    """
    after = forward != sort.descending
    strictly, inclusive = ("gt", "gte") if after else ("lt", "lte")
    keys = sort.keys
    prefixes = [
        Q(**{f"{keys[i]}__{strictly}": values[i]}, **dict(zip(keys[:i], values[:i], strict=True)))
        for i in range(len(keys))
    ]
    return Q(**{f"{keys[0]}__{inclusive}": values[0]}) & reduce(or_, prefixes)


def ordering(sort: Sort, *, forward: bool) -> list[str]:
    descending = sort.descending == forward
    return [f"-{key}" if descending else key for key in sort.keys]


# Beyond it a broad search says "more than 100": counting every match of a word found in
# thousands of names would read them all, for a figure nobody needs exactly. A bound of
# two pages keeps PostgreSQL on the plan of the page itself (at 1,000 it hashed every
# visible membership for a coordinator's search by status: bench/README.md).
COUNT_BOUND = 100


@dataclass(frozen=True)
class ResultCount:
    number: int  # the exact count, or COUNT_BOUND when there are more
    more: bool  # more than `number`


@dataclass
class Page:
    organisations: list
    next_cursor: str | None
    previous_cursor: str | None
    # Counted from the rows read for the first page; None on the others (count_results).
    count: ResultCount | None = None


def page(queryset, sort: Sort, *, after: str = "", before: str = "", size=PAGE_SIZE) -> Page:
    """One page of `queryset`: the `size` rows after the cursor `after`, or before the
    cursor `before`, in one query (one row more than shown, to know whether there is
    another page that way). The first page reads up to COUNT_BOUND + 1 rows, which
    count the results too: the sort reads every match anyway, where a second query
    to count them would search again."""
    cursor = decode_cursor(before, sort) if before else None
    forward = cursor is None
    if forward and after:
        cursor = decode_cursor(after, sort)
    first = forward and cursor is None
    rows = queryset
    if cursor is not None:
        rows = rows.filter(beyond(sort, cursor, forward=forward))
    limit = max(size, COUNT_BOUND) + 1 if first else size + 1
    rows = list(rows.order_by(*ordering(sort, forward=forward))[:limit])
    count = counted(len(rows)) if first else None
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    if not rows:
        return Page([], None, None, count)
    has_next = more if forward else True
    has_previous = (cursor is not None) if forward else more
    return Page(
        rows,
        next_cursor=encode_cursor(rows[-1], sort) if has_next else None,
        previous_cursor=encode_cursor(rows[0], sort) if has_previous else None,
        count=count,
    )


def counted(rows: int) -> ResultCount:
    return ResultCount(number=min(rows, COUNT_BOUND), more=rows > COUNT_BOUND)


def count_results(queryset) -> ResultCount:
    """How many rows `queryset` has, counting at most COUNT_BOUND + 1 of them (one
    query)."""
    return counted(queryset.order_by()[: COUNT_BOUND + 1].count())


def directory_rows(queryset):
    """What a row of the directory shows of an organisation, as named tuples: the first
    page reads up to COUNT_BOUND + 1 rows, and model instances cost several times
    more to build than the query."""
    return queryset.values_list(*ROW_COLUMNS, named=True)


# Sort keys among them (encode_cursor reads them from the last row shown).
ROW_COLUMNS = (
    "id",
    "name",
    "short_name",
    "slug",
    "kind",
    "country",
    "city",
    "region",
    "global_south",
    "created_at",
)


def visible_memberships(
    organisations, user, reached: Reach | None = None
) -> dict[int, list[tuple[str, str | None]]]:
    """(status, national alliance's name or None) of each membership of `organisations`
    that `user` may see, by organisation id, newest application first (one query);
    `reached` as for directory_filter."""
    memberships = defaultdict(list)
    if not organisations:
        return memberships
    rows = (
        Membership.objects.visible_to(user, reached=reached)
        .filter(organisation__in=[organisation.id for organisation in organisations])
        .values_list("organisation_id", "status", "national_alliance__name")
    )
    for organisation_id, status, alliance in rows:
        memberships[organisation_id].append((status, alliance))
    return memberships
