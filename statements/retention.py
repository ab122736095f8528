"""How long the personal data of public signers is kept (docs/running/retention.md).

The signature of an organisation is the alliance's record and stays; the address of the
person who typed it into the public form is needed only while the statement is live."""

import datetime as dt
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce

from alliance.core.audit.models import AuditEntry
from alliance.core.audit.services import unsaved_entry
from statements.models import OfflineReceipt, PublicSubmission, Signature, Statement

PUBLIC_SOURCES = [Signature.Source.WEB, Signature.Source.PARTNER]


def erase_public_signer_addresses(*, now: dt.datetime) -> int:
    """Addresses of public and partner signers, RETENTION_PUBLIC_SIGNER_MONTHS after their
    statement was published or closed; the signature stays counted (and listed under the
    organisation's name if it was). One audit entry per statement. Returns how many."""
    ended = _ended_long_enough(now)
    signatures = Signature.objects.filter(statement__in=ended, source__in=PUBLIC_SOURCES).exclude(
        email=""
    )
    with transaction.atomic():
        per_statement = Counter(signatures.values_list("statement_id", flat=True))
        erased = signatures.update(email="")
        PublicSubmission.objects.filter(statement__in=ended).exclude(email="").update(
            email="", signatory_name="", signatory_title=""
        )
        _audit(per_statement, "retention: public signers' addresses erased")
    return erased


def erase_offline_scans(*, now: dt.datetime) -> int:
    """Scans of pages signed on paper, RETENTION_PUBLIC_SIGNER_MONTHS after their statement
    was published or closed: a signed page carries a person's name and signature, as the
    public form's address does. The receipt (how the signature came in, who recorded it)
    and the signature stay. One audit entry per statement. Returns how many.

    Files go before rows: if the run stops between the two, the next one finds the rows
    still naming their files and deletes again (deleting a missing file does nothing)."""
    receipts = list(
        OfflineReceipt.objects.filter(signature__statement__in=_ended_long_enough(now))
        .exclude(scan="")
        .values_list("pk", "scan", "signature__statement_id")
    )
    storage = OfflineReceipt._meta.get_field("scan").storage
    for _pk, name, _statement_id in receipts:
        storage.delete(name)
    with transaction.atomic():
        OfflineReceipt.objects.filter(pk__in=[pk for pk, _name, _statement in receipts]).update(
            scan=""
        )
        _audit(
            Counter(statement_id for _pk, _name, statement_id in receipts),
            "retention: scans of signatures received offline erased",
        )
    return len(receipts)


def erase_unconfirmed(*, now: dt.datetime) -> int:
    """What the public form kept of people who never confirmed their address, once the
    confirmation window has passed: the expired signature keeps no name or address, and
    submissions already processed (their signature holds what counts) are deleted with
    their address digests. Returns how many signatures were erased."""
    cutoff = now - dt.timedelta(hours=settings.PUBLIC_SIGNATURE_CONFIRMATION_HOURS)
    expired = Signature.objects.filter(
        status=Signature.Status.EXPIRED, source__in=PUBLIC_SOURCES, updated_at__lt=cutoff
    ).filter(~Q(email="") | ~Q(signatory_name=""))
    with transaction.atomic():
        per_statement = Counter(expired.values_list("statement_id", flat=True))
        erased = expired.update(email="", signatory_name="", signatory_title="")
        PublicSubmission.objects.filter(
            status__in=[PublicSubmission.Status.PROCESSED, PublicSubmission.Status.FAILED],
            created_at__lt=cutoff,
        ).delete()
        _audit(per_statement, "retention: unconfirmed public signatures erased")
    return erased


def _ended_long_enough(now: dt.datetime):
    """Statements published or closed RETENTION_PUBLIC_SIGNER_MONTHS ago or more."""
    cutoff = now - dt.timedelta(days=30 * settings.RETENTION_PUBLIC_SIGNER_MONTHS)
    return Statement.objects.annotate(ended_at=Coalesce("published_at", "signon_closes_at")).filter(
        status__in=[Statement.Status.PUBLISHED, Statement.Status.CLOSED], ended_at__lt=cutoff
    )


def _audit(per_statement: Counter, action: str) -> None:
    statements = Statement.objects.in_bulk(list(per_statement))
    AuditEntry.objects.bulk_create(
        unsaved_entry(
            actor_label="retention policy",
            action=action,
            target=statements[statement_id],
            changes={"signatures": [None, count]},
            note=f"{count} signatures",
        )
        for statement_id, count in sorted(per_statement.items())
    )
