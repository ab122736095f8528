"""Signatures received offline: by phone, email, letter or at a meeting (issue #15).

A convenor, or the coordinator of one of the organisation's national alliances, records
what the organisation said, with how it came in and, if there is one, a scan of the
signed page. The signature is made by `statements.services.sign`, like any other: the
statement must be open, the organisation among those who may sign, and it holds the
organisation's one place or is refused. Listed or counted only, as the organisation
asked; nothing public says how a signature came in.

Many at once come as a CSV (`plan_import` for the dry run, `import_signatures` for the
real run): every line is checked again at the real run, and one rejected line writes
nothing.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.core.audit.services import record
from alliance.core.permissions import is_convenor, require
from members.imports import NO, YES, read_table
from members.models import Membership, Organisation
from statements.models import OfflineReceipt, Signature, Statement
from statements.services import AlreadySigned, Signatory, sign

# What a scan may be, by its extension and the bytes such a file starts with.
SCAN_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}
MAX_SCAN_BYTES = 10 * 1024 * 1024


def check_scan(upload) -> None:
    """ValidationError unless `upload` is a PDF, PNG or JPEG of at most MAX_SCAN_BYTES
    whose content is what its name says."""
    if upload.size > MAX_SCAN_BYTES:
        raise ValidationError(
            _("The scan is %(size)s MB; the limit is %(limit)s MB."),
            params={
                "size": round(upload.size / 1024 / 1024, 1),
                "limit": MAX_SCAN_BYTES // 1024 // 1024,
            },
        )
    extension = upload.name.rpartition(".")[2].lower()
    starts = SCAN_SIGNATURES.get(extension)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if starts is None or not head.startswith(starts):
        raise ValidationError(_("The scan must be a PDF, PNG or JPEG file."))


def recordable_organisations(*, statement: Statement, user):
    """The organisations `user` may record a signature of on `statement` now: theirs to
    record (any for a convenor, their alliances' for a coordinator), among those who may
    sign it; for a convenor, without a live signature yet. A coordinator must not learn
    from the list that an organisation signed without its name, so theirs keeps them all
    (see record_offline_signature)."""
    if is_convenor(user):
        organisations = Organisation.objects.all()
    elif user.is_authenticated:
        organisations = Organisation.objects.filter(
            memberships__national_alliance__coordinators=user
        )
    else:
        return Organisation.objects.none()
    invited = Q(signon_requests__statement=statement)
    if statement.audience == Statement.Audience.INVITED:
        organisations = organisations.filter(invited)
    elif statement.audience == Statement.Audience.MEMBERS:
        members = Membership.objects.live().values("organisation_id")
        organisations = organisations.filter(invited | Q(pk__in=members))
    if is_convenor(user):
        signed = Signature.objects.live().filter(statement=statement).values("organisation_id")
        organisations = organisations.exclude(pk__in=signed)
    return organisations.distinct().order_by("name")


def record_offline_signature(
    *,
    statement: Statement,
    organisation: Organisation,
    signatory: Signatory,
    channel: str,
    note: str = "",
    scan=None,
    recorded_by,
) -> Signature:
    """Record the signature `organisation` gave offline, through `channel`, on its word
    as `recorded_by` heard or read it. PermissionDenied if the organisation is not theirs
    to record; ValidationError if the statement is not open or the organisation may not
    sign it.

    If the organisation has signed already, a convenor is told (AlreadySigned). A
    coordinator is not: the signature that came first may be counted without the
    organisation's name, which only convenors and the organisation may know. Theirs is
    kept, as not needed (SUPERSEDED), for convenors to see, and the answer is the same as
    for a signature that counts, as on the public form."""
    require(recorded_by, "statements.record_offline_signature", organisation)
    if channel not in OfflineReceipt.Channel.values:
        raise ValidationError(_("Say how the signature was received."))
    if not statement.audience_includes(organisation.pk):
        raise ValidationError(
            _("%(organisation)s is not among the organisations who may sign this statement."),
            params={"organisation": organisation.name},
        )
    receipt = OfflineReceipt(channel=channel, note=note, recorded_by=recorded_by)
    try:
        with transaction.atomic():
            try:
                signature = sign(
                    statement=statement,
                    organisation=organisation,
                    signatory=signatory,
                    source=Signature.Source.OFFLINE,
                    actor=recorded_by,
                )
            except AlreadySigned:
                if is_convenor(recorded_by):
                    raise
                signature = _not_needed(statement, organisation, signatory, recorded_by)
            receipt.signature = signature
            if scan is not None:
                check_scan(scan)
                receipt.scan.save(scan.name, scan, save=False)
            receipt.save()
            record(
                actor=recorded_by,
                action="signature.recorded_offline",
                target=signature,
                changes={"channel": [None, channel], "scan": [None, bool(receipt.scan)]},
                note=note[:1000],
            )
    except BaseException:
        # The database forgets the receipt; the storage must forget its scan too.
        if receipt.scan:
            receipt.scan.delete(save=False)
        raise
    return signature


def _not_needed(statement, organisation, signatory, recorded_by) -> Signature:
    signature = Signature.objects.create(
        statement=statement,
        organisation=organisation,
        version=statement.current_version(),
        **signatory.columns(),
        status=Signature.Status.SUPERSEDED,
        source=Signature.Source.OFFLINE,
    )
    record(
        actor=recorded_by,
        action="signature.created",
        target=signature,
        changes={"status": [None, signature.status]},
        note="The organisation had signed already.",
    )
    return signature


# The CSV import ---------------------------------------------------------------------

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 2_000
COLUMNS = ["organisation", "signatory", "title", "email", "listed_publicly", "channel", "note"]
REQUIRED_COLUMNS = ["organisation", "signatory", "channel"]
CREATE, REJECT = "create", "reject"


def template_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "kapchorwa-women-farmers-cooperative",
            "Sarah Chebet",
            "Chairperson",
            "sarah@kwfc.example.org",
            "yes",
            "letter",
            "Signed page received by post on 2 March.",
        ]
    )
    return buffer.getvalue()


@dataclass
class Line:
    line: int
    action: str = CREATE
    organisation: Organisation | None = None
    signatory: Signatory | None = None
    channel: str = ""
    note: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def channel_label(self) -> str:
        return (
            OfflineReceipt.Channel(self.channel).label
            if self.channel in OfflineReceipt.Channel.values
            else ""
        )


@dataclass
class Plan:
    lines: list[Line]

    @property
    def created(self) -> list[Line]:
        return [line for line in self.lines if line.action == CREATE]

    @property
    def rejected(self) -> list[Line]:
        return [line for line in self.lines if line.action == REJECT]


def _check_header(header: list[str]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise ValidationError(
            _("The columns must be some of: %(columns)s (%(required)s required, once each)."),
            params={"columns": ", ".join(COLUMNS), "required": ", ".join(REQUIRED_COLUMNS)},
        )


def _organisations_named(references: set[str]) -> dict[str, list[Organisation]]:
    """Organisations by slug, and by name whatever the case: one query."""
    lowered = {reference.lower() for reference in references}
    found: dict[str, list[Organisation]] = {}
    for organisation in Organisation.objects.annotate(lower_name=Lower("name")).filter(
        Q(slug__in=lowered) | Q(lower_name__in=lowered)
    ):
        for key in {organisation.slug, organisation.lower_name}:
            found.setdefault(key, []).append(organisation)
    return found


def plan_import(*, statement: Statement, text: str, actor) -> Plan:
    """What importing the CSV `text` would record, line by line, and why a line would be
    rejected; writes nothing. ValidationError when the file cannot be read as a whole."""
    if statement.status != Statement.Status.OPEN:
        raise ValidationError(_("This statement is not open for signatures."))
    if statement.signon_closes_at and statement.signon_closes_at <= timezone.now():
        raise ValidationError(_("The deadline to sign this statement has passed."))
    header, rows = read_table(
        text, columns=COLUMNS, check_header=_check_header, max_rows=MAX_IMPORT_ROWS
    )
    raw_lines = []
    for number, cells in rows:
        raw = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
        raw_lines.append((number, cells, raw))
    named = _organisations_named({raw.get("organisation", "") for _n, _c, raw in raw_lines})
    recordable = set(
        recordable_organisations(statement=statement, user=actor)
        .filter(pk__in=[o.pk for found in named.values() for o in found])
        .values_list("pk", flat=True)
    )
    # Whether an organisation signed is said to convenors only (record_offline_signature).
    signed = (
        set(
            Signature.objects.live()
            .filter(statement=statement)
            .values_list("organisation_id", flat=True)
        )
        if is_convenor(actor)
        else set()
    )
    coordinated = (
        None
        if is_convenor(actor)
        else set(
            Organisation.objects.filter(
                memberships__national_alliance__coordinators=actor
            ).values_list("pk", flat=True)
        )
    )
    seen: dict[int, int] = {}
    lines = []
    for number, cells, raw in raw_lines:
        line = Line(line=number)
        if len(cells) != len(header):
            line.errors.append(
                _("It has %(cells)s cells where the header has %(columns)s.")
                % {"cells": len(cells), "columns": len(header)}
            )
        else:
            _check_line(line, raw, named, recordable, signed, coordinated, seen)
        line.action = REJECT if line.errors else CREATE
        lines.append(line)
    return Plan(lines=lines)


def _check_line(line, raw, named, recordable, signed, coordinated, seen) -> None:
    reference = raw.get("organisation", "")
    matches = named.get(reference.lower(), [])
    if not reference:
        line.errors.append(_("The organisation is missing."))
    elif not matches:
        line.errors.append(_("No organisation has this name or slug: %s.") % reference)
    elif len(matches) > 1:
        line.errors.append(_("Several organisations have this name: give its slug instead."))
    else:
        organisation = line.organisation = matches[0]
        if coordinated is not None and organisation.pk not in coordinated:
            line.errors.append(_("This organisation is not in a national alliance you coordinate."))
        elif organisation.pk in signed:
            line.errors.append(_("This organisation has already signed."))
        elif organisation.pk not in recordable:
            line.errors.append(_("This organisation is not among those who may sign."))
        elif organisation.pk in seen:
            line.errors.append(
                _("Line %s is this organisation's signature already.") % seen[organisation.pk]
            )
        else:
            seen[organisation.pk] = line.line
    name = raw.get("signatory", "")[:200]
    if not name:
        line.errors.append(_("The signatory's name is missing."))
    email = raw.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            line.errors.append(_("This is not an email address: %s.") % email)
    listed = raw.get("listed_publicly", "").lower() or "yes"
    if listed not in YES | NO:
        line.errors.append(_("listed_publicly must be yes or no."))
    line.channel = raw.get("channel", "").lower()
    if line.channel not in OfflineReceipt.Channel.values:
        line.errors.append(
            _("The channel must be one of: %s.") % ", ".join(OfflineReceipt.Channel.values)
        )
    line.note = raw.get("note", "")
    line.signatory = Signatory(
        name=name,
        email=email,
        title=raw.get("title", "")[:200],
        listed_publicly=listed in YES,
    )


def import_signatures(*, statement: Statement, text: str, actor) -> Plan:
    """Record every line of the CSV `text`, all or nothing: the file is checked again
    against the database as it is now, and if any line is rejected (or an organisation
    signs meanwhile) nothing is recorded. Returns the plan; its `rejected` lines say why
    nothing was recorded."""
    require(actor, "statements.record_offline_signatures", statement)
    plan = plan_import(statement=statement, text=text, actor=actor)
    if plan.rejected:
        return plan
    with transaction.atomic():
        for line in plan.lines:
            try:
                record_offline_signature(
                    statement=statement,
                    organisation=line.organisation,
                    signatory=line.signatory,
                    channel=line.channel,
                    note=line.note,
                    recorded_by=actor,
                )
            except (AlreadySigned, ValidationError, PermissionDenied) as error:
                # Another line already went in: roll every line back.
                transaction.set_rollback(True)
                line.action = REJECT
                line.errors.append(_already_signed_or(error))
                return plan
        record(
            actor=actor,
            action="statement.offline_signatures_imported",
            target=statement,
            changes={"signatures": [0, len(plan.lines)]},
        )
    return plan


def _already_signed_or(error: Exception) -> str:
    if isinstance(error, AlreadySigned):
        return _("This organisation has already signed.")
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return _("This organisation is not in a national alliance you coordinate.")
