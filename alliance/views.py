"""The top floor: home pages that gather counts from every app, and the health check."""

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alliance import __version__
from alliance.context_processors import get_role
from alliance.core.outbox.services import backlog as outbox_backlog
from alliance.monitoring.models import BeatRun
from campaigns.models import Convening
from members.models import Membership, NationalAlliance, applicant_confirmed
from statements.models import SignOnRequest, Statement, StatementVersion

HOME_LIST_LENGTH = 5


def home(request):
    """One page per role: the convenor's counts across the alliance, a coordinator's
    alliances, a representative's organisation and what it is asked to sign, and for
    visitors a welcome. Everyone sees the latest published statements."""
    role = get_role(request)
    language = translation.get_language()
    context = {
        "published_statements": _with_texts(
            Statement.objects.public()
            .prefetch_related(_newest_versions_first())
            .order_by("-published_at")[:HOME_LIST_LENGTH],
            language,
        ),
    }
    if role["anonymous"]:
        return render(request, "home.html", context)

    now = timezone.now()
    context["upcoming_convenings"] = (
        Convening.objects.visible_to(request.user)
        .filter(ends_at__gte=now)
        .exclude(status__in=[Convening.Status.CANCELLED, Convening.Status.DRAFT])
        .select_related("national_alliance")
        .order_by("starts_at")[:HOME_LIST_LENGTH]
    )
    if role["convenor"]:
        context["counts"] = _alliance_counts(now)
    if role["coordinator"]:
        context["alliances"] = _alliances_with_counts(request.user)
    if role["representative"]:
        organisation = role["organisation"]
        context["memberships"] = organisation.memberships.select_related("national_alliance")
        context["requests_to_answer"] = _requests_to_answer(organisation, language)
    return render(request, "home.html", context)


def _alliance_counts(now) -> dict[str, int]:
    applied = Q(status=Membership.Status.APPLIED)
    memberships = Membership.objects.aggregate(
        members=Count("organisation", distinct=True, filter=Q(status=Membership.Status.APPROVED)),
        # As the review queue splits them: those a reviewer may decide, those waiting.
        applications_to_decide=Count("pk", filter=applied & applicant_confirmed()),
        applications_unconfirmed=Count("pk", filter=applied & ~applicant_confirmed()),
    )
    return {
        **memberships,
        "national_alliances": NationalAlliance.objects.count(),
        "open_statements": Statement.objects.filter(status=Statement.Status.OPEN).count(),
        "upcoming_convenings": Convening.objects.filter(
            starts_at__gte=now, status__in=[Convening.Status.SCHEDULED, Convening.Status.MOVED]
        ).count(),
    }


def _alliances_with_counts(coordinator):
    approved = Q(memberships__status=Membership.Status.APPROVED)
    applied = Q(memberships__status=Membership.Status.APPLIED)
    confirmed = applicant_confirmed("memberships__")
    return (
        NationalAlliance.objects.coordinated_by(coordinator)
        .annotate(
            member_count=Count("memberships", filter=approved),
            to_decide_count=Count("memberships", filter=applied & confirmed),
            unconfirmed_count=Count("memberships", filter=applied & ~confirmed),
        )
        .order_by("name")
    )


def _requests_to_answer(organisation, language: str) -> list[SignOnRequest]:
    """Open statements `organisation` was asked to sign and has not answered, soonest
    deadline first."""
    requests = list(
        SignOnRequest.objects.filter(
            organisation=organisation,
            answer=SignOnRequest.Answer.NO_REPLY,
            statement__status=Statement.Status.OPEN,
        )
        .select_related("statement")
        .prefetch_related(_newest_versions_first("statement__versions"))
        .order_by("statement__signon_closes_at")
    )
    _with_texts([sign_on.statement for sign_on in requests], language)
    return requests


def _newest_versions_first(lookup: str = "versions") -> Prefetch:
    return Prefetch(
        lookup, queryset=StatementVersion.objects.order_by("-number").prefetch_related("texts")
    )


def _with_texts(statements, language: str) -> list[Statement]:
    """Give each statement `.text`: its newest version's text in `language`, or in the
    original language, read from prefetched rows (`Statement.current_text` queries)."""
    statements = list(statements)
    for statement in statements:
        versions = statement.versions.all()
        statement.text = versions[0].text_in(language) if versions else None
    return statements


@require_GET
def privacy(request):
    """What is kept about whom, why, for how long (from the retention settings), and whom
    to ask for erasure."""
    return render(
        request,
        "privacy.html",
        {
            "signer_months": settings.RETENTION_PUBLIC_SIGNER_MONTHS,
            "confirmation_hours": settings.PUBLIC_SIGNATURE_CONFIRMATION_HOURS,
            "outbox_days": settings.RETENTION_OUTBOX_BODY_DAYS,
            "contact": settings.DATA_PROTECTION_CONTACT,
        },
    )


@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring: the release, the database and the broker, when
    beat last sent anything and how long the oldest email has waited; 503 if the database
    or broker is down, beat has been silent too long, or the outbox is stuck."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    body = {"version": __version__}
    if checks["database"] == "ok":
        checks["beat"], body["beat_last_sent_seconds_ago"] = _check_beat()
        checks["outbox"], body["outbox_oldest_pending_seconds"] = _check_outbox()
    healthy = all(status in ("ok", "not configured", "unknown") for status in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks, **body},
        status=200 if healthy else 503,
    )


def _check_beat() -> tuple[str, int | None]:
    """ "unknown" before beat has ever sent anything (a new installation)."""
    last = BeatRun.objects.aggregate(last=Max("last_sent_at"))["last"]
    if last is None:
        return "unknown", None
    silent = int((timezone.now() - last).total_seconds())
    too_long = silent > settings.HEALTHZ_BEAT_SILENT_SECONDS
    return (f"silent for {silent} s" if too_long else "ok"), silent


def _check_outbox() -> tuple[str, int]:
    waited = int(outbox_backlog()["oldest_seconds"])
    too_long = waited > settings.HEALTHZ_OUTBOX_MAX_AGE_SECONDS
    return (f"oldest message waiting {waited} s" if too_long else "ok"), waited


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return f"error: {type(error).__name__}"
    return "ok"


def _check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "not configured"
    from alliance.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return f"error: {type(error).__name__}"
    return "ok"
