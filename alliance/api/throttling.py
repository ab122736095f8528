"""Requests counted per API key, one Redis round trip a request.

DRF's SimpleRateThrottle keeps a list of timestamps per key in the cache: a read and a
write each request, and a pickled list that grows with the rate (thousands of floats for
a busy partner). Here a key has a counter that starts with its first request and expires
a period later: one round trip (SET NX EX + INCR in a MULTI). A partner can send up to
twice the rate across the end of one period and the start of the next, which a limit
meant against runaway loops can live with."""

import functools

import redis
from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

DEFAULT_RATE = "1200/min"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """A rate as DRF writes it, "1200/min", as (requests, seconds): (1200, 60)."""
    number, period = rate.split("/")
    return int(number), PERIODS[period[0]]


@functools.cache
def _redis_client(url: str) -> redis.Redis:
    # One client (and connection pool) per process: Django's cache makes a client object
    # for every call, about a third of the CPU of a cache round trip.
    return redis.Redis.from_url(url)


def shared_redis() -> redis.Redis | None:
    """The Redis that Django's cache uses, or None where there is none (tests on SQLite
    use the in-memory cache)."""
    url = getattr(settings, "REDIS_URL", "")
    return _redis_client(url) if url else None


def _counter_key(name: str) -> str:
    return f"api:count:{name}"


def count_request(name: str, period: int) -> int:
    """Add one to the counter `name`, which starts at the first request and lasts `period`
    seconds; return its count."""
    key = _counter_key(name)
    client = shared_redis()
    if client is None:
        cache.add(key, 0, timeout=period)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period)
            return 1
    # A transaction: the counter never outlives its expiry time (an INCR after the key
    # expired would make a counter that never expires).
    with client.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=period, nx=True)
        pipe.incr(key)
        _, count = pipe.execute()
    return count


def seconds_until_reset(name: str, period: int) -> int:
    """When the counter `name` starts again (the whole period where that is not known)."""
    client = shared_redis()
    if client is None:
        return period
    left = client.ttl(_counter_key(name))
    return left if 0 < left <= period else period


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
