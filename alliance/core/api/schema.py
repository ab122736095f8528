"""The OpenAPI document: every operation also lists the errors it can answer, in the one
error shape of alliance.core.api.exceptions."""

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.mixins import ListModelMixin


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
    """The schema of the partner API's views (PartnerApiMixin): `add_error_responses`
    recognises their operations by it."""


ERROR_COMPONENT = "#/components/schemas/Error"


def add_error_responses(result, generator, request, public):
    """Postprocessing hook (SPECTACULAR_SETTINGS): every partner API operation also lists
    the errors it can answer: the common ones, the view's own `error_responses`
    ({"404": "description"}), a body that is not valid on POST, and on a list a made-up
    cursor or a parameter it does not know."""
    if "Error" not in result["components"].get("schemas", {}):
        # The component comes from an operation naming ErrorSerializer (extend_schema).
        raise ImproperlyConfigured("No operation names ErrorSerializer in its responses.")
    for path, method, view in partner_operations(result, generator):
        responses = result["paths"][path][method.lower()]["responses"]
        for code, description in errors_of(view, method).items():
            responses.setdefault(
                code,
                {
                    "content": {"application/json": {"schema": {"$ref": ERROR_COMPONENT}}},
                    "description": description,
                },
            )
    return result


def partner_operations(result, generator):
    """(path, method, view) of each operation in the document whose view uses
    ApiAutoSchema, through the generator's endpoints."""
    for path, _path_regex, method, callback in generator.endpoints:
        view = generator.create_view(callback, method)
        path = generator.coerce_path(path, method, view)
        if method.lower() in result["paths"].get(path, {}) and isinstance(
            view.schema, ApiAutoSchema
        ):
            yield path, method, view


def errors_of(view, method: str) -> dict[str, str]:
    errors = {**COMMON_ERRORS, **getattr(view, "error_responses", {})}
    if method == "POST":
        errors.setdefault("400", "The request body is not valid (`validation_error`).")
    elif method == "GET" and isinstance(view, ListModelMixin):
        # Cursor pagination answers a made-up cursor with 404, and django-filter a value
        # it cannot parse with 400.
        errors["404"] = f"{errors['404']} {INVALID_CURSOR}" if "404" in errors else INVALID_CURSOR
        # Every list refuses a parameter it does not know (PartnerApiMixin).
        if getattr(view, "filterset_class", None):
            errors.setdefault("400", f"{INVALID_FILTER} {UNKNOWN_PARAMETER}")
        errors.setdefault("400", UNKNOWN_PARAMETER)
    return errors


def optional_fields_for_some_keys(result, generator, request, public):
    """Postprocessing hook (SPECTACULAR_SETTINGS): read-only fields are required in a
    response unless the serializer's Meta lists them in `fields_for_some_keys`: fields only
    keys with a given scope receive."""
    for name, schema in result["components"]["schemas"].items():
        try:
            component = generator.registry[(name, ResolvedComponent.SCHEMA)]
        except KeyError:  # Added by a hook (enums), not made from a serializer.
            continue
        meta = getattr(component.object, "Meta", None)
        optional = set(getattr(meta, "fields_for_some_keys", ()))
        if optional and "required" in schema:
            schema["required"] = [field for field in schema["required"] if field not in optional]
            if not schema["required"]:
                del schema["required"]
    return result


def id_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "id", int, OpenApiParameter.PATH, description=f"Identifier of the {what}."
    )
