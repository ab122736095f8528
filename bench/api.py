"""The partner API at scale: 100,000 organisations on Postgres, list pages of 100 through
gunicorn, with a partner's key.

    make bench-api                       # on services of its own (scripts/bench.sh)
    python bench/api.py -n 400           # on the DATABASE_URL in the environment

Seeds the organisations with `seed_bulk` when the database has fewer, makes a read key,
counts the queries of each case in-process, then starts gunicorn (sync workers,
persistent database connections) and requests each case `--requests` times over HTTP,
one request at a time, as a partner's synchronisation does. Cases walk the pages by
their `next` cursor, so deep pages are measured as well as the first.
Target: median under 25 ms, p99 under 60 ms.
Ends with `RESULT api_list_p50_ms=<n> api_list_p99_ms=<n> queries=<n>`.

Run by gunicorn (`api:application`), this module is the WSGI application: Django with
the API mounted at /api/v1/ even before alliance/urls.py includes it.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

from _support import (
    cpu_seconds,
    describe_machine,
    ensure_organisations,
    percentile,
    print_result,
    setup_django,
    start_gunicorn,
    stop_gunicorn,
    timed_gets,
)

os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("STATIC_MANIFEST", "0")
# Production redirects plain HTTP to HTTPS; here TLS ends in front of gunicorn, as it
# would behind a proxy, and each request says so.
os.environ.setdefault("BEHIND_PROXY", "1")
# One partner sending thousands of requests a minute: not what the throttle is for.
os.environ.setdefault("API_THROTTLE_RATE", "1000000/min")

CASES = [
    ("by name", "/api/v1/organisations/?page_size=100"),
    ("Brazil", "/api/v1/organisations/?page_size=100&country=BR"),
    ("trade unions", "/api/v1/organisations/?page_size=100&kind=union"),
    ("newest", "/api/v1/organisations/?page_size=100&ordering=-created_at"),
    # A CRM syncing what changed since its last run.
    ("recently updated", "/api/v1/organisations/?page_size=100&ordering=-updated_at"),
    ("memberships", "/api/v1/memberships/?page_size=100"),
    ("statements", "/api/v1/statements/?page_size=100"),
]


def mount_api() -> None:
    """Until the project's URLs include the API, serve the tests' URL module that does;
    until the settings read API_THROTTLE_RATE from the environment, set it here."""
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse

    settings.API_THROTTLE_RATE = os.environ["API_THROTTLE_RATE"]
    try:
        reverse("api:organisations")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.api.urls"


def measure(port: int, secret: str, start_url: str, requests: int) -> list[float]:
    """`requests` timed GETs, following `next` from `start_url` (back to it at the end)."""
    headers = {
        "Authorization": f"Bearer {secret}",
        "Host": "127.0.0.1",
        "X-Forwarded-Proto": "https",
    }
    return timed_gets(port, headers, start_url, requests, lambda page: page["next"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("-n", "--requests", type=int, default=300, help="per case")
    parser.add_argument("-w", "--workers", type=int, default=2, help="gunicorn workers")
    arguments = parser.parse_args()

    setup_django()
    mount_api()
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from alliance.core.api.models import ApiKey

    ensure_organisations(arguments.organisations)
    print(describe_machine())

    key, secret = ApiKey.issue(partner_name="Benchmark", scopes=["read"])

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    query_counts = {}
    for label, url in CASES:
        client.get(url, secure=True)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
        query_counts[label] = len(queries)
    cache.clear()

    from tests.fixtures.services import free_port

    port = free_port()
    server = start_gunicorn("api:application", port=port, workers=arguments.workers)
    try:
        all_samples, cpu_total = [], 0.0
        # CPU ms per request of the gunicorn workers: unlike latency, it does not move
        # with the neighbours' load on a shared machine.
        print(f"{'case':<20} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>8} {'queries':>8}")
        for label, url in CASES:
            measure(port, secret, url, 10)  # warm-up: workers connect, caches fill
            cpu_before = cpu_seconds(server.pid)
            samples = measure(port, secret, url, arguments.requests)
            cpu = (cpu_seconds(server.pid) - cpu_before) * 1000 / len(samples)
            all_samples += samples
            cpu_total += cpu * len(samples)
            print(
                f"{label:<20} {statistics.median(samples):>8.1f} "
                f"{percentile(samples, 0.99):>8.1f} {cpu:>8.1f} {query_counts[label]:>8}",
                flush=True,
            )
        print(describe_machine())
    finally:
        stop_gunicorn(server)
        key.delete()

    p50, p99 = statistics.median(all_samples), percentile(all_samples, 0.99)
    print(
        f"all cases: median {p50:.1f} ms, p99 {p99:.1f} ms (target < 25 ms, < 60 ms), "
        f"{cpu_total / len(all_samples):.1f} CPU ms per request"
    )
    print_result(
        api_list_p50_ms=round(p50, 1),
        api_list_p99_ms=round(p99, 1),
        queries=max(query_counts.values()),
    )


def _wsgi_application():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    mount_api()
    return application


if __name__ == "__main__":
    main()
else:
    application = _wsgi_application()
