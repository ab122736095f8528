"""Filters the partner API's lists share."""

import datetime as dt

from django import forms
from django_filters import IsoDateTimeFilter
from django_filters.fields import IsoDateTimeField


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
