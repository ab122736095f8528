"""The signature count of each statement, kept apart from signing.

Adding 1 to one shared row in every signing transaction makes that row the bottleneck of a
burst (measured here: Postgres from about 12,800 to 2,600 inserts a second). Signing only
inserts; a periodic task recounts the confirmed signatures of the statements that can
change, over the (statement, status) index, and the pages read the stored figure: the
public statement page and the list of statements. They therefore lag the truth by at most
the task's interval (5 seconds: "statement-signature-counts" in CELERY_BEAT_SCHEDULE).
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from members.models import Membership
from statements.models import Signature, SignOnRequest, Statement

# Statements whose count anybody reads: the public page and the list show it.
COUNTED_STATUSES = [Statement.Status.OPEN, Statement.Status.PUBLISHED, Statement.Status.CLOSED]


@dataclass(frozen=True)
class SignatureCount:
    total: int
    unlisted: int


def recount_signatures() -> int:
    """Store the confirmed-signature count of every open, published or closed statement;
    returns how many statements' figures changed.

    Safe to run twice or in two processes at once: each run writes what it counted, and
    a row is written only when its figure differs (no write, no lock, when nothing moved).
    """
    counted = {
        row["statement"]: SignatureCount(total=row["total"], unlisted=row["unlisted"])
        for row in Signature.objects.counted()
        .filter(statement__status__in=COUNTED_STATUSES)
        .order_by()
        .values("statement")
        .annotate(total=Count("pk"), unlisted=Count("pk", filter=Q(listed_publicly=False)))
    }
    stored = Statement.objects.filter(status__in=COUNTED_STATUSES).values_list(
        "pk", "counted_signatures", "counted_unlisted"
    )
    now = timezone.now()
    changed = 0
    for pk, total, unlisted in stored:
        fresh = counted.get(pk, SignatureCount(total=0, unlisted=0))
        if (total, unlisted) == (fresh.total, fresh.unlisted):
            continue
        changed += Statement.objects.filter(pk=pk).update(
            counted_signatures=fresh.total, counted_unlisted=fresh.unlisted, counted_at=now
        )
    return changed


def signature_count(statement: Statement) -> SignatureCount:
    """The figure the pages show: the stored count; counted now only for a statement the
    task has not reached yet (just opened or published)."""
    if statement.counted_signatures is not None:
        return SignatureCount(
            total=statement.counted_signatures, unlisted=statement.counted_unlisted or 0
        )
    live = (
        Signature.objects.counted()
        .filter(statement=statement)
        .aggregate(total=Count("pk"), unlisted=Count("pk", filter=Q(listed_publicly=False)))
    )
    return SignatureCount(total=live["total"], unlisted=live["unlisted"])


def stored_signature_count(statement: Statement) -> SignatureCount:
    """The stored figure alone, for pages that show many statements: never a query. A
    statement the task has not reached yet (just opened) shows 0 for at most the task's
    interval."""
    return SignatureCount(
        total=statement.counted_signatures or 0, unlisted=statement.counted_unlisted or 0
    )


@dataclass(frozen=True)
class AllianceProgress:
    """How the organisations of some national alliances answered a request to sign, as
    their coordinators may see it: "answered" counts signatures and refusals alike, and
    only signatures listed publicly are counted apart, so that nothing tells a signature
    counted only from a refusal."""

    asked: int
    answered: int
    listed: int

    @property
    def not_answered(self) -> int:
        return self.asked - self.answered


def alliance_progress(statement: Statement, alliances) -> AllianceProgress:
    organisations = Membership.objects.filter(national_alliance__in=alliances).values(
        "organisation"
    )
    figures = SignOnRequest.objects.filter(
        statement=statement, organisation__in=organisations
    ).aggregate(
        asked=Count("pk"),
        answered=Count("pk", filter=~Q(answer=SignOnRequest.Answer.NO_REPLY)),
    )
    listed = (
        Signature.objects.counted()
        .filter(statement=statement, listed_publicly=True, organisation__in=organisations)
        .count()
    )
    return AllianceProgress(asked=figures["asked"], answered=figures["answered"], listed=listed)
