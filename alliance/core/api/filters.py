"""Filters the partner API's lists share."""

import datetime as dt

from django import forms
from django.utils.translation import get_language
from django_filters import IsoDateTimeFilter
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import FilterSet


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned into UTC before it reaches the database: Python accepts
    offsets up to ±23:59 and PostgreSQL only up to ±15:59, so `+19:09` was a 500 (found by
    the fuzzer, tests/api/test_fuzz.py). A time that has no UTC equivalent (the first hours
    of year 1 east of Greenwich) is refused like any unreadable value."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(dt.UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeFilter(IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


# The form class of each partner filter set, per language (its fields' labels are words).
FORM_CLASSES: dict[tuple[type, str | None], type[forms.Form]] = {}


class PartnerFilterSet(FilterSet):
    """django-filter's FilterSet, with the form that validates a request's filters made
    once per filter set and language instead of on every request: a partner list's
    filters depend on no request, and making the form class builds every filter's form
    field again (a filtered list spent more time there than filtering)."""

    def get_form_class(self):
        key = (type(self), get_language())
        if key not in FORM_CLASSES:
            FORM_CLASSES[key] = super().get_form_class()
        return FORM_CLASSES[key]
