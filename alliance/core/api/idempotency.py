"""`Idempotency-Key` on POST: a retry gets the first response instead of doing the work
twice (pretix's api/middleware.py does the same for X-Idempotency-Key).

A view decorator rather than a middleware: the key's owner is the API key, which is
known only once DRF has authenticated the request inside the view.
"""

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response

from alliance.core.api.exceptions import ApiError
from alliance.core.api.models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _request_hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(handler):
    """Wrap a DRF view method. With the header, the first request's row is written in
    the same transaction as the work and its response: a concurrent retry waits on the
    unique index, then replays what the first one answered; a failed first attempt
    (an exception, a 5xx) leaves no row, so the retry does the work."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise ApiError(400, "invalid_idempotency_key", _("The Idempotency-Key is too long."))
        request_hash = _request_hash(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    IdempotentRequest.objects.create(
                        api_key=request.auth,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        request_hash=request_hash,
                    )
            except IntegrityError:
                first = IdempotentRequest.objects.get(api_key=request.auth, key=key)
            else:
                return _respond_and_keep(view, handler, request, key, args, kwargs)
        if first.request_hash != request_hash:
            raise ApiError(
                422,
                "idempotency_key_reused",
                _("This Idempotency-Key was used with a different request."),
            )
        replay = Response(first.response_body, status=first.status_code)
        replay["Idempotent-Replayed"] = "true"
        return replay

    return wrapper


def _respond_and_keep(view, handler, request, key, args, kwargs):
    try:
        response = handler(view, request, *args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - API errors are answers to keep too
        # Unexpected errors propagate from handle_exception and roll the row back.
        response = view.handle_exception(exc)
    if response.status_code >= 500:
        transaction.set_rollback(True)
        return response
    IdempotentRequest.objects.filter(api_key=request.auth, key=key).update(
        status_code=response.status_code, response_body=response.data
    )
    return response
