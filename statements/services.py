"""Operations on joint statements: drafting (versioned texts), circulating for sign-on,
signing once per organisation, declining, withdrawing, reminding and publishing.

Each is one transaction with an audit entry; emails are outbox rows written in the same
transaction, so a change and the messages it causes commit together or not at all.
"""

import contextlib
import datetime as dt
import hashlib
import logging
import time
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from alliance.audit.models import AuditEntry
from alliance.audit.services import diff, record, snapshot, unsaved_entry
from alliance.outbox.services import Email, queue_email, queue_emails
from alliance.queueing import enqueue
from alliance.ratelimits import count_in_sets
from members.models import RESERVED_SLUGS, Contact, Organisation, slug_base, unique_slug
from statements.models import (
    PublicSubmission,
    Signature,
    SignOnRequest,
    Statement,
    StatementText,
    StatementVersion,
)
from statements.webhooks import emit_signature_event, emit_statement_published

# The settings of a statement whose changes are written to the audit trail.
AUDITED_SETTINGS = [
    "original_language",
    "campaign",
    "moment",
    "signon_opens_at",
    "signon_closes_at",
    "embargo_until",
    "audience",
    "moderation",
    "reminder_offsets",
    "unconfirmed_count_after_change",
    "coordinators_may_circulate",
]
logger = logging.getLogger(__name__)

# Offset 0 means "the morning of the deadline", at this hour in the recipient's zone.
DEADLINE_MORNING_HOUR = 8
# A reminder that the scan could not send within this window after it fell due (the
# scheduler was down) is skipped rather than sent late and out of order.
REMINDER_GRACE = dt.timedelta(hours=12)


@dataclass(frozen=True)
class TextInput:
    """The title, summary and body of a statement in one language."""

    language: str
    title: str
    body: str
    summary: str = ""


# --- Drafting ---------------------------------------------------------------------------


def save_statement(
    *,
    statement: Statement,
    texts: list[TextInput],
    author,
    focus_areas=None,
    note: str = "",
    tell_invitees_of_deadline: bool = False,
) -> Statement:
    """Create or change a statement and its texts.

    `statement` carries the new settings (a new, unsaved instance, or one changed by a
    form). While nobody has signed, the texts of the current version are changed in
    place; once signatures exist, a changed text makes a new version, so that every
    signature keeps pointing at the exact text it signed. A changed deadline is emailed
    to the organisations already asked when `tell_invitees_of_deadline`.
    """
    if not any(text.language == statement.original_language for text in texts):
        raise ValidationError(_("The text in the original language is needed."))
    creating = statement.pk is None
    with transaction.atomic():
        before, previous_deadline = {}, None
        if not creating:
            stored = Statement.objects.select_for_update().get(pk=statement.pk)
            before = snapshot(stored, AUDITED_SETTINGS)
            previous_deadline = stored.signon_closes_at
        else:
            statement.created_by = author
            original = next(t for t in texts if t.language == statement.original_language)
            statement.slug = statement.slug or unique_slug(Statement, original.title)
        # Only the settings: a publication that happened while the form was open stays.
        statement.save(update_fields=None if creating else [*AUDITED_SETTINGS, "updated_at"])
        if focus_areas is not None:
            statement.focus_areas.set(focus_areas)
        version, new_version = _version_for_texts(statement, texts, author=author, note=note)
        if version is not None:
            _write_texts(version, texts)
        if new_version:
            _ask_to_confirm_again(statement, version)
        changes = {} if creating else diff(before, statement)
        if tell_invitees_of_deadline and _to_the_minute(previous_deadline) != _to_the_minute(
            statement.signon_closes_at
        ):
            _tell_new_deadline(statement)
        if version is not None:
            changes["texts"] = [None, f"v{version.number}: {_languages(texts)}"]
        if creating or changes:
            record(
                actor=author,
                action="statement.created" if creating else "statement.changed",
                target=statement,
                changes=changes,
                note=note,
            )
    statement.new_version_made = new_version
    return statement


def _to_the_minute(moment: dt.datetime | None) -> dt.datetime | None:
    # The form shows minutes: a deadline saved unchanged from it loses only its seconds.
    return moment.replace(second=0, microsecond=0) if moment else None


def _tell_new_deadline(statement: Statement) -> None:
    """Write to every organisation asked to sign: the deadline moved."""
    deadline = statement.signon_closes_at.isoformat() if statement.signon_closes_at else "none"
    queue_emails(
        _request_emails(
            statement,
            statement.signon_requests.all(),
            template="statement_deadline_changed",
            key=lambda request, contact: (
                f"statement-deadline:{statement.pk}:{deadline}:{contact.pk}"
            ),
        )
    )


def _languages(texts: list[TextInput]) -> str:
    return ", ".join(sorted(text.language for text in texts))


def _version_for_texts(statement, texts, *, author, note):
    """The version the texts go into (None when nothing changed) and whether it is new."""
    current = statement.versions.select_for_update().order_by("-number").first()
    if current is None:
        return StatementVersion.objects.create(
            statement=statement, number=1, created_by=author, note=note
        ), False
    stored = {text.language: (text.title, text.summary, text.body) for text in current.texts.all()}
    wanted = {text.language: (text.title, text.summary, text.body) for text in texts}
    if stored == wanted:
        return None, False
    if not current.signatures.exists():
        return current, False
    return StatementVersion.objects.create(
        statement=statement, number=current.number + 1, created_by=author, note=note
    ), True


def _write_texts(version: StatementVersion, texts: list[TextInput]) -> None:
    version.texts.exclude(language__in=[text.language for text in texts]).delete()
    for text in texts:
        StatementText.objects.update_or_create(
            version=version,
            language=text.language,
            defaults={"title": text.title, "summary": text.summary, "body": text.body},
        )


