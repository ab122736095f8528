"""Every error of the API in one shape, with codes that do not change:

    {"error": {"code": "validation_error", "message": "...", "fields": {"email": ["..."]}}}

Errors inside a list or an object are under a dotted path: `{"events.0": ["..."]}`.

`code` is what a partner's program branches on; `message` is for people and may change.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class ApiError(exceptions.APIException):
    """A refusal with its own code, raised by views: `ApiError(409, "already_signed", ...)`."""

    def __init__(self, status_code: int, code: str, message: str):
        self.status_code = status_code
        super().__init__(detail=message, code=code)


def _field_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """Messages per field, nested ones under a dotted path (`events.0`, `contacts.2.email`):
    `fields` is always {name: [message, ...]}, as the schema says, however deep the error."""
    if isinstance(detail, dict):
        parts = detail.items()
    elif isinstance(detail, list) and not all(isinstance(item, str) for item in detail):
        parts = enumerate(detail)
    else:
        messages = detail if isinstance(detail, list) else [detail]
        return {prefix: [str(message) for message in messages]}
    fields = {}
    for name, value in parts:
        fields.update(_field_errors(value, f"{prefix}.{name}" if prefix else str(name)))
    return fields


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc, context):
    """DRF's handler (which turns Http404 and PermissionDenied into API exceptions and sets
    Retry-After and WWW-Authenticate), then the body in our shape."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = _field_errors(detail)
        general = fields.pop("non_field_errors", [])
        message = " ".join(general) or _("Some fields are not valid.")
        response.data = error_body("validation_error", message, fields)
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    detail = exc.detail
    response.data = error_body(getattr(detail, "code", None) or exc.default_code, str(detail))
    return response
