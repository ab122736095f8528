"""The composition of the alliance: who its members are and how that changes, month by
month, against the targets convenors set.

Every figure comes from one aggregate query: approved members grouped by the month they
joined, their kind and their country (region and global south go along, stored on the
organisation). The shares, the breakdowns and the growth are sums over those few
thousand groups, so the page costs the same with 100 members as with 100,000, and the
database does the counting.

An organisation counts once: in a national alliance's figures from its approval there;
in the whole alliance's from its first approval anywhere (an organisation may belong to
its national alliance and, before that existed, to the international one).
"""

import datetime as dt
import functools
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from alliance.core.audit.services import record
from alliance.core.fragments import digest
from members.classification import REGION_NAMES
from members.models import CompositionTarget, Membership, NationalAlliance, Organisation

# When an organisation became a member: `joined_at`, set on first approval; rows approved
# before that field existed fall back to the decision, then to the application.
JOINED = Coalesce("joined_at", "decided_at", "applied_at")

# How many months the growth tables and charts go back.
GROWTH_MONTHS = 24


@dataclass(frozen=True)
class Share:
    """`count` of `total` members, and the target for that share if one is set."""

    count: int
    total: int
    target: int | None = None

    @property
    def percent(self) -> float | None:
        return round(100 * self.count / self.total, 1) if self.total else None

    @property
    def meets_target(self) -> bool | None:
        if self.target is None or self.percent is None:
            return None
        return self.percent >= self.target


@dataclass(frozen=True)
class Line:
    """One line of a breakdown: a kind, a region or a country."""

    key: str
    label: str
    count: int
    total: int

    @property
    def percent(self) -> float:
        return round(100 * self.count / self.total, 1) if self.total else 0.0


@dataclass
class Month:
    """Members who joined in `month`, and the composition at its end."""

    month: dt.date
    joined: int = 0
    total: int = 0
    global_south: int = 0
    womens_rights: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_region: dict[str, int] = field(default_factory=dict)
    by_country: dict[str, int] = field(default_factory=dict)

    @property
    def global_south_percent(self) -> float | None:
        return round(100 * self.global_south / self.total, 1) if self.total else None

    @property
    def womens_rights_percent(self) -> float | None:
        return round(100 * self.womens_rights / self.total, 1) if self.total else None


@dataclass
class Composition:
    alliance: NationalAlliance | None
    total: int
    global_south: Share
    womens_rights: Share
    by_kind: list[Line]
    by_region: list[Line]
    by_country: list[Line]
    months: list[Month]
    # Names the figures (the sums and the targets), whatever the language of the labels.
    digest: str = ""

    @property
    def countries(self) -> dict[str, int]:
        return {line.key: line.count for line in self.by_country}


GROUP_COLUMNS = ("kind", "country", "region", "global_south")


def joined_groups(alliance: NationalAlliance | None, *, since: dt.datetime):
    """(month, kind, country, region, global_south, count) of approved members: the one
    aggregate query every figure is summed from. Members who joined before `since` are
    put in one group dated `since`: the growth shows no month before, and fewer groups
    travel from the database."""
    approved = Membership.objects.filter(status=Membership.Status.APPROVED).alias(joined=JOINED)
    if alliance is not None:
        # One membership per organisation and national alliance (a unique constraint).
        first_approvals = approved.filter(national_alliance=alliance)
    else:
        # The first approval of each organisation: an approved membership with no earlier
        # one (ties broken by id). Postgres runs the NOT EXISTS as one hash anti-join,
        # where a MIN() per organisation would be a subquery run 100,000 times.
        earlier = approved.filter(organisation=OuterRef("organisation")).filter(
            Q(joined__lt=OuterRef("joined")) | Q(joined=OuterRef("joined"), pk__lt=OuterRef("pk"))
        )
        first_approvals = approved.filter(~Exists(earlier))
    # The month as a number (year * 12 + month - 1): integers cost far less than
    # datetimes to bring over from the database for tens of thousands of groups.
    month = Case(
        When(joined__lt=since, then=Value(_month_number(since))),
        default=ExtractYear("joined") * 12 + ExtractMonth("joined") - 1,
    )
    return (
        first_approvals.values(
            month=month, **{name: F(f"organisation__{name}") for name in GROUP_COLUMNS}
        )
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("month", *GROUP_COLUMNS, "count")
    )


