"""The id of the request (or task) being served, for log lines and the tasks it queues."""

import re
import uuid
from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("request_id", default="")

# What we accept from the proxy (nginx's $request_id is 32 hex digits) or a client:
# anything else is replaced, so that a log line never carries text a visitor chose.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def accept_or_make(incoming: str | None) -> str:
    if incoming and _ACCEPTABLE.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter:
    """A logging filter that gives every record `request_id` (empty outside a request)."""

    def filter(self, record) -> bool:
        record.request_id = current_request_id.get()
        return True