def _ask_to_confirm_again(statement: Statement, version: StatementVersion) -> None:
    """Write to everyone who signed an earlier text: the text changed, please confirm.
    Their link is their organisation's personal link (or the statement's page)."""
    signatures = (
        Signature.objects.live()
        .filter(statement=statement)
        .exclude(version=version)
        .select_related("contact", "organisation")
    )
    tokens = dict(statement.signon_requests.values_list("organisation_id", "token"))
    texts = {text.language: text for text in version.texts.all()}
    emails = []
    for signature in signatures:
        language = signature.contact.language if signature.contact else ""
        if language not in texts:
            language = statement.original_language
        token = tokens.get(signature.organisation_id)
        path = (
            reverse("statements:respond", kwargs={"token": token}) + f"?lang={language}"
            if token
            else f"{statement.get_absolute_url()}?lang={language}"
        )
        emails.append(
            Email(
                key=f"statement-confirm-again:{signature.pk}:{version.number}",
                to_email=signature.email,
                to_name=signature.signatory_name,
                language=language,
                template="statement_text_changed",
                context={
                    "organisation": signature.organisation.name,
                    "title": texts[language].title,
                    "note": version.note,
                    "stays_counted": statement.unconfirmed_count_after_change,
                    "path": path,
                },
            )
        )
    queue_emails(emails)


# --- Circulating ------------------------------------------------------------------------


@dataclass(frozen=True)
class CirculationPreview:
    organisations: int
    already_asked: int
    to_ask: int
    contacts: int
    without_contact: int


def contacts_to_write_to(organisations: QuerySet) -> QuerySet:
    """The people who receive a request to sign: authorised contacts with an address."""
    return (
        Contact.objects.authorised_to_sign()
        .exclude(email="")
        .filter(organisation__in=organisations)
    )


def preview_circulation(*, statement: Statement, organisations: QuerySet) -> CirculationPreview:
    """How many organisations and people a circulation would write to, before it does."""
    asked = statement.signon_requests.values("organisation_id")
    matched = organisations.count()
    new = organisations.exclude(pk__in=asked)
    to_ask = new.count()
    with_contact = new.filter(pk__in=contacts_to_write_to(new).values("organisation_id")).count()
    return CirculationPreview(
        organisations=matched,
        already_asked=matched - to_ask,
        to_ask=to_ask,
        contacts=contacts_to_write_to(new).count(),
        without_contact=to_ask - with_contact,
    )


def circulate(*, statement: Statement, organisations: QuerySet, sent_by) -> int:
    """Ask `organisations` to sign (those not asked yet), open the statement for sign-on
    if it is a draft, and email each one's authorised contacts a personal link.

    Returns how many organisations were asked.
    """
    if statement.status not in (Statement.Status.DRAFT, Statement.Status.OPEN):
        raise ValidationError(_("Only a draft or an open statement can be circulated."))
    if statement.current_version() is None:
        raise ValidationError(_("Write the text before circulating the statement."))
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        closes = statement.signon_closes_at
        if closes is not None and closes <= timezone.now():
            raise ValidationError(
                _(
                    "The deadline to sign has passed: move it later before circulating "
                    "the statement."
                )
            )
        asked = statement.signon_requests.values("organisation_id")
        new_ids = list(organisations.exclude(pk__in=asked).values_list("pk", flat=True))
        SignOnRequest.objects.bulk_create(
            [
                SignOnRequest(statement=statement, organisation_id=pk, requested_by=sent_by)
                for pk in new_ids
            ],
            ignore_conflicts=True,  # a concurrent circulation asked the same one: fine
        )
        requests = statement.signon_requests.filter(organisation_id__in=new_ids)
        queue_emails(_request_emails(statement, requests, template="statement_invitation"))
        if statement.status == Statement.Status.DRAFT:
            statement.status = Statement.Status.OPEN
            if statement.signon_opens_at is None:
                statement.signon_opens_at = timezone.now()
            statement.save(update_fields=["status", "signon_opens_at", "updated_at"])
        record(
            actor=sent_by,
            action="statement.circulated",
            target=statement,
            changes={"organisations_asked": [None, len(new_ids)]},
        )
    return len(new_ids)


def signing_path(request: SignOnRequest, contact: Contact) -> str:
    """The personal link of one contact: the organisation's token, the contact (to fill
    the form in) and the contact's language."""
    path = reverse("statements:respond", kwargs={"token": request.token})
    return f"{path}?{urlencode({'contact': contact.pk, 'lang': contact.language})}"


def _request_emails(statement, requests, *, template: str, key=None, contacts=None) -> list:
    """One email per authorised contact of each request's organisation, in their language."""
    requests = list(requests.select_related("organisation"))
    if contacts is None:
        contacts = contacts_to_write_to(
            Organisation.objects.filter(pk__in=[r.organisation_id for r in requests])
        )
    by_organisation = {}
    for contact in contacts:
        by_organisation.setdefault(contact.organisation_id, []).append(contact)
    version = statement.current_version()
    texts = {text.language: text for text in version.texts.all()}
    emails = []
    for request in requests:
        for contact in by_organisation.get(request.organisation_id, []):
            text = texts.get(contact.language) or texts[statement.original_language]
            emails.append(
                Email(
                    key=key(request, contact)
                    if key
                    else f"statement-invitation:{statement.pk}:{contact.pk}",
                    to_email=contact.email,
                    to_name=contact.name,
                    language=contact.language,
                    template=template,
                    context={
                        "organisation": request.organisation.name,
                        "title": text.title,
                        "summary": text.summary,
                        "deadline": _local_date_time(
                            statement.signon_closes_at, contact.language, contact.time_zone
                        ),
                        "path": signing_path(request, contact),
                    },
                )
            )
    return emails


def _local_date_time(moment: dt.datetime | None, language: str, time_zone: str) -> str:
    """`moment` as the recipient reads it: their language, their time zone (named)."""
    if moment is None:
        return ""
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone, time_zone = dt.UTC, "UTC"
    with translation.override(language):
        return f"{date_format(moment.astimezone(zone), 'DATETIME_FORMAT')} ({time_zone})"


@dataclass
class Tally:
    signed: int = 0
    declined: int = 0
    no_reply: int = 0

    @property
    def asked(self) -> int:
        return self.signed + self.declined + self.no_reply


@dataclass
class Tracking:
    totals: Tally
    by_alliance: list[tuple[str, Tally]] = field(default_factory=list)


# How long the answers per national alliance may lag a change of membership.
TRACKING_CACHE_SECONDS = 30


