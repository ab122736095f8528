"""Synthetic organisations in bulk, for benchmarks: a directory of 100,000 that looks
like the alliance's (weighted to the global south, every kind, accented city names),
written in large batches.

Two ways to write, chosen by `seed_bulk --method`: Django's `bulk_create` (any
database), or Postgres `COPY ... FROM STDIN` through psycopg 3, with primary keys
reserved from the table's sequence first so that contacts and memberships can point at
organisations without reading them back. Measured for 100,000 organisations (with
150,000 contacts, 177,000 focus-area links, 100,000 memberships) on the project's 2-core
machine, shared with other work (load average 1.4-2.6), the organisations table carrying
the directory's 13 indexes: COPY 25-28 s, bulk_create 48 s. Generating the rows in
Python is about half of the COPY run.

Bulk rows are marked by the slug prefix `bulk-`, so that they can be deleted again
without touching demo or real data.
"""

import datetime as dt
import functools
import random
import re
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries
from psycopg import sql

from campaigns.models import Invitation
from members.classification import TABLE as CLASSIFIED_COUNTRIES
from members.models import Contact, FocusArea, Membership, Organisation
from statements.models import Signature, SignOnRequest

from .vocabulary import (
    CAUSES,
    COUNTRIES,
    KIND_FOCUS,
    NAME_PATTERNS,
    PEOPLE,
    PEOPLE_GROUPS,
    ROLES,
    UNLISTED_COUNTRY_WEIGHT,
    VIRTUES,
    CountryProfile,
    name_language,
)

BULK_SLUG_PREFIX = "bulk-"
SERIAL_DIGITS = 7

# Places nobody lives, and codes django-countries does not know.
UNINHABITED = {"BV", "HM", "TF", "GS", "UM", "IO", "PN", "XK"}

# How common each kind is among the alliance's organisations (relative weights).
KIND_WEIGHTS = {
    Organisation.Kind.GRASSROOTS: 18,
    Organisation.Kind.SOCIAL_MOVEMENT: 8,
    Organisation.Kind.TRADE_UNION: 9,
    Organisation.Kind.WOMENS_RIGHTS: 14,
    Organisation.Kind.FAITH_BASED: 6,
    Organisation.Kind.ENVIRONMENTAL: 8,
    Organisation.Kind.HUMAN_RIGHTS: 8,
    Organisation.Kind.NATIONAL_NGO: 12,
    Organisation.Kind.INTERNATIONAL_NGO: 2,
    Organisation.Kind.NETWORK: 7,
    Organisation.Kind.RESEARCH: 5,
    Organisation.Kind.OTHER: 3,
}
STATUS_WEIGHTS = {
    Membership.Status.APPROVED: 85,
    Membership.Status.APPLIED: 7,
    Membership.Status.DECLINED: 3,
    Membership.Status.SUSPENDED: 2,
    Membership.Status.LEFT: 3,
}
DECLINE_REASONS = (
    "Does not endorse the principles: works as a consultancy for private investors.",
    "Application incomplete after three reminders; welcome to apply again.",
    "A party-political organisation: the alliance is non-partisan.",
)
HISTORY_DAYS = 3 * 365
CONSENT_TEXT = "Agreed on the membership application form to be contacted (bulk data)."
UNLISTED_PROFILE = CountryProfile(
    weight=UNLISTED_COUNTRY_WEIGHT, languages=("en",), time_zone="UTC", cities=(), people="global"
)
# French elides "de" before a vowel: "Association des femmes d'Abidjan".
FRENCH_ELISION = re.compile(r"\bde (?=[AEIOUÉÈaeiouéè])")


@dataclass
class Draft:
    """An unsaved organisation and what its contacts, focus areas and membership are
    made from."""

    organisation: Organisation
    country: str
    focus: list[str]
    profile: CountryProfile
    language: str


@dataclass
class Counts:
    organisations: int = 0
    contacts: int = 0
    memberships: int = 0
    in_national_alliances: int = 0
    approved: int = 0
    focus_links: int = 0


