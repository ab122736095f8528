"""OSDI's OData-style `filter` parameter, the part the spec offers for these collections:

    filter=modified_date gt '2026-01-01T00:00:00Z'
    filter=email_address eq 'ana@example.org'
    filter=created_date ge '2026-01-01' and created_date lt '2026-02-01'

Each collection names the properties it filters on and the column behind each; any
other property, operator or form is refused with a 400 that says what is accepted."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

CLAUSE = re.compile(r"^\s*(?P<name>[a-z_]+)\s+(?P<op>eq|gt|ge|lt|le)\s+'(?P<value>[^']*)'\s*$")
LOOKUPS = {"eq": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}


@dataclass(frozen=True)
class Property:
    column: str
    kind: str  # "date" or "email"


def date_property(column: str) -> Property:
    return Property(column, "date")


def email_property(column: str) -> Property:
    return Property(column, "email")


def refuse(message: str):
    raise ValidationError({"filter": [message]})


def parse_value(prop: Property, op: str, raw: str):
    if prop.kind == "email":
        if op != "eq":
            refuse(_("An email address can only be compared with eq."))
        return "iexact", raw.strip()
    moment = parse_datetime(raw) if "T" in raw or " " in raw.strip() else None
    if moment is None:
        try:
            day = parse_date(raw.strip())
        except ValueError:
            day = None
        if day is None:
            refuse(_("Not an ISO 8601 date: %(value)s.") % {"value": raw})
        moment = dt.datetime.combine(day, dt.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return LOOKUPS[op], moment


def apply_filter(queryset, request, properties: dict[str, Property]):
    """`queryset` narrowed by the request's `filter`, clauses joined with `and`."""
    text = request.query_params.get("filter")
    if text is None:
        return queryset
    accepted = ", ".join(sorted(properties)) or _("none")
    for clause in re.split(r"\s+and\s+", text.strip()):
        match = CLAUSE.match(clause)
        if not match:
            refuse(
                _(
                    "Write a filter as: property operator 'value' (operators eq, gt, ge, lt, "
                    "le; clauses joined with and). This collection filters on: %(accepted)s."
                )
                % {"accepted": accepted}
            )
        prop = properties.get(match["name"])
        if prop is None:
            refuse(
                _("This collection cannot be filtered on %(name)s; it filters on: %(accepted)s.")
                % {"name": match["name"], "accepted": accepted}
            )
        lookup, value = parse_value(prop, match["op"], match["value"])
        queryset = queryset.filter(**{f"{prop.column}__{lookup}": value})
    return queryset
