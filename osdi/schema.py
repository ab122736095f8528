"""The OSDI operations in the one OpenAPI document: HAL+JSON bodies (described, not
modelled field by field: the resources are documented in docs/osdi.md and the OSDI
specification), paging parameters on every list, and the errors in OSDI's shape."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from osdi.hal import DEFAULT_PER_PAGE, MAX_PER_PAGE


class OsdiErrorDescriptionSerializer(serializers.Serializer):
    error_code = serializers.CharField(
        help_text="Stable code, as on /api/v1/: `validation_error`, `not_found`, "
        "`insufficient_scope`, `not_authenticated`, `authentication_failed`, `throttled`, "
        "`already_signed`, `statement_not_open`, `not_in_audience`, `person_not_found`, "
        "`ambiguous_person`, `rsvp_refused`, `idempotency_key_reused`."
    )
    description = serializers.CharField(help_text="For people; may change.")
    properties = serializers.ListField(
        child=serializers.CharField(), help_text="The request's properties at fault."
    )


class OsdiResourceStatusSerializer(serializers.Serializer):
    resource = serializers.CharField(help_text="The OSDI resource, e.g. osdi:signature.")
    response_code = serializers.IntegerField(help_text="The HTTP status.")
    error_descriptions = OsdiErrorDescriptionSerializer(many=True, help_text="What went wrong.")


class OsdiErrorSerializer(serializers.Serializer):
    request_type = serializers.CharField(help_text="Always atomic here.")
    response_code = serializers.IntegerField(help_text="The HTTP status.")
    error = serializers.CharField(help_text="Every description in one line.")
    resource_status = OsdiResourceStatusSerializer(many=True, help_text="Per resource.")


ERRORS = {
    "400": "A filter, page or body that is not valid.",
    "401": "No key, or a wrong or revoked one.",
    "403": "The key lacks a scope this operation needs (`insufficient_scope`), or the "
    "organisation may not sign (`not_in_audience`).",
    "404": "No such resource, or not one this key may see.",
    "429": "Too many requests for this key; `Retry-After` says how long to wait.",
}
POST_ERRORS = {
    "409": "Refused by the rules: `already_signed` (only to a key that speaks for the "
    "organisation), `statement_not_open`, `rsvp_refused`.",
    "422": "The Idempotency-Key was used with another body (`idempotency_key_reused`).",
}
LIST_PARAMETERS = [
    OpenApiParameter(
        "page", OpenApiTypes.INT, description="Page number, from 1; past the end, empty."
    ),
    OpenApiParameter(
        "per_page",
        OpenApiTypes.INT,
        description=f"Resources per page: {DEFAULT_PER_PAGE} unless asked, at most "
        f"{MAX_PER_PAGE} (more is served as {MAX_PER_PAGE}).",
    ),
    OpenApiParameter(
        "filter",
        OpenApiTypes.STR,
        description="OData-style: `modified_date gt '2026-01-01T00:00:00Z'`, "
        "`email_address eq 'ana@example.org'` (people); operators eq, gt, ge, lt, le, "
        "clauses joined with `and`. An unsupported property answers 400.",
    ),
]
PATH_PARAMETERS = {
    "id": "Identifier of the resource (the last segment of its `self` link).",
    "petition": "Identifier of the petition.",
    "event": "Identifier of the event.",
    "person": "Identifier of the person.",
}


class OsdiAutoSchema(AutoSchema):
    def get_tags(self):
        return ["osdi"]

    def get_operation_id(self):
        return f"osdi_{self.view.__class__.__name__}_{self.method.lower()}"

    def get_description(self):
        return super().get_description() or (self.view.__class__.__doc__ or "").strip()

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        parameters += [
            OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=text)
            for name, text in PATH_PARAMETERS.items()
            if "{" + name + "}" in self.path
        ]
        if self.method == "GET" and getattr(self.view, "paged", False):
            parameters += LIST_PARAMETERS
        return parameters

    def get_request_serializer(self):
        return OpenApiTypes.OBJECT if self.method == "POST" else None

    def get_response_serializers(self):
        """A HAL document on success (and 201/202 for a POST that records or queues), and
        every error this layer answers, in OSDI's error shape."""
        responses = {"200": OpenApiTypes.OBJECT}
        if self.method == "POST":
            responses.update({"201": OpenApiTypes.OBJECT, "202": OpenApiTypes.OBJECT})
        errors = {**ERRORS, **(POST_ERRORS if self.method == "POST" else {})}
        for code, description in errors.items():
            responses[code] = OpenApiResponse(OsdiErrorSerializer, description=description)
        return responses
