"""The tracking board at convenor scale: its costly parts (the 200 rows of a page, the
charts, the answers per alliance) are kept in Django's cache as rendered HTML under a
digest of what they show: the page's rows as read on this request, a fingerprint of
the statement's signatures, the figures, the reader's language and time zone. Every
request reads that data (a fixed number of queries), so the page is never behind the
database; only the drawing is reused.

Nothing per request (the CSRF token, the "remind now"/"send again" token) is in a kept
fragment: the rows' buttons submit one form the page renders around them.

The board is a convenor's page (statements.view_tracking): it names the signers counted
without their names too, and its fragments are read by nothing else.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Max, Sum, Value, When
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django_countries import countries

from alliance.core.fragments import digest, kept_html
from members.models import choice_label
from statements.charts import chart_figures, tracking_charts
from statements.models import OfflineReceipt, Signature, SignOnRequest, Statement
from statements.services import Tally
from statements.services.circulation import TRACKING_CACHE_SECONDS

ROWS_PER_PAGE = 200
# The moderation and withdrawn lists show at most this many, with the count of all.
LISTED_AT_MOST = 50
# The fragments' keys change with what they show, so this only bounds their memory.
FRAGMENT_SECONDS = 600

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
    count = totals.asked
    if answer in SignOnRequest.Answer.values:
        requests = requests.filter(answer=answer)
        count = getattr(totals, answer)
    rows = requests.values_list(
        "organisation_id", "organisation__name", "organisation__country", "answer", "answered_at"
    )
    return CountedPaginator(rows, ROWS_PER_PAGE, count=count).get_page(number)


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


def rows_html(statement: Statement, page: Page, *, state: SignatureState) -> SafeString:
    """The table of organisations of `page`, drawn once per distinct content: the rows
    as read, and the signatures' fingerprint for what they show of each signature (their
    own query is made only to draw them)."""
    requests = list(page)

    def context() -> dict:
        signatures = page_signatures(statement, [fields[0] for fields in requests])
        rows = [
            Row(
                *fields,
                signature=SignatureCell(*signatures[fields[0]])
                if fields[0] in signatures
                else None,
            )
            for fields in requests
        ]
        return {"statement": statement, "rows": rows}

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
        context,
        seconds=FRAGMENT_SECONDS,
    )


def by_alliance_html(by_alliance: list) -> SafeString:
    """The answers per national alliance, drawn once per distinct figures."""
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