def tracking(statement: Statement) -> Tracking:
    """Answers in totals and per national alliance (an organisation with memberships in
    several counts in each; one with none, under "no national alliance").

    The count per alliance joins every organisation asked to its memberships, so it is
    kept in Django's cache under a key that changes with any answer (each answer's count
    and latest time, from the totals' query)."""
    answers = list(
        statement.signon_requests.values_list("answer")
        .annotate(n=Count("id"), last=Max("answered_at"))
        .order_by("answer")
    )
    totals = Counter({answer: n for answer, n, _last in answers})
    state = ",".join(
        f"{answer}:{n}:{last.timestamp() if last else 0}" for answer, n, last in answers
    )
    # The creation time as well: a test database gives a statement's id again.
    key = f"tracking:{statement.pk}:{statement.created_at.timestamp()}:{state}"
    rows = cache.get(key)
    if rows is None:
        rows = list(
            statement.signon_requests.values_list(
                "organisation__memberships__national_alliance__name", "answer"
            )
            .annotate(n=Count("id", distinct=True))
            .order_by()
        )
        cache.set(key, rows, TRACKING_CACHE_SECONDS)
    alliances: dict[str, Tally] = {}
    for name, answer, n in rows:
        tally = alliances.setdefault(name or _("no national alliance"), Tally())
        setattr(tally, answer, getattr(tally, answer) + n)
    return Tracking(
        totals=Tally(
            signed=totals[SignOnRequest.Answer.SIGNED],
            declined=totals[SignOnRequest.Answer.DECLINED],
            no_reply=totals[SignOnRequest.Answer.NO_REPLY],
        ),
        by_alliance=sorted(alliances.items()),
    )


# --- Signing ----------------------------------------------------------------------------


class AlreadySigned(Exception):
    """The organisation has a live signature on this statement already."""

    def __init__(self, signature: Signature):
        self.signature = signature
        super().__init__(f"{signature.organisation} already signed, by {signature.signatory_name}")


@dataclass(frozen=True)
class Signatory:
    name: str
    email: str
    title: str = ""
    listed_publicly: bool = True

    @classmethod
    def of(cls, row: "Signature | PublicSubmission") -> "Signatory":
        """The signatory a signature or a public submission names."""
        return cls(
            name=row.signatory_name,
            email=row.email,
            title=row.signatory_title,
            listed_publicly=row.listed_publicly,
        )

    def columns(self) -> dict:
        """The signatory as the columns of a Signature or a PublicSubmission."""
        return {
            "signatory_name": self.name,
            "signatory_title": self.title,
            "email": self.email,
            "listed_publicly": self.listed_publicly,
        }


def sign(
    *,
    statement: Statement,
    organisation: Organisation,
    signatory: Signatory,
    source: str = Signature.Source.MEMBER,
    actor=None,
) -> Signature:
    """Sign `statement` for `organisation`: one live signature per organisation, however
    many people try at once (the database constraint decides; AlreadySigned tells the
    later ones who signed first).

    Members sign from a personal link or logged in, so their address is known: the
    signature is confirmed at once, or waits for a moderator when moderation is on.
    """
    _check_open(statement)
    contact = (
        organisation.contacts.filter(email__iexact=signatory.email).first()
        if signatory.email
        else None
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                statement=statement,
                organisation=organisation,
                version=statement.current_version(),
                contact=contact,
                **signatory.columns(),
                email_verified_at=now if contact else None,
                status=Signature.Status.PENDING_MODERATION
                if statement.moderation
                else Signature.Status.CONFIRMED,
                source=source,
            )
            _answer(statement, organisation, SignOnRequest.Answer.SIGNED, now)
            record(
                actor=actor,
                actor_label="" if actor else f"{signatory.name} <{signatory.email}>",
                action="signature.created",
                target=signature,
                changes={"status": [None, signature.status]},
            )
            emit_signature_event(
                "signature.confirmed",
                signature,
                when=signature.status == Signature.Status.CONFIRMED,
            )
    except IntegrityError:
        existing = live_signature(statement, organisation)
        if existing is None:  # the first one was withdrawn in the meantime
            raise
        raise AlreadySigned(existing) from None
    return signature


# At most this many confirmation emails per signature, whatever the resends.
MAX_CONFIRMATION_EMAILS = 5


def canonical_email(email: str) -> str:
    """The address as compared: lower case, without plus-addressing
    ("Ana+Davos@Example.org" and "ana@example.org" are one person)."""
    local, _at, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


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


# --- Processing public submissions ------------------------------------------------------

# Submissions claimed and committed together by the processor.
PROCESSING_BATCH_SIZE = 100


def process_public_submissions(*, batch_size: int = PROCESSING_BATCH_SIZE) -> int:
    """Turn received public submissions into signatures, a batch per transaction, until
    none is left. Returns how many were processed.

    Safe to run twice, in several workers at once, and after a killed worker: a batch is
    claimed with SELECT ... FOR UPDATE SKIP LOCKED and marked processed in the
    transaction that makes its signatures, so a batch is done entirely or not at all,
    and a second worker takes the next batch instead of waiting.

    A batch is first processed in one savepoint, rows not isolated from each other; if
    anything in it fails (a row's bug, a slug taken meanwhile), that savepoint is rolled
    back and the batch is processed again row by row, each in a savepoint of its own, so
    that a failing row is marked failed and the others go on.
    """
    processed = 0
    statements: dict[int, _StatementForSigning] = {}
    while True:
        with transaction.atomic():
            batch = list(
                PublicSubmission.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=PublicSubmission.Status.RECEIVED)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return processed
            _mark_over_limit(batch)
            for submission in batch:
                if submission.statement_id not in statements:
                    statements[submission.statement_id] = _StatementForSigning.load(
                        submission.statement_id
                    )
            try:
                with transaction.atomic():
                    outcome = _process_batch(batch, statements, row_by_row=False)
            except Exception:
                logger.info("a batch of public submissions is processed again row by row")
                outcome = _process_batch(batch, statements, row_by_row=True)
            _save_outcomes(batch)
            # The batch's audit entries and emails in one write each, committed with its
            # signatures.
            AuditEntry.objects.bulk_create(outcome.entries)
            queue_emails(outcome.emails)
        processed += len(batch)


