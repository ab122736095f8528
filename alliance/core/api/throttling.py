"""Requests counted per API key, one Redis round trip a request.

DRF's SimpleRateThrottle keeps a list of timestamps per key in the cache: a read and a
write each request, and a pickled list that grows with the rate (thousands of floats for
a busy partner). Here a key has a counter that starts with its first request and expires
a period later: one round trip (SET NX EX + INCR in a MULTI). A partner can send up to
twice the rate across the end of one period and the start of the next, which a limit
meant against runaway loops can live with."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from alliance.core.ratelimits import count_request, seconds_until_reset

DEFAULT_RATE = "1200/min"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """A rate as DRF writes it, "1200/min", as (requests, seconds): (1200, 60)."""
    number, period = rate.split("/")
    return int(number), PERIODS[period[0]]


class ApiKeyRateThrottle(BaseThrottle):
    """Requests per API key (per user for sessions, per address otherwise). The rate is
    the API_THROTTLE_RATE setting, read per request so that it can change without a
    restart."""

    scope = "api_key"

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATE", DEFAULT_RATE)

    def allow_request(self, request, view):
        allowed, self.period = parse_rate(self.get_rate())
        self.counter = self.counter_name(request)
        return count_request(self.counter, self.period) <= allowed

    def wait(self):
        return seconds_until_reset(self.counter, self.period)

    def counter_name(self, request) -> str:
        if request.auth is not None and hasattr(request.auth, "prefix"):
            return f"{self.scope}:key:{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return f"{self.scope}:user:{request.user.pk}"
        return f"{self.scope}:ip:{self.get_ident(request)}"
