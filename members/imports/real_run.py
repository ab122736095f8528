"""The real run and its task plumbing: starting it, the Celery task's work in one
transaction, its progress through the cache, and requeueing a run the worker lost.
"""

import logging
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from alliance.core import queueing
from alliance.core.audit.models import AuditEntry
from alliance.core.audit.services import record
from alliance.core.queueing import enqueue, queue_again
from members.imports.dry_run import Plan, contact_changes, plan_import
from members.imports.rows import (
    CONTACT_FIELDS,
    CREATE,
    PROFILE_FIELDS,
    REJECT,
    UNCHANGED,
    UPDATE,
    Line,
)
from members.models import (
    RESERVED_SLUGS,
    Contact,
    Membership,
    Organisation,
    OrganisationImport,
)

logger = logging.getLogger(__name__)


# Rows written per step of the real run; progress is reported after each.
CHUNK = 500


def start_import(
    *, organisation_import: OrganisationImport, started_by, valid_rows_only: bool = False
) -> OrganisationImport:
    """Queue the real run of a checked import. Refused while lines are rejected, unless
    the convenor chose to import the valid rows only."""
    if organisation_import.rejected_count and not valid_rows_only:
        raise ValidationError(
            _(
                "%(count)s lines are rejected: correct the file and upload it again, or "
                "choose to import the valid rows only."
            ),
            params={"count": organisation_import.rejected_count},
        )
    from members import tasks

    with transaction.atomic():
        claimed = OrganisationImport.objects.filter(
            pk=organisation_import.pk, status=OrganisationImport.Status.CHECKED
        ).update(
            status=OrganisationImport.Status.QUEUED,
            valid_rows_only=valid_rows_only,
            started_at=timezone.now(),
        )
        if not claimed:
            raise ValidationError(_("This import has already been started."))
        record(
            actor=started_by,
            action="organisation_import.started",
            target=organisation_import,
            changes={"valid_rows_only": [None, valid_rows_only]},
        )
        # If the broker is down, requeue_lost_imports queues it later.
        transaction.on_commit(
            lambda: enqueue(tasks.run_import, organisation_import.pk, what="an import")
        )
    organisation_import.refresh_from_db()
    return organisation_import


def progress_key(import_id: int) -> str:
    return f"members:organisation-import:{import_id}:rows-done"


def rows_done(organisation_import: OrganisationImport) -> int:
    return queueing.rows_done(
        organisation_import, progress_key(organisation_import.pk), finished="rows_done"
    )


def run_import(*, import_id: int) -> str:
    """The real run: write every line the plan accepts in one transaction, or nothing.

    Safe to run twice and concurrently: the import row is locked for the whole
    transaction (a second run skips it) and leaves the QUEUED state only when the
    transaction commits; a worker that dies leaves it QUEUED, with nothing written."""
    try:
        with transaction.atomic():
            organisation_import = (
                OrganisationImport.objects.select_for_update(skip_locked=True)
                .filter(pk=import_id, status=OrganisationImport.Status.QUEUED)
                .first()
            )
            if organisation_import is None:
                return "skipped"
            return _run(organisation_import)
    except Exception as error:
        logger.exception("Organisation import %s failed", import_id)
        OrganisationImport.objects.filter(
            pk=import_id, status=OrganisationImport.Status.QUEUED
        ).update(
            status=OrganisationImport.Status.FAILED,
            finished_at=timezone.now(),
            error=_("The import failed and nothing was written (%(error)s).")
            % {"error": type(error).__name__},
        )
        return "failed"
    finally:
        cache.delete(progress_key(import_id))


def requeue_lost_imports(*, older_than_seconds: int = 120) -> list[int]:
    """Queue again the imports started a while ago whose task never ran (the broker lost
    it, or the worker died before committing). A running import holds its row lock, so
    it is skipped here; and run_import is safe to run twice."""
    from members import tasks

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return queue_again(
        OrganisationImport.objects.filter(
            status=OrganisationImport.Status.QUEUED, started_at__lt=cutoff
        ),
        tasks.run_import,
        what="lost organisation imports",
    )