def _process_batch(
    batch: list[PublicSubmission],
    statements: dict[int, "_StatementForSigning"],
    *,
    row_by_row: bool,
) -> "_Outcome":
    organisations = _OrganisationsOfBatch.find(batch)
    outcome = _Outcome()
    for submission in batch:
        signing = statements[submission.statement_id]
        row = _process(submission, signing, organisations, row_by_row=row_by_row)
        outcome.emails += row.emails
        outcome.entries += row.entries
    return outcome


# What processing changes on a submission.
_OUTCOME_FIELDS = ["status", "signature", "error", "processed_at", "suspicion", "ip_digest"]


def _save_outcomes(batch: list[PublicSubmission]) -> None:
    """Write what became of each submission of a batch in one statement. On PostgreSQL,
    an UPDATE from the batch's values as arrays: the ORM's bulk_update builds a CASE per
    field and row, which took a third of the processor's time."""
    if connection.vendor != "postgresql":
        PublicSubmission.objects.bulk_update(batch, _OUTCOME_FIELDS)
        return
    meta = PublicSubmission._meta
    columns = [meta.get_field(name).column for name in _OUTCOME_FIELDS]
    types = ["text", "bigint", "text", "timestamptz", "text", "text"]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = outcome.{quote(column)}" for column in columns)
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)
    names = ", ".join(quote(column) for column in columns)
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    # Names come from the model, values are parameters.
    sql = (
        f"UPDATE {table} AS submission SET {assignments} "  # noqa: S608
        f"FROM unnest(%s::bigint[], {arrays}) AS outcome(id, {names}) "
        f"WHERE submission.{pk} = outcome.id"
    )
    values = [[submission.pk for submission in batch]] + [
        [getattr(submission, meta.get_field(name).attname) for submission in batch]
        for name in _OUTCOME_FIELDS
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


@dataclass
class _StatementForSigning:
    """What every signature of one statement needs, read once per run."""

    statement: Statement
    version: StatementVersion | None
    titles: dict[str, str]

    @classmethod
    def load(cls, statement_id: int) -> "_StatementForSigning":
        statement = Statement.objects.get(pk=statement_id)
        version = statement.versions.prefetch_related("texts").order_by("-number").first()
        titles = {text.language: text.title for text in version.texts.all()} if version else {}
        return cls(statement=statement, version=version, titles=titles)

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles.get(self.statement.original_language, "")


@dataclass
class _Outcome:
    """What processing one submission writes with its batch."""

    emails: list[Email] = field(default_factory=list)
    entries: list[AuditEntry] = field(default_factory=list)


def _process(
    submission: PublicSubmission,
    signing: _StatementForSigning,
    organisations: "_OrganisationsOfBatch",
    *,
    row_by_row: bool,
) -> _Outcome:
    """One submission. `row_by_row`: in a savepoint of its own, where a failure marks it
    failed (and is logged) without undoing the rest of the batch; otherwise a failure is
    the batch's (process_public_submissions)."""
    submission.processed_at = timezone.now()
    submission.signature, submission.error = None, ""  # from a first pass rolled back
    if not row_by_row:
        submission.signature, outcome = _signature_for(submission, signing, organisations)
        submission.status = PublicSubmission.Status.PROCESSED
        return outcome
    try:
        with transaction.atomic(), organisations.forgotten_on_error(submission):
            submission.signature, outcome = _signature_for(submission, signing, organisations)
    except Exception as error:  # one bad row must not block the queue
        logger.exception("public submission %s could not be processed", submission.pk)
        submission.status = PublicSubmission.Status.FAILED
        submission.error = repr(error)[:2000]
        return _Outcome()
    submission.status = PublicSubmission.Status.PROCESSED
    return outcome


def _signature_for(
    submission: PublicSubmission,
    signing: _StatementForSigning,
    organisations: "_OrganisationsOfBatch",
) -> tuple[Signature, _Outcome]:
    """The submission's signature and what it writes with its batch.

    Whether the organisation has signed is told only to an address of its own (one of
    its contacts', its verified domain, the address of its signature, or the one that
    named it first): that email reaches nobody else. Every other submitter gets the same
    answer whatever the organisation did: a new signature waiting for its address to be
    confirmed (the confirmation email, unless over a limit, and an audit entry), which
    holds no place and, for an organisation that existed, then waits for approval.
    Sending the form again finds one's own waiting signature and sends nothing more."""
    statement = signing.statement
    signatory = Signatory.of(submission)
    organisation = organisations.get_or_create(submission)
    own = organisations.is_own(organisation, signatory.email)
    existing = organisations.live_signature(statement.pk, organisation.pk)
    if own and existing is not None:
        return existing, _already_signed(existing, submission, signing, signatory)
    waiting = organisations.waiting_signature(statement.pk, organisation.pk, signatory.email)
    if waiting is not None:
        return waiting, _Outcome()
    emailed = not _over_limit(submission)
    signature = Signature(
        statement=statement,
        organisation=organisation,
        version=signing.version,
        **signatory.columns(),
        status=Signature.Status.PENDING_VERIFICATION,
        source=Signature.Source.WEB,
        suspicious=bool(submission.suspicion),
        needs_approval=not own,
        confirmation_emails_sent=1 if emailed else 0,
    )
    # A signature waiting for its address holds no place: nothing can refuse it.
    signature.save(force_insert=True)
    organisations.waiting(signature)
    entry = unsaved_entry(
        actor_label=f"{signatory.name} <{signatory.email}>",
        action="signature.submitted",
        target=signature,
        changes={"status": [None, signature.status]},
        note=f"suspicious: {submission.suspicion}" if submission.suspicion else "",
    )
    if not emailed:
        return signature, _Outcome(entries=[entry])
    title = signing.title(submission.language)
    email = _confirmation_email(signature, submission.language, title, number=1)
    return signature, _Outcome(emails=[email], entries=[entry])


def _already_signed(
    existing: Signature,
    submission: PublicSubmission,
    signing: _StatementForSigning,
    signatory: Signatory,
) -> _Outcome:
    """One of the organisation's own addresses names it after it signed: the person who
    signed sending the form again gets nothing more; someone else of the organisation is
    told by email that it had signed (the email reaches only that address)."""
    if canonical_email(existing.email) == canonical_email(signatory.email):
        return _Outcome()
    title = signing.title(submission.language)
    email = _already_signed_email(
        signing.statement, existing.organisation, signatory, submission.language, title
    )
    return _Outcome(emails=[email])


def is_own_address(organisation: Organisation, email: str, contact_emails: set[str]) -> bool:
    """Whether `email` is one of the organisation's own: a contact's address (given as
    `contact_emails`, lower case) or an address at its verified domain."""
    address = email.strip().lower()
    domain = organisation.verified_domain.strip().lower()
    return address in contact_emails or bool(domain and address.rpartition("@")[2] == domain)


class _OrganisationsOfBatch:
    """The organisations a batch of submissions names, found or created once each, with
    what deciding their signatures needs: their contacts' addresses among the batch's,
    their live signatures of the batch's statements, and the signatures waiting for an
    address of the batch.

    The same name is compared as members.services.find_duplicates compares it (trimmed,
    case-insensitive, in one country). Two submissions naming the same new organisation
    at once, in one batch or in two workers, create it once: the batch first takes a lock
    on each normalised name and country it names (all in one statement, in one order in
    every worker, so no deadlock), held until it commits, and only then looks them up, in
    one query served by the index on LOWER(name). The rest is read in one query each,
    after the locks.
    """

    def __init__(
        self,
        found: dict[tuple[str, str], Organisation],
        taken_slugs: set[str],
        signatures: dict[tuple[int, int], Signature],
        contact_emails: dict[int, set[str]],
        waiting: dict[tuple[int, int, str], Signature],
    ):
        self._by_key = found
        # Of the slugs the new organisations would be given, those some row has already.
        self._taken_slugs = taken_slugs
        # The live signature of each (statement, organisation), as far as the batch knows.
        self._signatures = signatures
        # Lower-case addresses of each organisation's contacts (those the batch names).
        self._contact_emails = contact_emails
        # Signatures waiting for their address, by (statement, organisation, address).
        self._waiting = waiting
        # The canonical address that named each organisation the batch created.
        self._created_by: dict[int, str] = {}

    @staticmethod
    def key(submission: PublicSubmission) -> tuple[str, str]:
        return submission.organisation_name.strip().lower(), submission.country

    @classmethod
    def find(cls, batch: list[PublicSubmission]) -> "_OrganisationsOfBatch":
        keys = {cls.key(submission) for submission in batch}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # unnest keeps the array's order: the locks are taken in sorted order.
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(key) FROM unnest(%s::bigint[]) AS key",
                    [sorted({_organisation_lock_key(*key) for key in keys})],
                )
        # (SQLite lets one writer at a time in: the processors are serialised anyway.)
        found: dict[tuple[str, str], Organisation] = {}
        candidates = (
            Organisation.objects.annotate(lower_name=Lower("name"))
            .filter(
                lower_name__in={name for name, _country in keys},
                country__in={country for _name, country in keys},
            )
            .order_by("name", "pk")
        )
        for organisation in candidates:
            # The database's lower(), as the index has it: the pairs asked for, not the
            # other names of the same countries.
            key = (organisation.lower_name, organisation.country.code)
            if key in keys:
                found.setdefault(key, organisation)
        # The slugs of the new ones, checked in one query rather than one per organisation.
        bases = {
            slug_base(submission.organisation_name.strip())
            for submission in batch
            if cls.key(submission) not in found
        }
        taken = set(Organisation.objects.filter(slug__in=bases).values_list("slug", flat=True))
        ids = [organisation.pk for organisation in found.values()]
        statements = {submission.statement_id for submission in batch}
        return cls(
            found,
            taken | (bases & RESERVED_SLUGS),
            cls._live_signatures(statements, ids),
            cls._contact_emails_of(batch, ids),
            cls._waiting_signatures(statements, ids),
        )

    @staticmethod
    def _live_signatures(statements, ids) -> dict[tuple[int, int], Signature]:
        if not ids:
            return {}
        signatures = (
            Signature.objects.live()
            .filter(statement__in=statements, organisation__in=ids)
            .select_related("organisation")
        )
        return {
            (signature.statement_id, signature.organisation_id): signature
            for signature in signatures
        }

    @staticmethod
    def _contact_emails_of(batch, ids) -> dict[int, set[str]]:
        if not ids:
            return {}
        emails = {submission.email.strip().lower() for submission in batch}
        found: dict[int, set[str]] = {}
        for organisation_id, email in (
            Contact.objects.annotate(lower_email=Lower("email"))
            .filter(organisation__in=ids, lower_email__in=emails)
            .values_list("organisation_id", "lower_email")
        ):
            found.setdefault(organisation_id, set()).add(email)
        return found

    @staticmethod
    def _waiting_signatures(statements, ids) -> dict[tuple[int, int, str], Signature]:
        if not ids:
            return {}
        signatures = Signature.objects.filter(
            status=Signature.Status.PENDING_VERIFICATION,
            statement__in=statements,
            organisation__in=ids,
        )
        return {
            (
                signature.statement_id,
                signature.organisation_id,
                canonical_email(signature.email),
            ): signature
            for signature in signatures
        }

    def live_signature(self, statement_id: int, organisation_id: int) -> Signature | None:
        return self._signatures.get((statement_id, organisation_id))

    def waiting_signature(
        self, statement_id: int, organisation_id: int, email: str
    ) -> Signature | None:
        return self._waiting.get((statement_id, organisation_id, canonical_email(email)))

    def waiting(self, signature: Signature) -> None:
        """A signature this batch made: the same address naming it again finds it."""
        key = (signature.statement_id, signature.organisation_id, canonical_email(signature.email))
        self._waiting[key] = signature

    def is_own(self, organisation: Organisation, email: str) -> bool:
        """Whether the address is one of the organisation's: its contacts', its verified
        domain, that of its live signature, or the one that named it first, in this batch
        (a new organisation's first signer is its own)."""
        address = canonical_email(email)
        return (
            self._created_by.get(organisation.pk) == address
            or is_own_address(organisation, email, self._contact_emails.get(organisation.pk, set()))
            or any(
                canonical_email(signature.email) == address
                for (_statement, organisation_id), signature in self._signatures.items()
                if organisation_id == organisation.pk
            )
        )

    def get_or_create(self, submission: PublicSubmission) -> Organisation:
        key = self.key(submission)
        organisation = self._by_key.get(key)
        if organisation is None:
            name = submission.organisation_name.strip()
            slug = slug_base(name)
            if slug in self._taken_slugs:
                slug = unique_slug(Organisation, name)  # asks the database, as save() would
            self._taken_slugs.add(slug)
            organisation = Organisation.objects.create(
                name=name, slug=slug, country=submission.country, kind=submission.kind
            )
            self._by_key[key] = organisation
            self._created_by[organisation.pk] = canonical_email(submission.email)
        return organisation

    @contextlib.contextmanager
    def forgotten_on_error(self, submission: PublicSubmission):
        """Around a submission's savepoint: the organisation and the signature it made are
        forgotten when the savepoint is rolled back, so that the next submission naming
        the organisation makes them again."""
        saved = dict(self._by_key), dict(self._waiting), dict(self._created_by)
        try:
            yield
        except BaseException:
            self._by_key, self._waiting, self._created_by = (dict(part) for part in saved)
            raise


