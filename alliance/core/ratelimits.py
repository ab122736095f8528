"""Counting for the rate limits: the partner API's requests per key (a counter per
period) and public signing's submissions per statement, address and email (a set per
window). One Redis client per process, from redis-py's public API; where there is no
Redis (tests on SQLite, nothing shared between processes), Django's cache does the same
counting more slowly."""

import functools
import time

import redis
from django.conf import settings
from django.core.cache import cache


@functools.cache
def _client(url: str) -> redis.Redis:
    # One client and connection pool per process, not one per call.
    return redis.Redis.from_url(url)


def shared_redis() -> redis.Redis | None:
    """The Redis of REDIS_URL, or None where there is none."""
    url = getattr(settings, "REDIS_URL", "")
    return _client(url) if url else None


# --- Counters: requests in a period -----------------------------------------------------


def _counter_key(name: str) -> str:
    return f"api:count:{name}"


def count_request(name: str, period: int) -> int:
    """Add one to the counter `name`, which starts at the first request and lasts `period`
    seconds; return its count. One round trip."""
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


# --- Sets: the members counted in a window ------------------------------------------------

# For each key (KEYS[i]) with its member, limit and expiry time (ARGV[3i-2..3i]): 0 if the
# member is in the set or is added to it (the set holding fewer than the limit), 1 if the
# set is full. Atomic: a script runs alone.
_COUNT_IN_SETS = """
local over = {}
for i = 1, #KEYS do
    local member, limit = ARGV[3 * i - 2], tonumber(ARGV[3 * i - 1])
    if redis.call('SISMEMBER', KEYS[i], member) == 1 then
        over[i] = 0
    elseif redis.call('SCARD', KEYS[i]) < limit then
        redis.call('SADD', KEYS[i], member)
        redis.call('EXPIREAT', KEYS[i], ARGV[3 * i])
        over[i] = 0
    else
        over[i] = 1
    end
end
return over
"""


@functools.cache
def _count_in_sets_script(client: redis.Redis):
    return client.register_script(_COUNT_IN_SETS)


def count_in_sets(counters: list[tuple[str, str, int, int]]) -> list[bool]:
    """For each (key, member, limit, expires at): whether the member is over the limit.
    A member counted again (a batch processed again) is found, never counted twice; a set
    never holds more than its limit. One round trip on Redis."""
    if not counters:
        return []
    client = shared_redis()
    if client is not None:
        script = _count_in_sets_script(client)
        keys = [key for key, *_ in counters]
        arguments = [value for _, *values in counters for value in values]
        return [bool(flag) for flag in script(keys=keys, args=arguments)]
    over = []
    for key, member, limit, expires_at in counters:
        members = cache.get(key, set())
        if member not in members and len(members) >= limit:
            over.append(True)
            continue
        members.add(member)
        cache.set(key, members, timeout=max(1, expires_at - int(time.time())))
        over.append(False)
    return over
