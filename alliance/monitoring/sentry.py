"""Error reports to Sentry when SENTRY_DSN is set (off by default), with personal data
removed before anything leaves the machine: no addresses, no names, no request bodies,
no local variables (they hold organisations that sign counted only)."""

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
FILTERED = "[filtered]"


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )


def scrub_event(event, hint=None):
    """Keep the shape of the error (type, stack, view), drop what could name a person or
    an organisation: user, request data and query strings, cookies, local variables,
    and any email address left in a message."""
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value
                for name, value in headers.items()
                if name.lower()
                in {"accept", "accept-language", "content-type", "user-agent", "x-request-id"}
            }
    event.pop("extra", None)
    # An exception's message or a log line's arguments may quote a name: the type, the
    # place in the code and the request id (to find the log lines) are what is sent.
    for exception in (event.get("exception") or {}).get("values", []) or []:
        exception["value"] = FILTERED
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry.pop("params", None)
        logentry.pop("formatted", None)
    event.pop("message", None)
    from alliance.monitoring.context import current_request_id

    if current_request_id.get():
        event.setdefault("tags", {})["request_id"] = current_request_id.get()
    return _scrub_strings(_drop_frame_variables(event))


def scrub_breadcrumb(crumb, hint=None):
    # SQL parameters and log messages can hold names and addresses.
    crumb.pop("data", None)
    return _scrub_strings(crumb)


def _drop_frame_variables(event):
    for exception in (event.get("exception") or {}).get("values", []) or []:
        for frame in (exception.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values", []) or []:
        for frame in (thread.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)
    return event


def _scrub_strings(value):
    if isinstance(value, str):
        return EMAIL.sub(FILTERED, value)
    if isinstance(value, dict):
        return {key: _scrub_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_strings(item) for item in value]
    return value
