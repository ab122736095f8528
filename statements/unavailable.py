"""The public signing form when the database does not answer (a restart, a failover):
one retry on a fresh connection, then a "try again" page that keeps what was typed,
answered 503 with Retry-After, never a 500. Nothing is half-saved: the submission is one
INSERT, and a failed one is not answered as accepted."""

import functools
import logging

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

DATABASE_FAILURES = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def retried_once_then_try_again(*, page_language):
    """Wrap a view of the public signing form (request, slug); `page_language(request)`
    is the language its pages speak, which the try-again page speaks too."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, slug):
            for attempt in (1, 2):
                try:
                    return view(request, slug)
                except DATABASE_FAILURES:
                    logger.warning(
                        "public signing: the database failed (attempt %s)",
                        attempt,
                        exc_info=True,
                    )
                    drop_if_broken()
            with translation.override(page_language(request)):
                return try_again_page(request, slug)

        return wrapped

    return decorator


def drop_if_broken() -> None:
    """A broken connection stays broken: close it, and the next query opens a new one."""
    try:
        usable = connection.is_usable()
    except Exception:  # noqa: BLE001 - no connection at all is not usable either
        usable = False
    if not usable:
        connection.close()


def try_again_page(request, slug):
    from statements.forms import PublicSignatureForm

    form = PublicSignatureForm(request.POST if request.method == "POST" else None)
    try:
        response = render(
            request,
            "statements/sign_publicly_try_again.html",
            {"form": form, "slug": slug},
            status=503,
        )
    except DATABASE_FAILURES:
        # Rendering for a signed-in visitor reads their session and role from the
        # database: without it, the error page that needs no request.
        drop_if_broken()
        response = HttpResponse(render_to_string("500.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