def _organisation_lock_key(name: str, country: str) -> int:
    """A signed 64-bit key for pg_advisory_xact_lock from a normalised name and country
    (_OrganisationsOfBatch.key)."""
    digest = hashlib.sha256(f"public-organisation:{country}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def expire_unconfirmed_signatures(*, now: dt.datetime | None = None) -> int:
    """Public signatures whose address was not confirmed within
    settings.PUBLIC_SIGNATURE_CONFIRMATION_HOURS stop being live (status "expired",
    outside the one-live-signature constraint): a stranger cannot hold an organisation's
    place with an address they never confirm, and the organisation may sign again. Each
    one is audited. Safe to run twice: the status is changed only from "pending
    verification". Returns how many expired."""
    hours = settings.PUBLIC_SIGNATURE_CONFIRMATION_HOURS
    cutoff = (now or timezone.now()) - dt.timedelta(hours=hours)
    expired = 0
    while True:
        with transaction.atomic():
            due = list(
                Signature.objects.select_for_update(skip_locked=True)
                .filter(
                    status=Signature.Status.PENDING_VERIFICATION,
                    source__in=[Signature.Source.WEB, Signature.Source.PARTNER],
                    created_at__lt=cutoff,
                )
                .order_by("pk")[:500]
            )
            if not due:
                return expired
            _set_status(
                due,
                Signature.Status.EXPIRED,
                actor_label="expiry",
                action="signature.expired",
                note=f"The address was not confirmed within {hours} hours.",
            )
        expired += len(due)


def _check_open(statement: Statement) -> None:
    if statement.status != Statement.Status.OPEN:
        raise ValidationError(_("This statement is not open for signatures."))
    if statement.signon_closes_at and statement.signon_closes_at <= timezone.now():
        raise ValidationError(_("The deadline to sign this statement has passed."))


def _already_signed_email(statement, organisation, signatory, language, title) -> Email:
    return Email(
        # Once per address and organisation: resubmitting does not make more mail.
        key=(
            f"statement-already-signed:{statement.pk}:{organisation.pk}:"
            f"{canonical_email(signatory.email)}"
        ),
        to_email=signatory.email,
        to_name=signatory.name,
        language=language,
        template="statement_already_signed",
        context={
            "organisation": organisation.name,
            "title": title,
            "path": statement.get_absolute_url(),
        },
    )


def _confirmation_email(signature: Signature, language: str, title: str, *, number: int):
    """The `number`th email with the link that confirms a signer's address."""
    return Email(
        key=f"signature-confirmation:{signature.pk}:{number}",
        to_email=signature.email,
        to_name=signature.signatory_name,
        language=language,
        template="statement_signature_confirmation",
        context={
            "organisation": signature.organisation.name,
            "title": title,
            # The page it opens speaks the email's language.
            "path": reverse("statements:verify", args=[signature.token]) + f"?lang={language}",
        },
    )


def send_signature_confirmation(*, signature: Signature, language: str) -> bool:
    """Send the link that confirms the signer's address again, at most
    MAX_CONFIRMATION_EMAILS times per signature (the processor sends the first).
    Returns whether an email was queued."""
    with transaction.atomic():
        claimed = Signature.objects.filter(
            pk=signature.pk,
            status=Signature.Status.PENDING_VERIFICATION,
            confirmation_emails_sent__lt=MAX_CONFIRMATION_EMAILS,
        ).update(confirmation_emails_sent=F("confirmation_emails_sent") + 1)
        if not claimed:
            return False
        sent = Signature.objects.values_list("confirmation_emails_sent", flat=True).get(
            pk=signature.pk
        )
        title = signature.statement.current_text(language).title
        queue_email(_confirmation_email(signature, language, title, number=sent))
    return True


def _take_place(rows: QuerySet, status: str, **fields) -> str | None:
    """Set `status` (and `fields`) on the one signature of `rows`, in a savepoint; if the
    one-live-signature index refuses it (the organisation's place is taken), it becomes
    SUPERSEDED instead. Returns the status written, or None when `rows` matched nothing."""
    try:
        with transaction.atomic():
            if rows.update(status=status, **fields):
                return status
            return None
    except IntegrityError:
        fields.pop("listed_publicly", None)
        rows.update(status=Signature.Status.SUPERSEDED, **fields)
        return Signature.Status.SUPERSEDED


def verify_signature(*, signature: Signature) -> Signature:
    """The signer followed the link in the confirmation email and confirmed (a POST).

    From an address of the organisation's own, the signature now holds its place and
    counts, or waits for a moderator when moderation is on or it looked automated; if the
    organisation signed meanwhile, it is not needed (its signer may know: the address is
    the organisation's). From anyone else it waits for a convenor or the organisation's
    coordinator to approve it (approve_claim), holding no place and naming nobody."""
    statement = signature.statement
    if signature.needs_approval:
        new_status = Signature.Status.PENDING_APPROVAL
    elif statement.moderation or signature.suspicious:
        new_status = Signature.Status.PENDING_MODERATION
    else:
        new_status = Signature.Status.CONFIRMED
    now = timezone.now()
    with transaction.atomic():
        waiting = Signature.objects.filter(
            pk=signature.pk, status=Signature.Status.PENDING_VERIFICATION
        )
        # The organisation's place may be held by the signature of another of its people.
        new_status = _take_place(waiting, new_status, email_verified_at=now, updated_at=now)
        if new_status is not None:
            if new_status in Signature.LIVE_STATUSES:
                _answer(statement, signature.organisation_id, SignOnRequest.Answer.SIGNED, now)
            record(
                actor_label=signature.email,
                action="signature.email_verified",
                target=signature,
                changes={"status": [Signature.Status.PENDING_VERIFICATION, new_status]},
            )
            signature.status = new_status
            emit_signature_event("signature.confirmed", signature, when=new_status == "confirmed")
    signature.refresh_from_db()
    return signature


def claim_signature(
    *,
    statement: Statement,
    organisation: Organisation,
    signatory: Signatory,
    source: str,
    language: str,
) -> Signature:
    """A signature for an existing organisation from someone not known as one of its
    people (a partner acting for nobody in particular): like a public submission, it
    waits for its address to be confirmed and, unless the address is the organisation's
    own, for approval. The answer is the same whether or not the organisation signed;
    sending it again for the same address finds the one waiting."""
    _check_open(statement)
    contacts = set(
        organisation.contacts.annotate(lower_email=Lower("email"))
        .filter(lower_email=signatory.email.strip().lower())
        .values_list("lower_email", flat=True)
    )
    own = is_own_address(organisation, signatory.email, contacts)
    with transaction.atomic():
        waiting = [
            signature
            for signature in Signature.objects.select_for_update().filter(
                statement=statement,
                organisation=organisation,
                status=Signature.Status.PENDING_VERIFICATION,
            )
            if canonical_email(signature.email) == canonical_email(signatory.email)
        ]
        if waiting:
            return waiting[0]
        signature = Signature.objects.create(
            statement=statement,
            organisation=organisation,
            version=statement.current_version(),
            **signatory.columns(),
            status=Signature.Status.PENDING_VERIFICATION,
            source=source,
            needs_approval=not own,
            confirmation_emails_sent=1,
        )
        record(
            actor_label=f"{signatory.name} <{signatory.email}>",
            action="signature.submitted",
            target=signature,
            changes={"status": [None, signature.status]},
            note=f"source: {source}",
        )
        title = statement.current_text(language).title
        queue_email(_confirmation_email(signature, language, title, number=1))
    return signature


def live_signature(statement: Statement, organisation: Organisation) -> Signature | None:
    return (
        Signature.objects.live()
        .filter(statement=statement, organisation=organisation)
        .select_related("organisation")
        .first()
    )


def _answer(statement, organisation, answer: str, when) -> None:
    SignOnRequest.objects.filter(statement=statement, organisation=organisation).update(
        answer=answer, answered_at=when
    )


def decline(*, signon_request: SignOnRequest, declined_by: str) -> SignOnRequest:
    """The organisation says it will not sign: no more reminders."""
    with transaction.atomic():
        request = SignOnRequest.objects.select_for_update().get(pk=signon_request.pk)
        if request.answer == SignOnRequest.Answer.SIGNED:
            raise ValidationError(
                _("Your organisation has signed: withdraw the signature instead.")
            )
        if request.answer != SignOnRequest.Answer.DECLINED:
            request.answer = SignOnRequest.Answer.DECLINED
            request.answered_at = timezone.now()
            request.save(update_fields=["answer", "answered_at"])
            record(actor_label=declined_by, action="signon_request.declined", target=request)
    return request


def withdraw(*, signature: Signature, actor=None, actor_label: str = "", reason: str = ""):
    """The organisation takes its signature back. Recorded; the organisation counts as
    having declined (it is not reminded), and may sign again while sign-on is open."""
    with transaction.atomic():
        updated = Signature.objects.filter(
            pk=signature.pk, status__in=Signature.LIVE_STATUSES
        ).update(status=Signature.Status.WITHDRAWN, updated_at=timezone.now())
        if not updated:
            raise ValidationError(_("This signature has already been withdrawn or rejected."))
        _answer(
            signature.statement_id,
            signature.organisation_id,
            SignOnRequest.Answer.DECLINED,
            timezone.now(),
        )
        record(
            actor=actor,
            actor_label=actor_label,
            action="signature.withdrawn",
            target=signature,
            changes={"status": [signature.status, Signature.Status.WITHDRAWN]},
            note=reason,
        )
        emit_signature_event("signature.withdrawn", signature)
    signature.status = Signature.Status.WITHDRAWN
    return signature


def moderate(*, signature: Signature, approve: bool, moderator, reason: str = "") -> Signature:
    """Confirm a signature waiting for moderation, or reject it (with a reason, kept in
    the audit trail). A rejected organisation is back to "no reply": it may sign again.

    A signature waiting for approval (from someone not known as one of the
    organisation's people) is decided the same way; approved, it counts, named only if
    the organisation is listed in the public directory: a submission from outside an
    organisation never names it where the organisation chose not to be named. If the
    organisation's own signature came first, the claim is simply not needed."""
    if not approve and not reason.strip():
        raise ValidationError(_("Please give a reason for the rejection."))
    waiting = (Signature.Status.PENDING_MODERATION, Signature.Status.PENDING_APPROVAL)
    new_status = Signature.Status.CONFIRMED if approve else Signature.Status.REJECTED
    now = timezone.now()
    with transaction.atomic():
        current = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(pk=signature.pk, status__in=waiting)
            .first()
        )
        if current is None:
            raise ValidationError(_("This signature is not waiting for moderation."))
        fields = {"updated_at": now}
        if approve and current.needs_approval and not current.organisation.listed_publicly:
            fields["listed_publicly"] = False
        new_status = _take_place(Signature.objects.filter(pk=current.pk), new_status, **fields)
        if new_status == Signature.Status.SUPERSEDED:
            fields.pop("listed_publicly", None)
        fields["status"] = new_status
        changes = {"status": [current.status, new_status]}
        if new_status == Signature.Status.CONFIRMED:
            _answer(current.statement_id, current.organisation_id, SignOnRequest.Answer.SIGNED, now)
        elif not approve and current.status == Signature.Status.PENDING_MODERATION:
            SignOnRequest.objects.filter(
                statement_id=current.statement_id, organisation_id=current.organisation_id
            ).update(answer=SignOnRequest.Answer.NO_REPLY, answered_at=None)
        record(
            actor=moderator,
            action="signature.approved" if approve else "signature.rejected",
            target=current,
            changes=changes,
            note=reason.strip(),
        )
        for name, value in fields.items():
            setattr(current, name, value)
        emit_signature_event(
            "signature.confirmed", current, when=new_status == Signature.Status.CONFIRMED
        )
    signature.status, signature.listed_publicly = current.status, current.listed_publicly
    return signature


