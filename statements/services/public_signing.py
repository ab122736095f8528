"""The public form's side of signing: a submission is stored at once and processed by the
worker (public_processing), with rate limits that mark a burst for moderation.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from alliance.core.queueing import enqueue
from alliance.core.ratelimits import count_in_sets
from statements.models import (
    PublicSubmission,
    Statement,
)
from statements.services.signing import Signatory, _check_open, canonical_email

logger = logging.getLogger(__name__)


def sign_publicly(
    *,
    statement: Statement,
    organisation_name: str,
    country: str,
    kind: str,
    signatory: Signatory,
    language: str,
    ip: str = "",
    looks_automated: bool = False,
) -> PublicSubmission:
    """An organisation that was not asked signs from the public form of a statement open
    to any organisation. The request's work is one row, the truth of the submission,
    committed before the answer: no other service is asked anything, so a slow or
    stopped Redis cannot slow or refuse a signature. `process_public_submissions` (a
    task woken after commit, and beat's sweep) counts it against the rate limits and
    makes the signature, which then waits until the address is confirmed by a link.

    A submission over a limit, or from a bot, is kept and marked for moderation. The
    page answers the same whatever becomes of it (a new signature, an organisation that
    had signed already), so that nobody learns from it whether an organisation at risk
    signed.
    """
    if statement.audience != Statement.Audience.ANYONE:
        raise ValidationError(_("Only the organisations invited may sign this statement."))
    _check_open(statement)
    submission = PublicSubmission.objects.create(
        statement=statement,
        organisation_name=organisation_name.strip(),
        country=country,
        kind=kind,
        **signatory.columns(),
        language=language,
        ip_digest=address_digest(ip),
        suspicion="a field for bots was filled" if looks_automated else "",
    )
    if _claim_wake_up():
        transaction.on_commit(_wake_processor)
    return submission


def address_digest(ip: str) -> str:
    """What is kept of the IP address a submission came from, for the limit per address:
    a digest keyed with the SECRET_KEY (a plain hash of an IPv4 address is reversed by
    trying all four billion), never the address itself; erased once counted."""
    return salted_hmac(ADDRESS_DIGEST_SALT, ip or "unknown").hexdigest()[:32]


ADDRESS_DIGEST_SALT = "statements.public-signing.address"


# Under a burst, each web process queues the processor at most once a second, not once
# per submission: each run drains every submission committed so far, and beat's sweep
# (PUBLIC_SIGNING_SWEEP_SECONDS) catches what arrives at the very end of a run. When the
# broker cannot be reached, the process leaves the rows to that sweep for as long.
PROCESSOR_WAKE_SECONDS = 1
# The time.monotonic() before which this process queues no other wake-up.
_next_wake_up = 0.0


def _claim_wake_up() -> bool:
    """Whether this submission queues the processor (the first of this process's second)."""
    global _next_wake_up
    now = time.monotonic()
    if now < _next_wake_up:
        return False
    _next_wake_up = now + PROCESSOR_WAKE_SECONDS
    return True


def wake_processor_on_next_submission() -> None:
    """Forget when this process last queued the processor: its next submission queues it
    whatever came before (a wake-up within the second, a broker that was down). For a
    process whose earlier submissions were someone else's, such as one test after another."""
    global _next_wake_up
    _next_wake_up = 0.0


def _wake_processor() -> None:
    global _next_wake_up
    from statements.tasks import process_public_submissions as task

    if not enqueue(task, what="public signatures"):
        _next_wake_up = time.monotonic() + settings.PUBLIC_SIGNING_SWEEP_SECONDS


# --- Rate limits on public signing -------------------------------------------------------

RATE_KEY_PREFIX = "statements:signing-rate"
# Redis errors, and the socket errors beneath them: a cache that is down fails open.
_CACHE_ERRORS = (RedisError, OSError)


def _mark_over_limit(batch: list[PublicSubmission]) -> None:
    """Count each submission of a batch against the limits on its statement per address
    and per canonical email, within fixed windows of settings.PUBLIC_SIGNING_LIMITS's
    length (by when it was submitted, not when it is counted), and against the
    confirmation emails one address may receive in a day across every statement; add to
    its suspicion what it is over. A submission over a limit gets no email (the form must
    not be a way to flood someone's inbox) and waits for a moderator. Erases the
    address's digest: it is not needed any more.

    The limit per address is the higher one: many people of one office share an address.
    A counter is the set of the submissions it holds, up to its limit: counting a
    submission again (a batch that did not commit, processed again) finds it there, so
    nothing is counted twice, and a key never holds more than its limit. One round trip
    to Redis per batch. When the cache is down everything fails open: nothing is marked.
    """
    limits = settings.PUBLIC_SIGNING_LIMITS
    window = limits["window_seconds"]
    day = 24 * 3600
    counters = []  # (submission, what it counts, key, limit, expires at)
    for submission in batch:
        if not submission.ip_digest:
            continue  # counted already (a failed row processed again from the admin)
        created = int(submission.created_at.timestamp())
        bucket, day_bucket = created // window, created // day
        email = hashlib.sha256(canonical_email(submission.email).encode()).hexdigest()[:32]
        statement = submission.statement_id
        minutes = window // 60
        # Kept a window past its own: a backlog counted late still finds it.
        limited = [
            (
                f"{limits['ip']} in {minutes} minutes from this ip",
                f"{RATE_KEY_PREFIX}:{statement}:ip:{submission.ip_digest}:{bucket}",
                limits["ip"],
                (bucket + 2) * window,
            ),
            (
                f"{limits['email']} in {minutes} minutes from this email",
                f"{RATE_KEY_PREFIX}:{statement}:email:{email}:{bucket}",
                limits["email"],
                (bucket + 2) * window,
            ),
        ]
        if limits.get("email_per_day") is not None:
            limited.append(
                (
                    f"{limits['email_per_day']} confirmation emails a day to this email",
                    f"{RATE_KEY_PREFIX}:any:email-day:{email}:{day_bucket}",
                    limits["email_per_day"],
                    (day_bucket + 2) * day,
                )
            )
        for what, key, limit, expires_at in limited:
            counters.append((submission, what, key, limit, expires_at))
        submission.ip_digest = ""
    if not counters:
        return
    try:
        over = count_in_sets(
            [
                (key, str(submission.pk), limit, expires)
                for submission, _, key, limit, expires in counters
            ]
        )
    except _CACHE_ERRORS:
        logger.warning("public signing counters unavailable; not counted", exc_info=True)
        return
    for (submission, what, _key, _limit, _expires_at), is_over in zip(counters, over, strict=True):
        if is_over:
            reasons = [submission.suspicion] if submission.suspicion else []
            reasons.append(f"{OVER_LIMIT}{what}")
            submission.suspicion = "; ".join(reasons)[:300]


# How a submission's suspicion says it went over a limit.
OVER_LIMIT = "more than "


def _over_limit(submission: PublicSubmission) -> bool:
    return OVER_LIMIT in submission.suspicion
