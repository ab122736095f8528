"""The top floor: home pages that gather counts from every app, and the health check."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from campaigns.models import Convening
from members.models import Membership, NationalAlliance, Organisation, is_convenor
from statements.models import SignOnRequest, Statement


def home(request):
    user = request.user
    now = timezone.now()
    upcoming = (
        Convening.objects.visible_to(user)
        .filter(ends_at__gte=now)
        .exclude(status__in=[Convening.Status.CANCELLED, Convening.Status.DRAFT])
        .select_related("national_alliance")
        .order_by("starts_at")[:5]
    )
    context = {
        "published_statements": Statement.objects.public()
        .prefetch_related("versions__texts")
        .order_by("-published_at")[:5],
        "upcoming_convenings": upcoming if user.is_authenticated else [],
    }
    if is_convenor(user):
        context["counts"] = {
            "members": Organisation.objects.filter(memberships__status=Membership.Status.APPROVED)
            .distinct()
            .count(),
            "applications": Membership.objects.filter(status=Membership.Status.APPLIED).count(),
            "national_alliances": NationalAlliance.objects.count(),
            "open_statements": Statement.objects.filter(status=Statement.Status.OPEN).count(),
            "upcoming_convenings": Convening.objects.filter(
                starts_at__gte=now, status__in=[Convening.Status.SCHEDULED, Convening.Status.MOVED]
            ).count(),
        }
    elif user.is_authenticated:
        alliances = list(user.coordinated_alliances.all())
        if alliances:
            context["alliances"] = [
                {
                    "alliance": alliance,
                    "members": alliance.memberships.filter(
                        status=Membership.Status.APPROVED
                    ).count(),
                    "applications": alliance.memberships.filter(
                        status=Membership.Status.APPLIED
                    ).count(),
                }
                for alliance in alliances
            ]
        contact = getattr(user, "contact", None)
        if contact is not None:
            context["organisation"] = contact.organisation
            context["requests_to_answer"] = (
                SignOnRequest.objects.filter(
                    organisation=contact.organisation,
                    answer=SignOnRequest.Answer.NO_REPLY,
                    statement__status=Statement.Status.OPEN,
                )
                .select_related("statement")
                .prefetch_related("statement__versions__texts")
            )
    return render(request, "home.html", context)


@never_cache
@require_GET
def healthz(request):
    """Database and broker status for load balancers and monitoring; 503 if either is down."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(status in ("ok", "not configured") for status in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


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
