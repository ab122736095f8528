"""The worker's side of public signing: batches of stored submissions become signatures
(organisations found or created once each), and unconfirmed ones expire.
"""

import contextlib
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from alliance.core.audit.models import AuditEntry
from alliance.core.audit.services import unsaved_entry
from alliance.core.outbox.services import Email, queue_emails
from members.models import RESERVED_SLUGS, Contact, Organisation, slug_base, unique_slug
from statements.models import (
    PublicSubmission,
    Signature,
    Statement,
    StatementVersion,
)
from statements.services.public_signing import _mark_over_limit, _over_limit
from statements.services.publication import _set_status
from statements.services.signing import (
    Signatory,
    _already_signed_email,
    _confirmation_email,
    canonical_email,
    is_own_address,
)
from statements.submission_outcomes import save_outcomes

logger = logging.getLogger(__name__)

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
            save_outcomes(batch)
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