def confirm_current_text(*, signature: Signature, actor=None, actor_label: str = "") -> bool:
    """The signer confirms the changed text: the signature now records the current
    version. Returns False when there was nothing to confirm."""
    with transaction.atomic():
        current = signature.statement.current_version()
        previous = signature.version_id
        updated = (
            Signature.objects.live()
            .filter(pk=signature.pk)
            .exclude(version=current)
            .update(version=current, updated_at=timezone.now())
        )
        if updated:
            signature.version = current
            record(
                actor=actor,
                actor_label=actor_label,
                action="signature.confirmed_again",
                target=signature,
                changes={"version": [previous, current.pk]},
            )
    return bool(updated)


# --- Reminders --------------------------------------------------------------------------


def reminder_due_at(deadline: dt.datetime, offset_hours: int, time_zone: str) -> dt.datetime:
    """When the reminder `offset_hours` before `deadline` falls due. Offset 0 is the
    morning of the deadline's day in the recipient's time zone (or two hours before a
    deadline that comes earlier than that morning)."""
    if offset_hours:
        return deadline - dt.timedelta(hours=offset_hours)
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    local_deadline = deadline.astimezone(zone)
    morning = local_deadline.replace(hour=DEADLINE_MORNING_HOUR, minute=0, second=0, microsecond=0)
    if morning >= deadline:
        return deadline - dt.timedelta(hours=2)
    return morning