# How long the groups stay cached at most. Any new membership or decision changes the
# cache key at once; a change of an organisation's kind or country, or a membership
# deleted with its organisation (only in the admin), shows within this.
GROUPS_CACHE_SECONDS = 300


@dataclass
class Tally:
    """The sums of the groups, before labels (which depend on the language) and targets
    (which convenors change): what the cache keeps. `digest` names the sums, so that
    what is drawn from them can be kept under it (members.dashboard_figures)."""

    kinds: Counter
    regions: Counter
    countries: Counter
    global_south: int
    womens_rights: int
    months: list[Month]
    digest: str = ""


def _cached_tally(alliance: NationalAlliance | None, shown: list[dt.date]) -> Tally:
    """The tally of joined_groups, kept in the cache under a key that changes with the
    memberships: the grouping reads every approved membership, the key three maxima
    read from the ends of indexes (a count would read every membership again)."""
    since = timezone.make_aware(dt.datetime.combine(_month_before(shown[0]), dt.time()))
    memberships = Membership.objects.all()
    if alliance is not None:
        memberships = memberships.filter(national_alliance=alliance)
    marker = memberships.aggregate(
        last=Max("pk"), decided=Max("decided_at"), joined=Max("joined_at")
    )
    stamps = [marker[name].timestamp() if marker[name] else 0 for name in ("decided", "joined")]
    scope = alliance.pk if alliance else "all"
    key = f"dashboard-groups:{scope}:{_month_number(since)}:{marker['last']}"
    key += "".join(f":{stamp:.6f}" for stamp in stamps)
    tally = cache.get(key)
    if tally is None:
        tally = _tally(joined_groups(alliance, since=since), shown)
        cache.set(key, tally, GROUPS_CACHE_SECONDS)
    return tally


def _tally(groups, shown: list[dt.date]) -> Tally:
    kinds, regions, country_counts = Counter(), Counter(), Counter()
    south = womens = 0
    per_month = defaultdict(list)
    for month, kind, country, region, global_south, count in groups:
        kinds[kind] += count
        regions[region] += count
        country_counts[country] += count
        south += count if global_south else 0
        womens += count if kind == Organisation.Kind.WOMENS_RIGHTS else 0
        per_month[_month_from_number(month)].append((kind, country, region, global_south, count))
    months = _growth(per_month, shown)
    sums = (kinds, regions, country_counts, south, womens, months)
    return Tally(kinds, regions, country_counts, south, womens, months, digest(*sums))


def targets_for(alliance: NationalAlliance | None) -> dict[str, int]:
    """{measure: percent}: a national alliance's own targets, else the whole alliance's."""
    scope = Q(national_alliance__isnull=True)
    if alliance is not None:
        scope |= Q(national_alliance=alliance)
    targets = CompositionTarget.objects.filter(scope)
    chosen = {}
    # The whole alliance's first, so that the national alliance's own replace them.
    for measure, percent, _own in sorted(
        targets.values_list("measure", "percent", "national_alliance"),
        key=lambda row: row[2] is not None,
    ):
        chosen[measure] = percent
    return chosen


def composition(alliance: NationalAlliance | None = None, *, now=None) -> Composition:
    """The figures of the dashboard, for the whole alliance or one national alliance.
    Two queries: the groups (or the key of their cached copy) and the targets."""
    shown = _months_back(timezone.localtime(now or timezone.now()).date(), GROWTH_MONTHS)
    tally = _cached_tally(alliance, shown)
    targets = targets_for(alliance)
    total = sum(tally.kinds.values())
    measures = CompositionTarget.Measure
    return Composition(
        alliance=alliance,
        total=total,
        global_south=Share(tally.global_south, total, targets.get(measures.GLOBAL_SOUTH)),
        womens_rights=Share(tally.womens_rights, total, targets.get(measures.WOMENS_RIGHTS)),
        by_kind=_lines(tally.kinds, dict(Organisation.Kind.choices), total),
        by_region=_lines(tally.regions, {**REGION_NAMES, "": _("unknown")}, total),
        by_country=_lines(tally.countries, dict(countries), total),
        months=tally.months,
        digest=digest(tally.digest, sorted(targets.items())),
    )


