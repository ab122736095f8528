from django.core.exceptions import BadRequest
from django.http import JsonResponse

from alliance.core.api.exceptions import error_body


class RejectNulBytesMiddleware:
    """Answer 400 to a query string or form with a NUL byte: PostgreSQL refuses them in
    text, so any parameter a view passes to a query or saves would otherwise be a 500.
    Form fields refuse them too (Django's CharField), but not every parameter goes
    through a form (`?alliance=`, `next`, a filter)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for params in (request.GET, request.POST):
            for name, values in params.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    if request.path_info.startswith("/api/"):
                        # The partner API answers every error in its own JSON shape.
                        return JsonResponse(
                            error_body("parse_error", "A request parameter holds a NUL byte."),
                            status=400,
                        )
                    raise BadRequest("NUL byte in a request parameter")
        return self.get_response(request)
