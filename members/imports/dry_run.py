"""The dry run: the plan of what each line would do (create, update, leave unchanged or
reject), matched against the database in bulk, and the stored report of an upload.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models.functions import Lower
from django.utils.translation import gettext_noop

from members.imports.reading import read_rows, read_upload
from members.imports.rows import (
    CONTACT_FIELDS,
    CREATE,
    PROFILE_FIELDS,
    REJECT,
    UNCHANGED,
    UPDATE,
    Line,
    Lookups,
    Problem,
    clean_line,
)
from members.models import (
    Contact,
    Membership,
    Organisation,
    OrganisationImport,
)
from members.services import website_domain


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
    header, rows = read_rows(text)
    lookups = Lookups()
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
            line.values = clean_line(raw, lookups, line.errors)
            if line.errors:
                line.action = REJECT
        lines.append(line)
    _match(lines)
    return Plan(lines=lines)


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
            if existing is None or contact_changes(existing, values["contact"]):
                line.changes.append("contact")
        line.action = UPDATE if line.changes else UNCHANGED


def _same_contact(contacts: list[Contact], wanted: dict) -> Contact | None:
    for contact in contacts:
        if wanted["email"] and contact.email.lower() == wanted["email"].lower():
            return contact
        if not wanted["email"] and contact.name.lower() == wanted["name"].lower():
            return contact
    return None


def contact_changes(contact: Contact, wanted: dict) -> dict[str, list]:
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