class BulkGenerator:
    """Makes unsaved model instances; deterministic for a given `rng` and start serial."""

    def __init__(self, *, rng: random.Random, focus_areas, alliances, principles, now):
        self.rng = rng
        self.now = now
        self.focus_area_ids = {area.slug: area.pk for area in focus_areas}
        self.alliance_ids = {alliance.country.code: alliance.pk for alliance in alliances}
        self.principles_ids = {text.language: text.pk for text in principles}
        codes = sorted(code for code in CLASSIFIED_COUNTRIES if code not in UNINHABITED)
        self.countries = codes
        self.country_weights = [
            COUNTRIES[code].weight if code in COUNTRIES else UNLISTED_COUNTRY_WEIGHT
            for code in codes
        ]
        self.country_names = {code: countries.name(code) for code in codes}
        self.kinds = list(KIND_WEIGHTS)
        self.kind_weights = list(KIND_WEIGHTS.values())
        self.kind_labels = {kind: _sentence_case(str(kind.label)) for kind in self.kinds}
        self.focus_names = {area.slug: area.name.lower() for area in focus_areas}
        self.statuses = list(STATUS_WEIGHTS)
        self.status_weights = list(STATUS_WEIGHTS.values())

    def organisations(self, serials: range) -> list[Draft]:
        chosen_countries = self.rng.choices(self.countries, self.country_weights, k=len(serials))
        kinds = self.rng.choices(self.kinds, self.kind_weights, k=len(serials))
        return [
            self._organisation(serial, country, kind)
            for serial, country, kind in zip(serials, chosen_countries, kinds, strict=True)
        ]

    def _organisation(self, serial: int, country: str, kind: str) -> Draft:
        rng = self.rng
        profile = COUNTRIES.get(country, UNLISTED_PROFILE)
        language = name_language(profile.languages)
        city = rng.choice(profile.cities) if profile.cities else ""
        focus = self._focus(kind)
        name = rng.choice(NAME_PATTERNS[language][kind]).format(
            place=city or self.country_names[country],
            people=rng.choice(PEOPLE_GROUPS[language]),
            cause=CAUSES[language][focus[0]],
            virtue=rng.choice(VIRTUES[language]),
        )
        if language == "fr":
            name = FRENCH_ELISION.sub("d'", name)
        short_name = _acronym(name) if rng.random() < 0.3 else ""
        name_slug = slugify(name)
        applied_at = self.now - dt.timedelta(
            days=rng.randrange(HISTORY_DAYS), seconds=rng.randrange(86400)
        )
        organisation = Organisation(
            name=name,
            short_name=short_name,
            slug=f"{BULK_SLUG_PREFIX}{serial:0{SERIAL_DIGITS}d}-{name_slug[:80].strip('-')}",
            kind=kind,
            country=country,
            city=city,
            website=(
                f"https://{(slugify(short_name) or name_slug)[:40].strip('-')}.example"
                if rng.random() < 0.4
                else ""
            ),
            description=(
                f"{self.kind_labels[kind]} in "
                f"{city + ', ' if city else ''}{self.country_names[country]}, working on "
                f"{_and_list(self.focus_names[slug] for slug in focus)}."
            ),
            languages=list(profile.languages),
            # A few are at risk when their name is public.
            listed_publicly=rng.random() >= 0.03,
            created_at=applied_at,
        )
        # bulk_create and COPY skip save(), which derives these from the country.
        organisation.classify()
        return Draft(organisation, country, focus, profile, language)

    def _focus(self, kind: str) -> list[str]:
        """1-3 focus areas: mostly what organisations of this kind work on."""
        focus = [self.rng.choice(KIND_FOCUS[kind])]
        for _ in range(self.rng.randrange(3)):
            slug = self.rng.choice(
                KIND_FOCUS[kind] if self.rng.random() < 0.5 else tuple(CAUSES["en"])
            )
            if slug not in focus:
                focus.append(slug)
        return focus

    def focus_links(self, drafts: list[Draft]) -> list:
        through = Organisation.focus_areas.through
        return [
            through(organisation_id=draft.organisation.pk, focusarea_id=self.focus_area_ids[slug])
            for draft in drafts
            for slug in draft.focus
        ]

    def contacts(self, drafts: list[Draft]) -> list[Contact]:
        """1-2 people per organisation; the first may sign for it."""
        rng = self.rng
        contacts = []
        for draft in drafts:
            organisation, profile = draft.organisation, draft.profile
            first_names, last_names = PEOPLE[profile.people]
            name_slug = organisation.slug[len(BULK_SLUG_PREFIX) + SERIAL_DIGITS + 1 :]
            domain = (slugify(organisation.short_name) or name_slug)[:30].strip("-")
            emails = set()
            for number in range(1 + (rng.random() < 0.5)):
                first, last = rng.choice(first_names), rng.choice(last_names)
                local_part = _email_local_part(first, last)
                if local_part in emails:
                    local_part = f"{local_part}{number + 1}"
                emails.add(local_part)
                contacts.append(
                    Contact(
                        organisation_id=organisation.pk,
                        name=f"{first} {last}",
                        email=f"{local_part}@{domain}.example.org",
                        role=rng.choice(ROLES),
                        language=draft.language if rng.random() < 0.7 else "en",
                        time_zone=profile.time_zone,
                        authorised_to_sign=number == 0 or rng.random() < 0.3,
                        consent_given_at=organisation.created_at,
                        consent_text=CONSENT_TEXT,
                    )
                )
        return contacts

    def memberships(self, drafts: list[Draft], contacts) -> list[Membership]:
        """One per organisation: in its country's national alliance if there is one,
        else in the international alliance; most approved."""
        first_contact = {}
        for contact in contacts:
            first_contact.setdefault(contact.organisation_id, contact.pk)
        statuses = self.rng.choices(self.statuses, self.status_weights, k=len(drafts))
        memberships = []
        for draft, status in zip(drafts, statuses, strict=True):
            organisation = draft.organisation
            applied_at = organisation.created_at
            decided_at = None
            if status != Membership.Status.APPLIED:
                decided_at = min(applied_at + dt.timedelta(days=self.rng.randint(1, 30)), self.now)
            joined = status in (
                Membership.Status.APPROVED,
                Membership.Status.SUSPENDED,
                Membership.Status.LEFT,
            )
            memberships.append(
                Membership(
                    organisation_id=organisation.pk,
                    national_alliance_id=self.alliance_ids.get(draft.country),
                    status=status,
                    principles_id=self.principles_ids.get(draft.language),
                    endorsed_by_id=first_contact.get(organisation.pk),
                    applied_at=applied_at,
                    decided_at=decided_at,
                    decision_reason=(
                        self.rng.choice(DECLINE_REASONS)
                        if status == Membership.Status.DECLINED
                        else ""
                    ),
                    joined_at=decided_at if joined else None,
                )
            )
        return memberships


