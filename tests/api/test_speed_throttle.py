"""The per-key throttle counts in one Redis round trip (alliance/core/api/throttling.py), and
its allowance starts again once its period is over."""

import time

import pytest
from redis.connection import Connection

from alliance.core import ratelimits
from alliance.core.api.scopes import Scope


@pytest.mark.django_db
def test_throttled_key_is_served_again_once_its_period_is_over(api, make_key, settings):
    settings.API_THROTTLE_RATE = "2/sec"
    key = make_key(Scope.READ)
    statuses = [api(key).get("/api/v1/focus-areas/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]

    time.sleep(1.1)

    assert api(key).get("/api/v1/focus-areas/").status_code == 200


@pytest.fixture
def redis_client():
    client = ratelimits.shared_redis()
    if client is None:
        pytest.skip("needs REDIS_URL (the in-memory cache has no round trips to count)")
    return client


def test_counting_a_request_is_one_round_trip_and_the_counter_expires(redis_client, monkeypatch):
    redis_client.delete("api:count:test:one-trip")
    sent = []
    original = Connection.send_packed_command

    def counting(connection, command, *args, **kwargs):
        sent.append(command)
        return original(connection, command, *args, **kwargs)

    monkeypatch.setattr(Connection, "send_packed_command", counting)

    counts = [ratelimits.count_request("test:one-trip", 60) for _ in range(3)]

    assert counts == [1, 2, 3]
    assert len(sent) == 3
    assert 0 < redis_client.ttl("api:count:test:one-trip") <= 60
    redis_client.delete("api:count:test:one-trip")
