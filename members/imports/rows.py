"""Checking each row: the values a line holds, cleaned, and the problems that reject it."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from django_countries import countries

from members.imports.reading import CONTACT_COLUMNS
from members.models import (
    FocusArea,
    NationalAlliance,
    Organisation,
)

PROFILE_FIELDS = ["name", "short_name", "kind", "country", "city", "website", "description"]


CONTACT_FIELDS = ["name", "email", "role", "language", "authorised_to_sign", "consent_text"]


YES = {"yes", "y", "true", "1", "oui", "sí", "si", "sim"}


NO = {"no", "n", "false", "0", "non", "não", "nao"}


CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"


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


class Lookups:
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


def clean_line(raw: dict[str, str], lookups: Lookups, errors: list[Problem]) -> dict:
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


def _clean_contact(raw: dict[str, str], lookups: Lookups, errors: list[Problem]) -> dict | None:
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
