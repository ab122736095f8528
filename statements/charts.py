"""The tracking page's charts: signatures day by day, by region and by national alliance,
and how the organisations asked answered. Each is a list of (label, figure) rows, drawn
as SVG by statements/includes/chart.html and written out as the table beside it and as
CSV; two queries whatever the size of the statement (the answers are the tracking
board's own totals).

Only figures: no chart names a signatory, so those counted without their names are
counted here like the others and named nowhere.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from members.classification import REGION_NAMES
from statements.models import Signature, Statement
from statements.services import Tally, tracking

# The time chart draws at most this many days (the last ones); the table has them all.
MAX_DAYS_DRAWN = 120
# The drawing's coordinate system (the SVG scales to its box).
WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH = 600, 22, 6, 220


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: int = 0
    y: int = 0
    width: int = 0
    height: int = 0


@dataclass
class Chart:
    key: str
    title: str
    label_heading: str
    value_heading: str
    rows: list[tuple[str, int]]
    vertical: bool = False
    # A third column of the table and CSV (the running total of the time chart).
    extra_heading: str = ""
    extras: list[int] | None = None

    @property
    def total(self) -> int:
        return sum(value for _label, value in self.rows)

    @property
    def table(self) -> list[tuple]:
        if self.extras is None:
            return list(self.rows)
        return [(*row, extra) for row, extra in zip(self.rows, self.extras, strict=True)]

    @property
    def headings(self) -> list[str]:
        return [self.label_heading, self.value_heading] + (
            [self.extra_heading] if self.extras is not None else []
        )

    @property
    def height(self) -> int:
        if self.vertical:
            return 200
        return max(1, len(self.rows)) * (BAR_HEIGHT + GAP)

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def bars(self) -> list[Bar]:
        """The rows as rectangles in a WIDTH x height box."""
        rows = self.rows[-MAX_DAYS_DRAWN:] if self.vertical else self.rows
        top = max((value for _label, value in rows), default=0) or 1
        if self.vertical:
            step = WIDTH / max(1, len(rows))
            return [
                Bar(
                    label=label,
                    value=value,
                    x=round(index * step + 1),
                    width=max(round(step - 2), 1),
                    height=round(180 * value / top),
                    y=round(190 - 180 * value / top),
                )
                for index, (label, value) in enumerate(rows)
            ]
        room = WIDTH - LABEL_WIDTH - 50
        return [
            Bar(
                label=label,
                value=value,
                x=LABEL_WIDTH,
                y=index * (BAR_HEIGHT + GAP),
                width=round(room * value / top),
                height=BAR_HEIGHT,
            )
            for index, (label, value) in enumerate(rows)
        ]


@dataclass(frozen=True)
class Figures:
    """What the charts of signatures draw, from two grouped queries."""

    per_day: dict[dt.date, int]
    per_region: dict[str, int]
    # (national alliance's name or None, signatures)
    per_alliance: list[tuple[str | None, int]]


def chart_figures(statement: Statement) -> Figures:
    counted = Signature.objects.counted().filter(statement=statement).order_by()
    # Day and region in one query: a few rows per day at most.
    per_day: Counter = Counter()
    per_region: Counter = Counter()
    for day, region, n in (
        counted.annotate(day=TruncDate("created_at"))
        .values_list("day", "organisation__region")
        .annotate(n=Count("id"))
    ):
        per_day[day] += n
        per_region[region] += n
    # An organisation with memberships in several alliances counts in each (as on the
    # answers table above it).
    per_alliance = counted.values_list(
        "organisation__memberships__national_alliance__name"
    ).annotate(n=Count("id", distinct=True))
    return Figures(
        per_day=dict(sorted(per_day.items())),
        per_region=dict(sorted(per_region.items(), key=lambda item: str(item[0]))),
        per_alliance=sorted(per_alliance, key=lambda row: (row[0] is None, row[0] or "")),
    )


def tracking_charts(
    statement: Statement, *, answers: Tally | None = None, figures: Figures | None = None
) -> list[Chart]:
    """The four charts of `statement`'s tracking page, counting confirmed signatures;
    `answers`, the tracking board's totals, and `figures` when the caller has them."""
    if figures is None:
        figures = chart_figures(statement)
    if answers is None:
        answers = tracking(statement).totals
    return [
        _over_time(figures.per_day),
        _by_region(figures.per_region),
        _by_alliance(figures.per_alliance),
        _answers(answers),
    ]


def _over_time(per_day: dict) -> Chart:
    rows, running, extras = [], 0, []
    if per_day:
        day, last = min(per_day), max(per_day)
        while day <= last:
            value = per_day.get(day, 0)
            running += value
            rows.append((day.isoformat(), value))
            extras.append(running)
            day += dt.timedelta(days=1)
    return Chart(
        key="over-time",
        title=_("Signatures day by day"),
        label_heading=_("Day"),
        value_heading=_("Signatures"),
        rows=rows,
        vertical=True,
        extra_heading=_("Total so far"),
        extras=extras,
    )


def _by_region(per_region: dict) -> Chart:
    figures = sorted(
        (
            (str(REGION_NAMES.get(region, "")) or _("unknown"), n)
            for region, n in per_region.items()
        ),
        key=lambda row: (-row[1], row[0]),
    )
    return Chart(
        key="by-region",
        title=_("Signatures by region"),
        label_heading=_("Region"),
        value_heading=_("Signatures"),
        rows=figures,
    )


def _by_alliance(per_alliance: list) -> Chart:
    figures = sorted(
        ((name or _("no national alliance"), n) for name, n in per_alliance),
        key=lambda row: (-row[1], row[0]),
    )
    return Chart(
        key="by-alliance",
        title=_("Signatures by national alliance"),
        label_heading=_("National alliance"),
        value_heading=_("Signatures"),
        rows=figures,
    )


def _answers(answers: Tally) -> Chart:
    return Chart(
        key="answers",
        title=_("Organisations asked: answered or not"),
        label_heading=_("Answer"),
        value_heading=_("Organisations"),
        rows=[
            (pgettext("organisations", "signed"), answers.signed),
            (pgettext("organisations", "declined"), answers.declined),
            (pgettext("organisations", "no reply"), answers.no_reply),
        ],
    )


def csv_rows(charts: list[Chart]):
    """Every chart's figures, one row per figure: chart, label, figure (and the running
    total of the time chart)."""
    for chart in charts:
        for row in chart.table:
            yield [chart.title, *row]
