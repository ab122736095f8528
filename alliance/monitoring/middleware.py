import logging
import time

from alliance.monitoring import metrics
from alliance.monitoring.context import accept_or_make, current_request_id

logger = logging.getLogger("alliance.requests")


class RequestMonitoringMiddleware:
    """First in the chain: gives the request its id (the proxy's `X-Request-ID`, or a new
    one), answers with it, and on the way out writes one log line and the request metrics.

    The line names the route (`statements/<slug:slug>/`), not the path: paths carry the
    tokens of confirmation links, which do not belong in logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accept_or_make(request.headers.get("X-Request-ID"))
        # Left set after the answer: Django logs a server error after the middleware
        # returns, and that line should carry the id too. The next request replaces it.
        current_request_id.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        duration = time.perf_counter() - started
        view = _view_name(request)
        metrics.observe_request(
            view=view, method=request.method, status=response.status_code, seconds=duration
        )
        logger.info(
            "%s %s %s",
            request.method,
            view,
            response.status_code,
            extra={
                "method": request.method,
                "view": view,
                "route": _route(request),
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
            },
        )
        return response


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else "<unresolved>"


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None else ""
