"""Errors in OSDI's shape (osdi-docs errors.md), with Action Network's `error` line:

    {"request_type": "atomic", "response_code": 404, "error": "Not found.",
     "resource_status": [{"resource": "osdi:petition", "response_code": 404,
       "error_descriptions": [{"error_code": "not_found", "description": "Not found.",
                               "properties": []}]}]}

`error_code` carries the same stable codes as /api/v1/ (`insufficient_scope`,
`already_signed`, `validation_error`, ...)."""

from alliance.core.api.exceptions import exception_handler as api_exception_handler


def osdi_body(status_code: int, resource: str, descriptions: list[dict]) -> dict:
    return {
        "request_type": "atomic",
        "response_code": status_code,
        "error": " ".join(item["description"] for item in descriptions),
        "resource_status": [
            {"resource": resource, "response_code": status_code, "error_descriptions": descriptions}
        ],
    }


def exception_handler(exc, context):
    """The API's handler (status, headers, codes), then its body in OSDI's shape."""
    response = api_exception_handler(exc, context)
    if response is None:
        return None
    error = response.data["error"]
    descriptions = [
        {"error_code": error["code"], "description": message, "properties": [field]}
        for field, messages in error["fields"].items()
        for message in messages
    ] or [{"error_code": error["code"], "description": error["message"], "properties": []}]
    view = context.get("view")
    resource = getattr(view, "resource", "osdi:resource")
    response.data = osdi_body(response.status_code, resource, descriptions)
    return response
