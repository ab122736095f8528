"""CSV import of organisations and their contacts (journey 3).

A convenor uploads a CSV (the template is `template_csv()`); `check_upload` reads it,
refuses a file that cannot be read as a whole (not UTF-8, not CSV, missing or unknown
columns, too big, too many rows) and otherwise stores it with a dry-run report: line by
line, what would be created, updated, left unchanged or rejected, and why. Columns may
be separated by commas, semicolons or tabs (`detect_delimiter` reads the header line);
a UTF-8 byte order mark is ignored.

The real run (`start_import`, then the Celery task `members.tasks.run_import`, which
calls `run_import`) checks the file again against the database as it is then, and
writes everything in one transaction: all or nothing. If any line is rejected nothing
is written, unless the convenor chose "import the valid rows only" after reading the
rejected lines: a file with a few bad lines out of thousands should not have to be
fixed before the good ones can go in, but that must be a decision, not an accident.

Matching follows `members.services.find_duplicates` (same website domain, or the same
name in the same country), done in bulk: a line that matches one organisation updates
it, one that matches several is rejected. Empty cells leave existing values alone.
"""

import csv
import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from django_countries import countries

from alliance.core.audit.models import AuditEntry
from alliance.core.audit.services import record
from alliance.core.queueing import enqueue
from members.models import (
    RESERVED_SLUGS,
    Contact,
    FocusArea,
    Membership,
    NationalAlliance,
    Organisation,
    OrganisationImport,
)
from members.services import website_domain

logger = logging.getLogger(__name__)

# An upload above this is refused before it is read: 20 MB holds some 50,000 rows.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
# Rows written per step of the real run; progress is reported after each.
CHUNK = 500

COLUMNS = [
    "name",
    "short_name",
    "kind",
    "country",
    "city",
    "website",
    "description",
    "focus_areas",
    "national_alliance",
    "contact_name",
    "contact_email",
    "contact_role",
    "contact_language",
    "contact_authorised_to_sign",
    "consent_text",
]
REQUIRED_COLUMNS = ["name", "kind", "country"]
CONTACT_COLUMNS = [name for name in COLUMNS if name.startswith("contact_")] + ["consent_text"]
PROFILE_FIELDS = ["name", "short_name", "kind", "country", "city", "website", "description"]
CONTACT_FIELDS = ["name", "email", "role", "language", "authorised_to_sign", "consent_text"]
YES = {"yes", "y", "true", "1", "oui", "sí", "si", "sim"}
NO = {"no", "n", "false", "0", "non", "não", "nao"}

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"


def template_csv() -> str:
    """The header and one example line, for convenors to fill in."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "Kapchorwa Women Farmers Cooperative",
            "KWFC",
            "womens_rights",
            "UG",
            "Kapchorwa",
            "https://kwfc.example.org",
            "Women farmers organising for land rights.",
            "gender;land",
            "",
            "Sarah Chebet",
            "sarah@kwfc.example.org",
            "Chairperson",
            "en",
            "yes",
            "Agreed by email on 2025-03-01 to be contacted by the alliance.",
        ]
    )
    return buffer.getvalue()


# Reading the file -----------------------------------------------------------------


def read_upload(upload) -> str:
    """The uploaded file as text, or ValidationError saying what is wrong with it.

    The size is checked before a byte is read; decoding stops at the first bytes that
    are not UTF-8 (garbage fails there, at once) and names their line."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."),
            params={
                "size": round(upload.size / 1024 / 1024, 1),
                "limit": MAX_UPLOAD_BYTES // 1024 // 1024,
            },
        )
    return decode(upload.read())


def decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValidationError(
            _(
                "The file is not UTF-8 text: line %(line)s has bytes that are not. Save it "
                'as "CSV UTF-8" (in Excel or LibreOffice: Save as, CSV, UTF-8) and upload '
                "it again."
            ),
            params={"line": line},
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ValidationError(
            _("This is not a CSV file: line %(line)s contains binary data."),
            params={"line": line},
        )
    return text


# The plan ---------------------------------------------------------------------------


class Problem(str):
    """Why a line is rejected, read in the active language; the report keeps the English
    message and its values (`as_stored`), so that each reader reads it in their own
    language, whoever ran the dry run and whatever language the worker speaks."""

    def __new__(cls, message: str, **params):
        problem = super().__new__(cls, _(message) % params)
        problem.message, problem.params = message, params
        return problem

    def as_stored(self) -> dict:
        return {"message": self.message, "params": self.params}


def describe(stored: dict | str) -> str:
    """A stored problem in the active language (reports written before kept the text)."""
    if isinstance(stored, str):
        return stored
    return _(stored["message"]) % stored["params"]


@dataclass
class Line:
    """What one line of the file would do, and, for the real run, the cleaned values."""

    line: int
    action: str
    name: str = ""
    organisation_id: int | None = None
    errors: list[Problem] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict, repr=False)

    def as_report(self) -> dict:
        # Not dataclasses.asdict: it deep-copies `values`, a third of a dry run's time.
        return {
            "line": self.line,
            "action": self.action,
            "name": self.name,
            "organisation_id": self.organisation_id,
            "errors": [error.as_stored() for error in self.errors],
            "changes": self.changes,
        }


@dataclass
class Plan:
    lines: list[Line]

    def count(self, action: str) -> int:
        return sum(1 for line in self.lines if line.action == action)

    @property
    def totals(self) -> dict[str, int]:
        return {
            "rows": len(self.lines),
            **{action: self.count(action) for action in (CREATE, UPDATE, UNCHANGED, REJECT)},
        }

    def as_report(self) -> dict:
        return {"totals": self.totals, "lines": [line.as_report() for line in self.lines]}


def plan_import(text: str) -> Plan:
    """Check every line of the CSV `text` against the database; write nothing.

    ValidationError for what makes the whole file unreadable; a rejected Line, with its
    reasons, for a line that cannot be imported."""
    header, rows = _read_rows(text)
    lookups = _Lookups()
    lines = []
    for number, cells in rows:
        line = Line(line=number, action=CREATE)
        if len(cells) != len(header):
            line.action = REJECT
            line.errors.append(
                Problem(
                    gettext_noop("It has %(cells)s cells where the header has %(columns)s."),
                    cells=len(cells),
                    columns=len(header),
                )
            )
        else:
            raw = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
            line.name = raw.get("name", "")[:300]
            line.values = _clean(raw, lookups, line.errors)
            if line.errors:
                line.action = REJECT
        lines.append(line)
    _match(lines)
    return Plan(lines=lines)