# Words an acronym skips ("Réseau de Yaoundé pour les libertés civiques": RYLC).
ACRONYM_SKIPS = {
    *("a", "and", "d", "de", "del", "des", "do", "du", "e", "et", "for", "la", "las", "le"),
    *("les", "los", "of", "pela", "pelo", "pelos", "pelas", "por", "pour", "the", "y"),
}


def _acronym(name: str) -> str:
    words = re.findall(r"\w+", name)
    letters = "".join(word[0].upper() for word in words if word.lower() not in ACRONYM_SKIPS)
    return letters[:12] if len(letters) >= 3 else ""


@functools.cache
def _email_local_part(first_name: str, last_name: str) -> str:
    """María García writes as maria.garcia (cached: a few hundred names, 150,000 uses)."""
    return f"{slugify(first_name)}.{slugify(last_name)}".replace("-", ".")


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and_list(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def next_serial() -> int:
    """Serials continue after the last bulk organisation, so that a second run adds new
    slugs instead of colliding with the first run's."""
    last = (
        Organisation.objects.filter(slug__startswith=BULK_SLUG_PREFIX)
        .order_by("-slug")
        .values_list("slug", flat=True)
        .first()
    )
    if last is None:
        return 1
    digits = last[len(BULK_SLUG_PREFIX) : len(BULK_SLUG_PREFIX) + SERIAL_DIGITS]
    return int(digits) + 1 if digits.isdigit() else 1


def delete_bulk_data() -> int:
    """Delete every bulk organisation and every row that hangs off it, children first,
    each table in one DELETE.

    Django's cascading delete loads every organisation and contact into memory first
    (measured: 90 s for 250,000 organisations); one statement per table takes about a
    second for 100,000, and Postgres then checks the foreign keys at commit (about 11 s).
    A new model that points at organisations or contacts must be added here: until it
    is, the database refuses the delete and nothing is lost.
    """
    # Filters join to the organisation and test its slug: a `NOT IN (subquery)` of
    # hundreds of thousands of ids that outgrows work_mem makes Postgres rescan the
    # subquery for every row (measured: over 10 minutes for 300,000).
    prefix = BULK_SLUG_PREFIX
    of_bulk_organisation = Q(organisation__slug__startswith=prefix)
    of_bulk_contact = Q(contact__organisation__slug__startswith=prefix)
    # Rows of other organisations that name a bulk contact forget it, as SET_NULL would.
    Membership.objects.filter(endorsed_by__organisation__slug__startswith=prefix).exclude(
        of_bulk_organisation
    ).update(endorsed_by=None)
    Signature.objects.filter(of_bulk_contact).exclude(of_bulk_organisation).update(contact=None)
    doomed = [
        Signature.objects.filter(of_bulk_organisation),
        SignOnRequest.objects.filter(of_bulk_organisation),
        Invitation.contacts.through.objects.filter(
            Q(invitation__organisation__slug__startswith=prefix) | of_bulk_contact
        ),
        Invitation.objects.filter(of_bulk_organisation),
        Membership.objects.filter(of_bulk_organisation),
        Organisation.focus_areas.through.objects.filter(of_bulk_organisation),
        Contact.objects.filter(of_bulk_organisation),
    ]
    for queryset in doomed:
        _delete_in_one_statement(queryset)
    return _delete_in_one_statement(Organisation.objects.filter(slug__startswith=prefix))


def _delete_in_one_statement(queryset) -> int:
    """PostgreSQL: `DELETE ... WHERE pk IN (the queryset's SELECT)`, no instances and no
    signals, which bulk rows do not need and which the ORM's delete() cannot skip. Other
    databases: the ORM's delete(). Returns how many rows of the queryset's table went."""
    if connection.vendor != "postgresql":
        return queryset.delete()[1].get(queryset.model._meta.label, 0)
    meta = queryset.model._meta
    select, parameters = queryset.values("pk").query.sql_with_params()
    statement = sql.SQL("DELETE FROM {table} WHERE {pk} IN ({select})").format(
        table=sql.Identifier(meta.db_table),
        pk=sql.Identifier(meta.pk.column),
        select=sql.SQL(select),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(None), parameters)
        return cursor.rowcount


# Writers: each inserts a list of unsaved instances and, where asked, sets their pk.


class BulkCreateWriter:
    name = "bulk_create"

    def __init__(self, batch_size: int):
        self.batch_size = batch_size

    def insert(self, model, objs, *, need_pk: bool) -> None:
        model._base_manager.bulk_create(objs, batch_size=self.batch_size)
        if need_pk and objs and objs[0].pk is None:
            raise RuntimeError(f"{connection.vendor} did not return the new primary keys.")


class CopyWriter:
    """Postgres COPY FROM STDIN, values written as Django's INSERT would write them.

    Calling each field's pre_save and get_db_prep_save for every value costs about half
    of the run; for the field types whose Python value psycopg adapts exactly as Django
    does (text, numbers, booleans, aware datetimes, foreign key ids) the value is taken
    as it is, auto_now fields get one timestamp per batch, and anything else still goes
    through the field."""

    name = "copy"

    def insert(self, model, objs, *, need_pk: bool) -> None:
        if not objs:
            return
        # The connection itself, not the `connection` proxy: it is read for every value.
        db = connections[DEFAULT_DB_ALIAS]
        meta = model._meta
        quote = db.ops.quote_name
        with db.cursor() as cursor:
            if need_pk:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, len(objs)],
                )
                for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                    obj.pk = pk
            fields = [
                f
                for f in meta.concrete_fields
                if (need_pk or not f.primary_key) and not f.generated  # as bulk_create does
            ]
            now = timezone.now()
            getters = [_value_getter(field, db, now) for field in fields]
            columns = ", ".join(quote(f.column) for f in fields)
            with cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for obj in objs:
                    copy.write_row([get(obj) for get in getters])


