"""What every partner API serializer shares."""

import copy
import functools

from django.conf import settings
from django.db import models
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject


class CurrentZoneDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, writing times in the time zone current when the serializer is
    built (once per request) rather than looking it up again for every value, which a
    list of 100 rows with two times each did 200 times."""

    def __init__(self, *args, **kwargs):
        if settings.USE_TZ:
            kwargs.setdefault("default_timezone", timezone.get_current_timezone())
        super().__init__(*args, **kwargs)


# The fields of each partner serializer class, as ModelSerializer first built them.
FIELD_PROTOTYPES: dict[type, dict[str, Field]] = {}


class PartnerModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: CurrentZoneDateTimeField,
    }

    def get_fields(self):
        """ModelSerializer's fields, worked out from the model once per class and copied
        for each serializer, as DRF copies declared fields: a copy builds each field
        again from its arguments (in the current language and time zone) without reading
        the model's metadata again, which cost about half of building them."""
        serializer_class = type(self)
        if serializer_class not in FIELD_PROTOTYPES:
            FIELD_PROTOTYPES[serializer_class] = super().get_fields()
        return copy.deepcopy(FIELD_PROTOTYPES[serializer_class])

    @functools.cached_property
    def readable_fields(self) -> list[tuple[Field, str | None]]:
        """The fields written out, each with the key it reads from a `.values()` row when
        that is all its `get_attribute` would do (one plain source, DRF's own lookup), or
        None. Listed once per serializer: DRF walks its field dict again for every row."""
        return [
            (
                field,
                field.source_attrs[0]
                if len(field.source_attrs) == 1 and type(field).get_attribute is Field.get_attribute
                else None,
            )
            for field in self.fields.values()
            if not field.write_only
        ]

    def to_representation(self, instance):
        """DRF's Serializer.to_representation (the same fields, each writing its own
        value), with a `.values()` row read by key: for a list of 100 rows, DRF's generic
        lookup of every value cost about as much as writing them."""
        row = instance if isinstance(instance, dict) else None
        representation = {}
        for field, key in self.readable_fields:
            if row is not None and key is not None and key in row and not callable(row[key]):
                attribute = row[key]
            else:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
            # As DRF: None is written as null without asking the field; a related field's
            # pk-only stand-in is None when its pk is.
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            representation[field.field_name] = (
                None if check_for_none is None else field.to_representation(attribute)
            )
        return representation
