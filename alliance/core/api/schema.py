"""The OpenAPI document: every operation also lists the errors it can answer, in the one
error shape of alliance.core.api.exceptions."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable machine-readable code, e.g. `validation_error`, `not_authenticated`, "
        "`authentication_failed`, `insufficient_scope`, `not_found`, `throttled`, "
        "`already_signed`, `statement_not_open`, `not_in_audience`, "
        "`idempotency_key_reused`, `permission_denied`, `possible_duplicates`, "
        "`application_refused`, `applications_closed`."
    )
    message = serializers.CharField(help_text="Human-readable explanation; may change.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per-field validation messages (empty unless code is validation_error).",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer(help_text="What went wrong.")


COMMON_ERRORS = {
    "401": "No API key, or an invalid or revoked one (`not_authenticated`, "
    "`authentication_failed`).",
    "403": "The key lacks the scope this operation needs (`insufficient_scope`).",
    "429": "Too many requests for this key, or too many wrong keys from this address "
    "(`throttled`); the `Retry-After` header says how many seconds to wait.",
}


INVALID_CURSOR = "The `cursor` is not one this API gave (`not_found`)."
INVALID_FILTER = "A filter's value is not valid (`validation_error`)."
UNKNOWN_PARAMETER = (
    "A query parameter this list does not know, e.g. a misspelt filter (`validation_error`,"
    " with the parameter under `fields`)."
)


class ApiAutoSchema(AutoSchema):
    # Errors particular to an operation, set on the view: {"404": "description"}.
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {**COMMON_ERRORS, **getattr(self.view, "error_responses", {})}
        if self.method == "POST":
            errors.setdefault("400", "The request body is not valid (`validation_error`).")
        elif self._is_list_view():
            # Cursor pagination answers a made-up cursor with 404, and django-filter a
            # value it cannot parse with 400.
            errors["404"] = (
                f"{errors['404']} {INVALID_CURSOR}" if "404" in errors else INVALID_CURSOR
            )
            # Every list refuses a parameter it does not know (PartnerApiMixin).
            if getattr(self.view, "filterset_class", None):
                errors.setdefault("400", f"{INVALID_FILTER} {UNKNOWN_PARAMETER}")
            errors.setdefault("400", UNKNOWN_PARAMETER)
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code
                )
        return responses

    def _map_basic_serializer(self, serializer, direction):
        """Read-only fields are required in a response unless the serializer's Meta lists
        them in `fields_for_some_keys`: fields only keys with a given scope receive."""
        schema = super()._map_basic_serializer(serializer, direction)
        optional = set(getattr(getattr(serializer, "Meta", None), "fields_for_some_keys", ()))
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema


def id_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "id", int, OpenApiParameter.PATH, description=f"Identifier of the {what}."
    )