def _run(organisation_import: OrganisationImport) -> str:
    plan = plan_import(organisation_import.content)
    totals = plan.totals
    if totals[REJECT] and not organisation_import.valid_rows_only:
        # The database changed since the dry run (an organisation was added, an
        # alliance renamed): the convenor must see the new verdict before anything goes in.
        organisation_import.status = OrganisationImport.Status.FAILED
        organisation_import.error = _(
            "%(count)s lines are now rejected (the data changed since the dry run): "
            "nothing was written. Upload the file again to see why."
        ) % {"count": totals[REJECT]}
    else:
        _apply(plan, organisation_import)
        organisation_import.status = OrganisationImport.Status.DONE
        organisation_import.rows_done = totals["rows"]
        record(
            actor=organisation_import.uploaded_by,
            action="organisation_import.done",
            target=organisation_import,
            changes={
                action: [None, totals[action]] for action in (CREATE, UPDATE, UNCHANGED, REJECT)
            },
        )
    organisation_import.report = plan.as_report()
    organisation_import.rows_total = totals["rows"]
    organisation_import.created_count = totals[CREATE]
    organisation_import.updated_count = totals[UPDATE]
    organisation_import.rejected_count = totals[REJECT]
    organisation_import.finished_at = timezone.now()
    organisation_import.save()
    return organisation_import.status


def _apply(plan: Plan, organisation_import: OrganisationImport) -> None:
    writer = _Writer(organisation_import)
    for start in range(0, len(plan.lines), CHUNK):
        chunk = plan.lines[start : start + CHUNK]
        writer.write([line for line in chunk if line.action in (CREATE, UPDATE)])
        cache.set(progress_key(organisation_import.pk), start + len(chunk), timeout=3600)