# What spreadsheets write: commas, semicolons where the comma is the decimal separator
# (French, Spanish and Portuguese locales), tabs when copied or exported as "text".
DELIMITERS = (",", ";", "\t")


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most known column names; a
    comma when none does better (the header check then says what is missing)."""
    header_line = text.partition("\n")[0]

    def known_columns(delimiter: str) -> int:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(cell.strip().lower() in COLUMNS for cell in cells)

    # max() keeps the first of equals: the comma wins a tie.
    return max(DELIMITERS, key=known_columns)


def _read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    try:
        header = next(reader, None)
        if header is None:
            raise ValidationError(_("The file is empty."))
        header = [name.strip().lower() for name in header]
        _check_header(header)
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(rows) == MAX_ROWS:
                    raise ValidationError(
                        _("The file has more than %(max)s rows: split it into smaller files."),
                        params={"max": f"{MAX_ROWS:,}"},
                    )
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ValidationError(
            _("This is not a valid CSV file: line %(line)s: %(error)s."),
            params={"line": reader.line_num, "error": error},
        ) from None
    if not rows:
        raise ValidationError(_("The file has a header but no rows."))
    return header, rows


def _check_header(header: list[str]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        hint = ""
        if len(header) == 1 and any(sep in header[0] for sep in "|:"):
            hint = " " + _("Separate the columns with commas, semicolons or tabs.")
        raise ValidationError(
            _("Missing columns: %(missing)s. Start from the template.") + hint,
            params={"missing": ", ".join(missing)},
        )
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise ValidationError(
            _("Unknown columns: %(unknown)s. The columns are: %(columns)s."),
            params={"unknown": ", ".join(unknown), "columns": ", ".join(COLUMNS)},
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ValidationError(
            _("Columns named twice: %(repeated)s."), params={"repeated": ", ".join(repeated)}
        )


class _Lookups:
    """What every line is checked against, read once per file rather than once per line."""

    def __init__(self):
        self.focus_areas = dict(FocusArea.objects.values_list("slug", "pk"))
        self.alliances = {
            slug: (pk, country)
            for slug, pk, country in NationalAlliance.objects.values_list("slug", "pk", "country")
        }
        self.kinds = {}
        with override("en"):
            for value, label in Organisation.Kind.choices:
                self.kinds[value] = value
                self.kinds[str(label).lower()] = value
            self.countries = {name.lower(): code for code, name in countries}
        self.languages = {code for code, _name in settings.LANGUAGES}
        self.validate_email = EmailValidator()
        self.validate_url = URLValidator(schemes=["http", "https"])

    def country(self, value: str) -> str:
        if len(value) in (2, 3):
            code = countries.alpha2(value.upper())
            if code:
                return code
        return self.countries.get(value.lower(), "")


def _clean(raw: dict[str, str], lookups: _Lookups, errors: list[Problem]) -> dict:
    """The line's values, ready to write; each problem appended to `errors`."""
    values = {}
    name = raw.get("name", "")
    if not name:
        errors.append(Problem(gettext_noop("The name is empty.")))
    for column, limit in (("name", 300), ("short_name", 60), ("city", 120)):
        if len(raw.get(column, "")) > limit:
            errors.append(
                Problem(
                    gettext_noop("%(column)s is longer than %(limit)s characters."),
                    column=column,
                    limit=limit,
                )
            )
    values.update(
        name=name,
        short_name=raw.get("short_name", ""),
        city=raw.get("city", ""),
        description=raw.get("description", ""),
    )
    kind = raw.get("kind", "")
    values["kind"] = lookups.kinds.get(kind.lower(), "")
    if not values["kind"]:
        errors.append(
            Problem(
                gettext_noop("Unknown kind %(kind)r; use one of: %(kinds)s."),
                kind=kind,
                kinds=", ".join(Organisation.Kind.values),
            )
        )
    country = raw.get("country", "")
    values["country"] = lookups.country(country)
    if not values["country"]:
        errors.append(
            Problem(
                gettext_noop("Unknown country %(country)r: use its ISO code, e.g. UG."),
                country=country,
            )
        )
    website = raw.get("website", "")
    if website and "://" not in website:
        website = f"https://{website}"
    if website:
        try:
            lookups.validate_url(website)
            if len(website) > 200:
                raise ValidationError("too long")
        except ValidationError:
            errors.append(
                Problem(
                    gettext_noop("The website %(website)r is not a web address."), website=website
                )
            )
    values["website"] = website
    slugs = [slug.strip() for slug in raw.get("focus_areas", "").split(";") if slug.strip()]
    unknown = [slug for slug in slugs if slug not in lookups.focus_areas]
    if unknown:
        errors.append(
            Problem(gettext_noop("Unknown focus areas: %(areas)s."), areas=", ".join(unknown))
        )
    values["focus_areas"] = sorted({lookups.focus_areas[s] for s in slugs if s not in unknown})
    values["focus_area_slugs"] = sorted(set(slugs) - set(unknown))
    alliance = raw.get("national_alliance", "")
    values["national_alliance"] = None
    values["national_alliance_slug"] = alliance
    if alliance:
        if alliance not in lookups.alliances:
            errors.append(
                Problem(gettext_noop("Unknown national alliance %(alliance)r."), alliance=alliance)
            )
        elif values["country"] and lookups.alliances[alliance][1] != values["country"]:
            errors.append(
                Problem(
                    gettext_noop("The national alliance %(alliance)r is for another country."),
                    alliance=alliance,
                )
            )
        else:
            values["national_alliance"] = lookups.alliances[alliance][0]
    values["contact"] = _clean_contact(raw, lookups, errors)
    return values