# Field types whose Python value psycopg adapts exactly as Django's INSERT does.
PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,  # and DateTimeField: values are aware, as Django requires
    models.ForeignKey,
)


def _value_getter(field, db, now):
    attname = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: now
    if isinstance(field, models.JSONField):
        return lambda obj: db.ops.adapt_json_value(obj.__dict__[attname], field.encoder)
    if isinstance(field, PLAIN_FIELDS):
        # The instance's stored value, past descriptors (a CountryField's is the code).
        return lambda obj: obj.__dict__[attname]
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), db)


def write(generator: BulkGenerator, writer, serials: range, counts: Counts) -> None:
    """Generate and write the organisations numbered `serials`, with their contacts,
    focus areas and memberships."""
    drafts = generator.organisations(serials)
    writer.insert(Organisation, [draft.organisation for draft in drafts], need_pk=True)
    contacts = generator.contacts(drafts)
    writer.insert(Contact, contacts, need_pk=True)
    links = generator.focus_links(drafts)
    writer.insert(Organisation.focus_areas.through, links, need_pk=False)
    memberships = generator.memberships(drafts, contacts)
    writer.insert(Membership, memberships, need_pk=False)
    counts.organisations += len(drafts)
    counts.contacts += len(contacts)
    counts.focus_links += len(links)
    counts.memberships += len(memberships)
    counts.in_national_alliances += sum(1 for m in memberships if m.national_alliance_id)
    counts.approved += sum(1 for m in memberships if m.status == Membership.Status.APPROVED)


def analyze() -> None:
    """Fresh planner statistics after a bulk load, so that benchmarks do not run on the
    plans of an empty table until autovacuum catches up."""
    if connection.vendor != "postgresql":
        return
    tables = [
        Organisation._meta.db_table,
        Contact._meta.db_table,
        Membership._meta.db_table,
        Organisation.focus_areas.through._meta.db_table,
        FocusArea._meta.db_table,
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("ANALYZE {}")
            .format(sql.SQL(", ").join(map(sql.Identifier, tables)))
            .as_string(None)
        )