class _Writer:
    """Writes one chunk of accepted lines with a handful of bulk queries."""

    def __init__(self, organisation_import: OrganisationImport):
        self.actor = organisation_import.uploaded_by
        self.actor_label = str(self.actor) if self.actor else ""
        self.now = timezone.now()
        self.note = _("Imported from %(file)s") % {"file": organisation_import.file_name}
        self.organisation_type = ContentType.objects.get_for_model(Organisation)
        self.contact_type = ContentType.objects.get_for_model(Contact)
        self.through = Organisation.focus_areas.through

    def write(self, lines: list[Line]) -> None:
        if not lines:
            return
        creates = [line for line in lines if line.action == CREATE]
        updates = [line for line in lines if line.action == UPDATE]
        audit = []
        self._create(creates, audit)
        self._update(updates, audit)
        self._focus_areas(creates, updates)
        self._memberships(lines)
        self._contacts(lines, audit)
        AuditEntry.objects.bulk_create(audit, batch_size=1000)

    def _entry(self, action, content_type, obj, changes, *, label=None) -> AuditEntry:
        return AuditEntry(
            actor=self.actor,
            actor_label=self.actor_label,
            action=action,
            content_type=content_type,
            object_id=str(obj.pk),
            object_repr=(label or str(obj))[:300],
            changes=changes,
            note=self.note,
        )

    def _create(self, lines: list[Line], audit: list) -> None:
        slugs = unique_slugs([line.values["short_name"] or line.values["name"] for line in lines])
        new = []
        for line, slug in zip(lines, slugs, strict=True):
            organisation = Organisation(
                slug=slug, **{name: line.values[name] for name in PROFILE_FIELDS}
            )
            organisation.classify()
            new.append(organisation)
        Organisation.objects.bulk_create(new, batch_size=1000)
        for line, organisation in zip(lines, new, strict=True):
            line.organisation_id = organisation.pk
            changes = {
                name: [None, line.values[name]] for name in PROFILE_FIELDS if line.values[name]
            }
            audit.append(
                self._entry("organisation.imported", self.organisation_type, organisation, changes)
            )

    def _update(self, lines: list[Line], audit: list) -> None:
        organisations = Organisation.objects.in_bulk([line.organisation_id for line in lines])
        changed = []
        for line in lines:
            organisation = organisations[line.organisation_id]
            changes = {}
            for name in PROFILE_FIELDS:
                if name in line.changes:
                    old = getattr(organisation, name)
                    changes[name] = [old.code if name == "country" else old, line.values[name]]
                    setattr(organisation, name, line.values[name])
            if changes:
                organisation.classify()
                organisation.updated_at = self.now
                changed.append(organisation)
            if "focus_areas" in line.changes:
                changes["focus_areas"] = [None, line.values["focus_area_slugs"]]
            if "national_alliance" in line.changes:
                changes["national_alliance"] = [None, line.values["national_alliance_slug"]]
            if changes:
                audit.append(
                    self._entry(
                        "organisation.updated", self.organisation_type, organisation, changes
                    )
                )
        Organisation.objects.bulk_update(
            changed,
            [*PROFILE_FIELDS, "region", "subregion", "global_south", "updated_at"],
            batch_size=1000,
        )

    def _focus_areas(self, creates: list[Line], updates: list[Line]) -> None:
        replaced = [line.organisation_id for line in updates if "focus_areas" in line.changes]
        self.through.objects.filter(organisation_id__in=replaced).delete()
        rows = [
            self.through(organisation_id=line.organisation_id, focusarea_id=area_id)
            for line in [*creates, *updates]
            if line.action == CREATE or "focus_areas" in line.changes
            for area_id in line.values["focus_areas"]
        ]
        self.through.objects.bulk_create(rows, batch_size=2000)

    def _memberships(self, lines: list[Line]) -> None:
        """An organisation imported into a national alliance is an approved member of
        it: importing an alliance's list of members is what the import is for."""
        new = [
            Membership(
                organisation_id=line.organisation_id,
                national_alliance_id=line.values["national_alliance"],
                status=Membership.Status.APPROVED,
                applied_at=self.now,
                decided_at=self.now,
                joined_at=self.now,
                decided_by=self.actor,
                decision_reason=self.note,
            )
            for line in lines
            if line.values["national_alliance"]
            and (line.action == CREATE or "national_alliance" in line.changes)
        ]
        Membership.objects.bulk_create(new, batch_size=1000)

    def _contacts(self, lines: list[Line], audit: list) -> None:
        wanted = [
            line
            for line in lines
            if line.values["contact"] and (line.action == CREATE or "contact" in line.changes)
        ]
        existing = Contact.objects.in_bulk(
            [line.values["contact_id"] for line in wanted if line.values.get("contact_id")]
        )
        new, changed, entries = [], [], []
        for line in wanted:
            values = line.values["contact"]
            contact = existing.get(line.values.get("contact_id"))
            if contact is None:
                contact = Contact(
                    organisation_id=line.organisation_id,
                    name=values["name"],
                    email=values["email"],
                    role=values["role"],
                    language=values["language"] or "en",
                    authorised_to_sign=bool(values["authorised_to_sign"]),
                    consent_text=values["consent_text"],
                    consent_given_at=self.now if values["consent_text"] else None,
                )
                new.append(contact)
                changes = {
                    name: [None, getattr(contact, name)]
                    for name in CONTACT_FIELDS
                    if getattr(contact, name) not in ("", None)
                }
                entries.append(("contact.added", contact, changes, line))
            else:
                changes = contact_changes(contact, values)
                for name, (_old, new_value) in changes.items():
                    setattr(contact, name, new_value)
                if "consent_text" in changes:
                    contact.consent_given_at = self.now
                if "email" in changes:
                    contact.email_verified_at = None
                contact.updated_at = self.now
                changed.append(contact)
                entries.append(("contact.updated", contact, changes, line))
        Contact.objects.bulk_create(new, batch_size=1000)
        Contact.objects.bulk_update(
            changed,
            [*CONTACT_FIELDS, "consent_given_at", "email_verified_at", "updated_at"],
            batch_size=1000,
        )
        for action, contact, changes, line in entries:
            # Contact's str() reads its organisation: one query per contact. Spelled out.
            label = f"{contact.name} ({line.values['name']})"
            audit.append(self._entry(action, self.contact_type, contact, changes, label=label))


def unique_slugs(texts: list[str], *, max_length: int = 80) -> list[str]:
    """A slug for each text, unused by any organisation and by each other: what
    models.unique_slug does for one, with two queries for the lot."""
    bases = [slugify(text)[:max_length].strip("-") or "organisation" for text in texts]
    taken = set(RESERVED_SLUGS)
    distinct = sorted(set(bases))
    for start in range(0, len(distinct), 2000):
        taken |= set(
            Organisation.objects.filter(slug__in=distinct[start : start + 2000]).values_list(
                "slug", flat=True
            )
        )
    # Only for the bases already taken: their numbered variants.
    for base in {base for base in bases if base in taken}:
        taken |= set(
            Organisation.objects.filter(slug__startswith=f"{base}-").values_list("slug", flat=True)
        )
    slugs = []
    for base in bases:
        slug, n = base, 2
        while slug in taken:
            suffix = f"-{n}"
            slug = f"{base[: max_length - len(suffix)]}{suffix}"
            n += 1
        taken.add(slug)
        slugs.append(slug)
    return slugs