def _clean_contact(raw: dict[str, str], lookups: _Lookups, errors: list[Problem]) -> dict | None:
    if not any(raw.get(column) for column in CONTACT_COLUMNS):
        return None
    contact = {
        "name": raw.get("contact_name", ""),
        "email": raw.get("contact_email", ""),
        "role": raw.get("contact_role", ""),
        "language": raw.get("contact_language", "").lower(),
        "consent_text": raw.get("consent_text", ""),
        "authorised_to_sign": None,
    }
    if not contact["name"]:
        errors.append(
            Problem(gettext_noop("The contact's columns are filled but contact_name is empty."))
        )
    if len(contact["name"]) > 200 or len(contact["role"]) > 200:
        errors.append(
            Problem(gettext_noop("The contact's name or role is longer than 200 characters."))
        )
    if contact["email"]:
        try:
            lookups.validate_email(contact["email"])
        except ValidationError:
            errors.append(
                Problem(gettext_noop("%(email)r is not an email address."), email=contact["email"])
            )
    if contact["language"] and contact["language"] not in lookups.languages:
        errors.append(
            Problem(
                gettext_noop("Unknown contact language %(language)r; use one of: %(languages)s."),
                language=contact["language"],
                languages=", ".join(sorted(lookups.languages)),
            )
        )
    authorised = raw.get("contact_authorised_to_sign", "").lower()
    if authorised in YES:
        contact["authorised_to_sign"] = True
    elif authorised in NO:
        contact["authorised_to_sign"] = False
    elif authorised:
        errors.append(Problem(gettext_noop("contact_authorised_to_sign must be yes or no.")))
    return contact


def _match(lines: list[Line]) -> None:
    """Find the organisation each valid line names, reject repeated lines, and say what
    would change: the lines' actions become create, update, unchanged or reject."""
    valid = [line for line in lines if line.action != REJECT]
    by_name, by_domain = _existing_matches(valid)
    first_seen, first_update = {}, {}
    for line in valid:
        values = line.values
        keys = [("name", values["name"].lower(), values["country"])]
        domain = website_domain(values["website"]) if values["website"] else ""
        if domain:
            keys.append(("domain", domain))
        earlier = next((first_seen[key] for key in keys if key in first_seen), None)
        if earlier is not None:
            line.action = REJECT
            line.errors.append(
                Problem(
                    gettext_noop(
                        "It repeats line %(line)s (same name and country, or same website)."
                    ),
                    line=earlier,
                )
            )
            continue
        for key in keys:
            first_seen[key] = line.line
        matches = set(by_name.get(keys[0][1:], ())) | set(by_domain.get(domain, ()))
        if len(matches) > 1:
            line.action = REJECT
            line.errors.append(
                Problem(
                    gettext_noop(
                        "It matches several organisations already here (ids %(ids)s): "
                        "merge them first."
                    ),
                    ids=", ".join(str(pk) for pk in sorted(matches)),
                )
            )
        elif matches:
            line.organisation_id = matches.pop()
            if line.organisation_id in first_update:
                line.action = REJECT
                line.errors.append(
                    Problem(
                        gettext_noop("It names the same organisation as line %(line)s."),
                        line=first_update[line.organisation_id],
                    )
                )
            first_update.setdefault(line.organisation_id, line.line)
    updates = [line for line in valid if line.action != REJECT and line.organisation_id]
    _plan_updates(updates)


def _existing_matches(lines: list[Line]):
    """{(lower name, country): [ids]} and {domain: [ids]} of the organisations in the
    database that the lines' names and websites match: two scans, not one per line."""
    names = {line.values["name"].lower() for line in lines}
    by_name = defaultdict(list)
    names_list = sorted(names)
    for start in range(0, len(names_list), 2000):
        found = (
            Organisation.objects.annotate(lower_name=Lower("name"))
            .filter(lower_name__in=names_list[start : start + 2000])
            .values_list("pk", "lower_name", "country")
        )
        for pk, lower_name, country in found:
            by_name[(lower_name, country)].append(pk)
    domains = {website_domain(line.values["website"]) for line in lines if line.values["website"]}
    by_domain = defaultdict(list)
    if domains:
        websites = Organisation.objects.exclude(website="").values_list("pk", "website")
        for pk, website in websites.iterator(chunk_size=5000):
            domain = website_domain(website)
            if domain in domains:
                by_domain[domain].append(pk)
    return by_name, by_domain


