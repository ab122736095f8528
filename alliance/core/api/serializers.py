"""What every partner API serializer shares."""

import copy

from django.conf import settings
from django.db import models
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import Field


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
