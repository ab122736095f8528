"""Requests counted per API key in fixed windows, one Redis round trip a request.

DRF's SimpleRateThrottle keeps a list of timestamps per key in the cache: a read and a
write each request, and a pickled list that grows with the rate (thousands of floats for
a busy partner). A counter per window is one pipelined INCR + EXPIRE. A window lets a
partner send up to twice the rate across a boundary, which a limit meant against runaway
loops can live with (GitHub's API counts the same way)."""

import functools
import math
import time

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


def count_in_window(name: str, seconds: int) -> int:
    """Add one to the counter `name` of the current window of `seconds`; return its count."""
    window = int(time.time() // seconds)
    key = f"api:count:{name}:{window}"
    client = shared_redis()
    if client is None:
        cache.add(key, 0, timeout=seconds)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds)
            return 1
    with client.pipeline(transaction=False) as pipe:
        pipe.incr(key)
        pipe.expire(key, seconds + 1)
        count, _ = pipe.execute()
    return count


def read_window(name: str, seconds: int) -> int:
    """The count of `name` in the current window, without adding to it."""
    key = f"api:count:{name}:{int(time.time() // seconds)}"
    client = shared_redis()
    if client is None:
        return cache.get(key, 0)
    return int(client.get(key) or 0)


def seconds_left_in_window(seconds: int) -> int:
    return max(1, math.ceil(seconds - time.time() % seconds))


class ApiKeyRateThrottle(BaseThrottle):
    """Requests per API key (per user for sessions, per address otherwise). The rate is
    the API_THROTTLE_RATE setting, read per request so that it can change without a
    restart."""

    scope = "api_key"

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATE", DEFAULT_RATE)

    def allow_request(self, request, view):
        allowed, self.duration = parse_rate(self.get_rate())
        return count_in_window(self.get_ident_key(request), self.duration) <= allowed

    def wait(self):
        return seconds_left_in_window(self.duration)

    def get_ident_key(self, request) -> str:
        if request.auth is not None and hasattr(request.auth, "prefix"):
            return f"{self.scope}:key:{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return f"{self.scope}:user:{request.user.pk}"
        return f"{self.scope}:ip:{self.get_ident(request)}"