def _month_number(moment: dt.datetime) -> int:
    local = timezone.localtime(moment)
    return local.year * 12 + local.month - 1


@functools.cache
def _month_from_number(number: int) -> dt.date:
    return dt.date(number // 12, number % 12 + 1, 1)


def _lines(counts: Counter, labels: dict, total: int) -> list[Line]:
    """Largest first; ties by label, so the order does not change between requests."""
    lines = [
        Line(key=key, label=str(labels.get(key, key)), count=count, total=total)
        for key, count in counts.items()
    ]
    return sorted(lines, key=lambda line: (-line.count, line.label))


def _month_before(month: dt.date) -> dt.date:
    return (
        dt.date(month.year - 1, 12, 1) if month.month == 1 else month.replace(month=month.month - 1)
    )


def _months_back(last: dt.date, count: int) -> list[dt.date]:
    """`count` first days of month, oldest first, ending with `last`'s month."""
    months = [last.replace(day=1)]
    while len(months) < count:
        months.append(_month_before(months[-1]))
    return months[::-1]


def _growth(per_month: dict[dt.date, list[tuple]], shown: list[dt.date]) -> list[Month]:
    """The months `shown`, each with who joined in it and the composition at its end
    (members who joined earlier are counted in the totals)."""
    running = Month(month=shown[0])
    kinds, regions, country_counts = Counter(), Counter(), Counter()
    result = []
    for month in sorted(set(per_month) | set(shown)):
        joined = 0
        for kind, country, region, global_south, count in per_month.get(month, []):
            joined += count
            kinds[kind] += count
            regions[region] += count
            country_counts[country] += count
            running.global_south += count if global_south else 0
            running.womens_rights += count if kind == Organisation.Kind.WOMENS_RIGHTS else 0
        running.total += joined
        if month < shown[0] or month > shown[-1]:
            continue
        result.append(
            Month(
                month=month,
                joined=joined,
                total=running.total,
                global_south=running.global_south,
                womens_rights=running.womens_rights,
                by_kind=dict(kinds),
                by_region=dict(regions),
                by_country=dict(country_counts),
            )
        )
    return result


@transaction.atomic
def set_composition_target(
    *,
    measure: str,
    percent: int | None,
    national_alliance: NationalAlliance | None,
    set_by,
) -> CompositionTarget | None:
    """Set (or, with `percent` None, remove) the target for `measure`, for the whole
    alliance or one national alliance; audited either way."""
    target = (
        CompositionTarget.objects.select_for_update()
        .filter(measure=measure, national_alliance=national_alliance)
        .first()
    )
    previous = target.percent if target else None
    if percent is None:
        if target is not None:
            record(
                actor=set_by,
                action="composition_target.removed",
                target=target,
                changes={measure: [previous, None]},
            )
            target.delete()
        return None
    if target is None:
        target = CompositionTarget(measure=measure, national_alliance=national_alliance)
    target.percent = percent
    target.set_by = set_by
    target.full_clean()
    target.save()
    if previous != percent:
        record(
            actor=set_by,
            action="composition_target.set",
            target=target,
            changes={measure: [previous, percent]},
        )
    return target


# Drawing: the map and the charts as inline SVG, made here rather than in the browser
# (no JavaScript). Each carries a <title> per shape; the tables beside them say the same
# for screen readers.

MAP_FILE = Path(__file__).resolve().parent.parent / "static" / "geo" / "world.json"
# Shades of the map, lightest first; a country with no member stays blank.
MAP_SHADES = 5


@functools.cache
def _world() -> dict:
    with MAP_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def map_shade(count: int, most: int) -> int:
    """1..MAP_SHADES on a logarithmic scale (one country with 5,000 members would
    otherwise leave every other one in the lightest shade), 0 for none."""
    if count <= 0 or most <= 0:
        return 0
    if most == 1:
        return MAP_SHADES
    return 1 + min(MAP_SHADES - 1, int(math.log(count) / math.log(most) * MAP_SHADES))


def world_map(counts: dict[str, int], *, label: str):
    """An SVG map: each country shaded by its number of members, named in its title."""
    world = _world()
    most = max(counts.values(), default=0)
    names = dict(countries)
    paths = format_html_join(
        "",
        '<path d="{}" class="map__country map__country--{}" data-country="{}">'
        "<title>{}: {}</title></path>",
        (
            (
                path,
                map_shade(counts.get(code, 0), most),
                code,
                names.get(code, code),
                counts.get(code, 0),
            )
            for code, path in sorted(world["countries"].items())
        ),
    )
    return format_html(
        '<svg class="map" viewBox="{}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg">{}</svg>',
        world["viewBox"],
        label,
        paths,
    )


@dataclass(frozen=True)
class Chart:
    """A line chart's geometry in a CHART_WIDTH x CHART_HEIGHT view box."""

    lines: list[tuple[str, str]]  # (css modifier, "x,y x,y ...")
    targets: list[tuple[str, float, int]]  # (css modifier, y, percent)
    ticks: list[tuple[float, str]]  # (x, month label) along the bottom
    top_label: str


CHART_WIDTH, CHART_HEIGHT, CHART_MARGIN = 640, 200, 24
# What the template needs to draw the frame: width, height, left x, axis y, right x.
CHART_SIZE = (
    CHART_WIDTH,
    CHART_HEIGHT,
    CHART_MARGIN,
    CHART_HEIGHT - CHART_MARGIN,
    CHART_WIDTH - CHART_MARGIN,
)


def _points(values: list[float | None], top: float) -> str:
    """SVG polyline points for `values` spread over the width, 0 at the bottom."""
    step = (CHART_WIDTH - 2 * CHART_MARGIN) / max(1, len(values) - 1)
    usable = CHART_HEIGHT - 2 * CHART_MARGIN
    return " ".join(
        f"{CHART_MARGIN + index * step:.1f},"
        f"{CHART_HEIGHT - CHART_MARGIN - (value / top if top else 0) * usable:.1f}"
        for index, value in enumerate(values)
        if value is not None
    )


def _ticks(months: list[Month]) -> list[tuple[float, str]]:
    step = (CHART_WIDTH - 2 * CHART_MARGIN) / max(1, len(months) - 1)
    every = max(1, len(months) // 6)
    return [
        (CHART_MARGIN + index * step, month.month.strftime("%Y-%m"))
        for index, month in enumerate(months)
        if index % every == 0
    ]


def growth_chart(months: list[Month]) -> Chart:
    """Members at the end of each month."""
    top = max((month.total for month in months), default=0) or 1
    return Chart(
        lines=[("total", _points([month.total for month in months], top))],
        targets=[],
        ticks=_ticks(months),
        top_label=str(top),
    )


def shares_chart(months: list[Month], composition: Composition) -> Chart:
    """The two shares, in percent, month by month, with their targets as dashed lines."""
    usable = CHART_HEIGHT - 2 * CHART_MARGIN
    targets = [
        (modifier, CHART_HEIGHT - CHART_MARGIN - share.target / 100 * usable, share.target)
        for modifier, share in (
            ("south", composition.global_south),
            ("womens", composition.womens_rights),
        )
        if share.target is not None
    ]
    return Chart(
        lines=[
            ("south", _points([month.global_south_percent for month in months], 100)),
            ("womens", _points([month.womens_rights_percent for month in months], 100)),
        ],
        targets=targets,
        ticks=_ticks(months),
        top_label="100%",
    )