def _plan_updates(lines: list[Line]) -> None:
    ids = [line.organisation_id for line in lines]
    organisations = {}
    focus_areas = defaultdict(list)
    contacts = defaultdict(list)
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        organisations.update(Organisation.objects.in_bulk(chunk))
        through = Organisation.focus_areas.through.objects.filter(organisation_id__in=chunk)
        for organisation_id, area_id in through.values_list("organisation_id", "focusarea_id"):
            focus_areas[organisation_id].append(area_id)
        for contact in Contact.objects.filter(organisation_id__in=chunk, erased_at__isnull=True):
            contacts[contact.organisation_id].append(contact)
    memberships = set(
        Membership.objects.filter(organisation_id__in=ids).values_list(
            "organisation_id", "national_alliance_id"
        )
    )
    for line in lines:
        organisation = organisations[line.organisation_id]
        values = line.values
        for name in PROFILE_FIELDS:
            current = getattr(organisation, name)
            current = current.code if name == "country" else current
            if values[name] and values[name] != current:
                line.changes.append(name)
        if values["focus_areas"] and values["focus_areas"] != sorted(focus_areas[organisation.pk]):
            line.changes.append("focus_areas")
        alliance = values["national_alliance"]
        if alliance and (organisation.pk, alliance) not in memberships:
            line.changes.append("national_alliance")
        if values["contact"]:
            existing = _same_contact(contacts[organisation.pk], values["contact"])
            values["contact_id"] = existing.pk if existing else None
            if existing is None or _contact_changes(existing, values["contact"]):
                line.changes.append("contact")
        line.action = UPDATE if line.changes else UNCHANGED


def _same_contact(contacts: list[Contact], wanted: dict) -> Contact | None:
    for contact in contacts:
        if wanted["email"] and contact.email.lower() == wanted["email"].lower():
            return contact
        if not wanted["email"] and contact.name.lower() == wanted["name"].lower():
            return contact
    return None


def _contact_changes(contact: Contact, wanted: dict) -> dict[str, list]:
    """{field: [old, new]} for the contact's fields the line changes (empty cells keep)."""
    changes = {}
    for name in CONTACT_FIELDS:
        new = wanted[name]
        if new in ("", None):
            continue
        old = getattr(contact, name)
        if name == "email" and old.lower() == new.lower():
            continue  # the same address: changing its case would drop its verification
        if old != new:
            changes[name] = [old, new]
    return changes


# The services ------------------------------------------------------------------------


def check_upload(*, upload, uploaded_by) -> OrganisationImport:
    """The dry run: read and check the file, and keep it with its report. Nothing else
    is written. ValidationError if the file as a whole cannot be imported."""
    text = read_upload(upload)
    plan = plan_import(text)
    totals = plan.totals
    return OrganisationImport.objects.create(
        file_name=(getattr(upload, "name", "") or "import.csv")[:255],
        content=text,
        uploaded_by=uploaded_by,
        report=plan.as_report(),
        rows_total=totals["rows"],
        created_count=totals[CREATE],
        updated_count=totals[UPDATE],
        rejected_count=totals[REJECT],
    )


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
    """How many rows the running import has written (in its still open transaction: the
    count travels through the cache, which other processes can read)."""
    if organisation_import.status == OrganisationImport.Status.QUEUED:
        done = cache.get(progress_key(organisation_import.pk))
        if done is not None:
            return done
        # Nothing in the cache: the run has not started, or it has just committed (the
        # figure is removed after the commit). The row says which.
        organisation_import.refresh_from_db(fields=["status", "rows_done"])
        if organisation_import.status == OrganisationImport.Status.QUEUED:
            return 0
    return organisation_import.rows_done


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
    with transaction.atomic():
        lost = list(
            OrganisationImport.objects.select_for_update(skip_locked=True)
            .filter(status=OrganisationImport.Status.QUEUED, started_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        for import_id in lost:
            transaction.on_commit(
                lambda import_id=import_id: enqueue(tasks.run_import, import_id, what="an import")
            )
    if lost:
        logger.warning("Queued lost organisation imports again: %s", lost)
    return lost


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
                changes = _contact_changes(contact, values)
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