def send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """For every open statement, remind the organisations that have not answered, at
    each offset that has fallen due. Safe to run twice, or in two processes at once: a
    reminder's outbox key (statement, organisation, offset, contact) is written once.

    Returns how many emails were queued.
    """
    now = now or timezone.now()
    queued = 0
    statements = Statement.objects.filter(
        status=Statement.Status.OPEN, signon_closes_at__gt=now
    ).exclude(reminder_offsets=[])
    for statement in statements:
        queued += _remind(statement, now)
    return queued


def _remind(statement: Statement, now: dt.datetime) -> int:
    deadline = statement.signon_closes_at
    requests = statement.signon_requests.filter(answer=SignOnRequest.Answer.NO_REPLY)
    contacts = list(
        contacts_to_write_to(Organisation.objects.filter(pk__in=requests.values("organisation")))
    )
    emails = []
    for offset in sorted(set(statement.reminder_offsets), reverse=True):
        due_contacts = [
            contact
            for contact in contacts
            if _falls_due(reminder_due_at(deadline, offset, contact.time_zone), now, deadline)
        ]
        if not due_contacts:
            continue
        due_at = min(reminder_due_at(deadline, offset, c.time_zone) for c in due_contacts)
        # Organisations asked after the reminder fell due have just been written to.
        asked_before = requests.filter(requested_at__lt=due_at)
        emails += _request_emails(
            statement,
            asked_before,
            template="statement_reminder",
            contacts=due_contacts,
            key=lambda request, contact, offset=offset: (
                f"statement-reminder:{statement.pk}:{request.organisation_id}:{offset}:{contact.pk}"
            ),
        )
    with transaction.atomic():
        return len(queue_emails(emails))


