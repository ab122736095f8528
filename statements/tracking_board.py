"""The tracking board at convenor scale.

On PostgreSQL a version per statement (statements.TrackingVersion, moved by triggers on
every write to its signatures, sign-on requests and offline receipts) is read with the
statement, and what the board shows is kept in Django's cache under it: the totals,
the signatures' counts, the charts and the answers per alliance for TRACKING_CACHE_SECONDS,
the drawn rows of each page and filter for ROWS_SECONDS, all read with one get_many. A
write shows on the next request; a renamed organisation (or a membership changed) is not
a write the version sees, so the rows may show the old name for at most ROWS_SECONDS and
the answers per alliance lag as they did.

Elsewhere (SQLite in the quick start) the version is unknown and every request reads
the data (a fixed number of queries); only the drawing is reused, under a digest of what
it shows, so the page is never behind the database.

Nothing per request (the CSRF token, the "remind now"/"send again" token) is in a kept
fragment: the rows' buttons submit one form the page renders around them.

The board is a convenor's page (statements.view_tracking): it names the signers counted
without their names too, and its fragments are read by nothing else.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django_countries import countries

from alliance.core.fragments import digest, kept_html
from members.models import choice_label
from statements.charts import chart_figures, tracking_charts
from statements.models import (
    OfflineReceipt,
    Signature,
    SignOnRequest,
    Statement,
    TrackingVersion,
)
from statements.services import Tally, tracking
from statements.services.circulation import TRACKING_CACHE_SECONDS

ROWS_PER_PAGE = 200
# The moderation and withdrawn lists show at most this many, with the count of all.
LISTED_AT_MOST = 50
# The fragments' keys change with what they show, so this only bounds their memory.
FRAGMENT_SECONDS = 600
# How long the rows kept under a version may show an organisation's old name.
ROWS_SECONDS = 60

MODERATION_STATUSES = [Signature.Status.PENDING_MODERATION, Signature.Status.PENDING_APPROVAL]
REMOVED_STATUSES = [Signature.Status.WITHDRAWN, Signature.Status.REJECTED]


def first_listed(statement: Statement, statuses, *, count: int, order: str) -> list:
    """The moderation and withdrawn lists: at most LISTED_AT_MOST signatures, none read
    when `count` (from the signatures' state) says there are none."""
    if not count:
        return []
    return list(
        Signature.objects.filter(statement=statement, status__in=statuses)
        .select_related("organisation", "offline_receipt")
        .order_by(order)[:LISTED_AT_MOST]
    )


def shown_as() -> tuple[str, str]:
    """What a fragment's text depends on besides its data: labels, country names and
    dates are in the reader's language and time zone."""
    return translation.get_language() or "", timezone.get_current_timezone_name()


@dataclass(frozen=True)
class SignatureState:
    """How many signatures of the statement are in each status, and a fingerprint that
    changes with any signature added, moved to another status or saved."""

    counts: dict[str, int]
    fingerprint: str

    def count(self, statuses) -> int:
        return sum(self.counts.get(status, 0) for status in statuses)


def signature_state(statement: Statement) -> SignatureState:
    rows = list(
        statement.signatures.order_by()
        .values_list("status")
        .annotate(n=Count("id"), ids=Sum("id"), last=Max("updated_at"))
        .order_by("status")
    )
    return SignatureState(
        counts={status: n for status, n, _ids, _last in rows}, fingerprint=digest(rows)
    )


class CountedPaginator(Paginator):
    """A paginator told its count: the board's totals already say how many rows there
    are, so it need not count them again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def rows_page(statement: Statement, *, answer: str, number, totals: Tally) -> Page:
    """One page of the organisations asked, by name, as value tuples; `answer` ("" for
    all) filters them."""
    requests = statement.signon_requests.order_by("organisation__name", "organisation_id")
    if answer in SignOnRequest.Answer.values:
        requests = requests.filter(answer=answer)
    rows = requests.values_list(
        "organisation_id", "organisation__name", "organisation__country", "answer", "answered_at"
    )
    return CountedPaginator(rows, ROWS_PER_PAGE, count=rows_count(totals, answer)).get_page(number)


def rows_count(totals: Tally, answer: str) -> int:
    """How many organisations the rows list with the filter `answer`."""
    if answer in SignOnRequest.Answer.values:
        return getattr(totals, answer)
    return totals.asked


@dataclass(frozen=True)
class SignatureCell:
    signatory_name: str
    signatory_title: str
    status: str
    listed_publicly: bool
    source: str
    receipt: int | None
    channel: str | None
    scan: str | None

    @property
    def status_display(self) -> str:
        return choice_label(Signature.Status, self.status)

    @property
    def source_display(self) -> str:
        return choice_label(Signature.Source, self.source)

    @property
    def channel_display(self) -> str:
        return choice_label(OfflineReceipt.Channel, self.channel)


@dataclass(frozen=True)
class Row:
    organisation_id: int
    name: str
    country: str
    answer: str
    answered_at: object
    signature: SignatureCell | None

    @property
    def country_name(self) -> str:
        return countries.name(self.country)

    @property
    def answer_display(self) -> str:
        return choice_label(SignOnRequest.Answer, self.answer)


def page_signatures(statement: Statement, organisation_ids: list[int]) -> dict[int, tuple]:
    """Per organisation, its live signature if it has one (read last, so kept), else its
    latest (one recorded after it had signed is not needed, and must not hide it)."""
    return {
        fields[0]: fields[1:]
        for fields in Signature.objects.filter(
            statement=statement, organisation_id__in=organisation_ids
        )
        .order_by(
            Case(
                When(status__in=Signature.LIVE_STATUSES, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            "created_at",
        )
        .values_list(
            "organisation_id",
            "signatory_name",
            "signatory_title",
            "status",
            "listed_publicly",
            "source",
            "offline_receipt__id",
            "offline_receipt__channel",
            "offline_receipt__scan",
        )
    }


def rows_context(statement: Statement, requests: list) -> dict:
    """What tracking_rows.html draws for `requests` (a page's value tuples): each row
    with its organisation's signature, read in one query."""
    signatures = page_signatures(statement, [fields[0] for fields in requests])
    rows = [
        Row(
            *fields,
            signature=SignatureCell(*signatures[fields[0]]) if fields[0] in signatures else None,
        )
        for fields in requests
    ]
    return {"statement": statement, "rows": rows}


def rows_html(statement: Statement, page: Page, *, state: SignatureState) -> SafeString:
    """The table of organisations of `page`, drawn once per distinct content: the rows
    as read, and the signatures' fingerprint for what they show of each signature (their
    own query is made only to draw them)."""
    requests = list(page)
    shown = (
        statement.pk,
        statement.created_at,
        statement.slug,
        statement.status,
        shown_as(),
        requests,
        state.fingerprint,
    )
    return kept_html(
        "tracking-rows",
        shown,
        "statements/includes/tracking_rows.html",
        lambda: rows_context(statement, requests),
        seconds=FRAGMENT_SECONDS,
    )


def by_alliance_html(by_alliance: list) -> SafeString:
    """The answers per national alliance, drawn once per distinct figures (nothing when
    no organisation was asked)."""
    if not by_alliance:
        return SafeString("")
    return kept_html(
        "tracking-alliances",
        (shown_as(), by_alliance),
        "statements/includes/tracking_by_alliance.html",
        lambda: {"by_alliance": by_alliance},
        seconds=FRAGMENT_SECONDS,
    )


def charts_html(statement: Statement, *, answers: Tally, state: SignatureState) -> SafeString:
    """The four charts. Their figures are kept under the signatures' fingerprint (the
    part per national alliance and per region may lag a change of membership as the
    answers per alliance do); the drawing under a digest of the figures themselves."""
    language, zone = shown_as()
    figures_key = "tracking-figures:" + digest(
        statement.pk, statement.created_at, zone, state.fingerprint
    )
    figures = cache.get(figures_key)
    if figures is None:
        figures = chart_figures(statement)
        cache.set(figures_key, figures, TRACKING_CACHE_SECONDS)
    return kept_html(
        "tracking-charts",
        (statement.pk, language, zone, figures, answers),
        "statements/includes/tracking_charts.html",
        lambda: {"charts": tracking_charts(statement, answers=answers, figures=figures)},
        seconds=FRAGMENT_SECONDS,
    )


@dataclass(frozen=True)
class Board:
    """What the tracking page shows of a statement's answers and signatures, but the
    moderation and withdrawn lists (read when their counts are not zero)."""

    totals: Tally
    by_alliance: SafeString
    charts: SafeString
    to_moderate_count: int
    removed_count: int
    page: Page
    rows: SafeString


def with_version(statements: QuerySet) -> QuerySet:
    """`statements` with their tracking version as `board_version`, read in the same
    query, where triggers keep it (PostgreSQL; 0 before any write); elsewhere as is."""
    if connection.vendor != "postgresql":
        return statements
    version = TrackingVersion.objects.filter(statement=OuterRef("pk")).values("version")
    return statements.annotate(
        board_version=Coalesce(Subquery(version), Value(0), output_field=BigIntegerField())
    )


def board(statement: Statement, *, answer: str, number) -> Board:
    """The board of `statement` with the rows of page `number` (as the request gave it)
    filtered by `answer`: kept under its version when the statement was read
    with_version(), else computed."""
    version = getattr(statement, "board_version", None)
    if version is None:
        return computed_board(statement, answer=answer, number=number)
    return kept_board(statement, version, answer=answer, number=number)


def computed_board(statement: Statement, *, answer: str, number) -> Board:
    """The board read from the data on this request (a fixed number of queries); only
    the drawing is reused."""
    answers = tracking(statement)
    state = signature_state(statement)
    page = rows_page(statement, answer=answer, number=number, totals=answers.totals)
    return Board(
        totals=answers.totals,
        by_alliance=by_alliance_html(answers.by_alliance),
        charts=charts_html(statement, answers=answers.totals, state=state),
        to_moderate_count=state.count(MODERATION_STATUSES),
        removed_count=state.count(REMOVED_STATUSES),
        page=page,
        rows=rows_html(statement, page, state=state),
    )


def kept_board(statement: Statement, version: int, *, answer: str, number) -> Board:
    """The board kept under `version`: a warm page is one get_many and no query."""
    # The creation time as well: a test database gives a statement's id again.
    shown = (
        statement.pk,
        statement.created_at,
        statement.updated_at,
        statement.slug,
        statement.status,
        version,
        shown_as(),
    )
    figures_key = "tracking-board:" + digest(shown)
    rows_key = "tracking-board-rows:" + digest(shown, answer, number)
    found = cache.get_many([figures_key, rows_key])
    figures = found.get(figures_key)
    if figures is None:
        answers = tracking(statement)
        state = signature_state(statement)
        # Plain values only, so that no pickled class outlives a change of the code.
        totals = answers.totals
        figures = {
            "totals": (totals.signed, totals.declined, totals.no_reply),
            "to_moderate": state.count(MODERATION_STATUSES),
            "removed": state.count(REMOVED_STATUSES),
            "by_alliance": str(by_alliance_html(answers.by_alliance)),
            "charts": str(charts_html(statement, answers=totals, state=state)),
        }
        cache.set(figures_key, figures, TRACKING_CACHE_SECONDS)
    totals = Tally(*figures["totals"])
    rows = found.get(rows_key)
    if rows is None:
        page = rows_page(statement, answer=answer, number=number, totals=totals)
        rows = render_to_string(
            "statements/includes/tracking_rows.html", rows_context(statement, list(page))
        )
        cache.set(rows_key, str(rows), ROWS_SECONDS)
    else:
        # The rows are drawn: the page serves for its links to the others only.
        count = rows_count(totals, answer)
        page = CountedPaginator([], ROWS_PER_PAGE, count=count).get_page(number)
    # Drawn by the templates, which escape every value.
    return Board(
        totals=totals,
        by_alliance=mark_safe(figures["by_alliance"]),  # noqa: S308
        charts=mark_safe(figures["charts"]),  # noqa: S308
        to_moderate_count=figures["to_moderate"],
        removed_count=figures["removed"],
        page=page,
        rows=mark_safe(rows),  # noqa: S308
    )