def _falls_due(due_at, now, deadline) -> bool:
    return due_at <= now < min(deadline, due_at + REMINDER_GRACE)


# --- Publication ------------------------------------------------------------------------


def publish(*, statement: Statement, actor=None) -> bool:
    """Make the statement public in all its languages at once; sign-on ends. Safe to call
    twice: only the first call changes anything. Returns whether this call published."""
    with transaction.atomic():
        now = timezone.now()
        published = Statement.objects.filter(
            pk=statement.pk, status__in=[Statement.Status.DRAFT, Statement.Status.OPEN]
        ).update(status=Statement.Status.PUBLISHED, published_at=now, updated_at=now)
        if published:
            statement.status = Statement.Status.PUBLISHED
            statement.published_at = now
            if not statement.unconfirmed_count_after_change:
                _lapse_unconfirmed(statement)
            record(
                actor=actor,
                actor_label="" if actor else "embargo",
                action="statement.published",
                target=statement,
                changes={"status": [None, Statement.Status.PUBLISHED]},
            )
            emit_statement_published(statement)
    return bool(published)


def _lapse_unconfirmed(statement: Statement) -> None:
    """The convenor chose that signatures of an earlier text count only if confirmed:
    at publication, those never confirmed are withdrawn (each one audited)."""
    current = statement.current_version()
    unconfirmed = list(
        Signature.objects.live().filter(statement=statement).exclude(version=current)
    )
    _set_status(
        unconfirmed,
        Signature.Status.WITHDRAWN,
        actor_label="publication",
        action="signature.lapsed",
        note="The text changed and the signer did not confirm it before publication.",
    )


def _set_status(
    signatures: list[Signature], status: str, *, actor_label: str, action: str, note: str
) -> None:
    """Move `signatures` (loaded, and locked where the caller must) to `status` in one
    UPDATE, with an audit entry each that records the status it had."""
    Signature.objects.filter(pk__in=[signature.pk for signature in signatures]).update(
        status=status, updated_at=timezone.now()
    )
    for signature in signatures:
        record(
            actor_label=actor_label,
            action=action,
            target=signature,
            changes={"status": [signature.status, status]},
            note=note,
        )


def publish_due_statements(*, now: dt.datetime | None = None) -> list[int]:
    """Publish the open statements whose embargo has passed."""
    now = now or timezone.now()
    due = Statement.objects.filter(status=Statement.Status.OPEN, embargo_until__lte=now)
    return [statement.pk for statement in due if publish(statement=statement)]
