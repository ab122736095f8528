"""The member directory at scale: 100,000 organisations on Postgres, pages of 50 read
through the whole Django stack (middleware, sessions, templates) with the test client.

    make bench-directory                  # on services of its own (scripts/bench.sh)
    python bench/directory.py -n 50       # on the DATABASE_URL in the environment

Seeds the organisations with `seed_bulk` when the database has fewer (reuses them
otherwise), then requests each case `--requests` times after a warm-up and prints the
median and p95 per case. Target: median under 80 ms, p95 under 200 ms. Then the
convenor's whole-alliance dashboard, its cached figures emptied before every request (the
worst case; `bench/dashboard.py` has the other cases). Ends with
`RESULT directory_p50_ms=... dashboard_p50_ms=... queries_per_page=...`.
"""

import argparse
import os
import re
import statistics
import time
from urllib.parse import urlencode

from _support import ensure_organisations, percentile, print_result, setup_django

# The test client talks to the app as host "testserver"; production settings only
# allow the hosts they are told about.
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# collectstatic does not run for benchmarks; production's manifest storage only adds a
# dictionary look-up per {% static %}, so plain storage measures the same pages.
os.environ.setdefault("STATIC_MANIFEST", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("-n", "--requests", type=int, default=40, help="per case")
    arguments = parser.parse_args()

    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from alliance.core.accounts.models import User
    from members.models import NationalAlliance

    ensure_organisations(arguments.organisations)

    convenor, _ = User.objects.get_or_create(
        email="bench.convenor@example.org", defaults={"is_convenor": True, "name": "Bench"}
    )
    alliance = NationalAlliance.objects.order_by("pk").first()
    coordinator, _ = User.objects.get_or_create(
        email="bench.coordinator@example.org", defaults={"name": "Bench coordinator"}
    )
    alliance.coordinators.add(coordinator)
    clients = {"convenor": Client(), "coordinator": Client(), "anonymous": Client()}
    clients["convenor"].force_login(convenor)
    clients["coordinator"].force_login(coordinator)

    second_page = _second_page(clients["convenor"], {"country": "BR"})
    cases = [
        ("convenor", "everything, by name", {}),
        ("convenor", "search 'Sao Paulo'", {"q": "Sao Paulo"}),
        ("convenor", "search 'justice' in Africa", {"q": "justice", "region": "africa"}),
        ("convenor", "Brazil, trade unions", {"country": "BR", "kind": "union"}),
        ("convenor", "Brazil, page 2", second_page),
        ("convenor", "south, newest first", {"south": "south", "sort": "newest"}),
        ("convenor", "focus area gender", {"focus": "gender"}),
        ("convenor", f"{alliance.slug}, applied", {"alliance": alliance.slug, "status": "applied"}),
        ("convenor", "by country, women's rights", {"sort": "country", "kind": "womens_rights"}),
        ("coordinator", "everything, by name", {}),
        ("coordinator", "search 'women'", {"q": "women"}),
        # Sparse: of all applications a coordinator sees only their own alliance's.
        ("coordinator", "applied (any alliance)", {"status": "applied"}),
        ("anonymous", "everything, by name", {}),
        ("anonymous", "search 'Sao Paulo'", {"q": "Sao Paulo"}),
    ]

    all_samples, most_queries = [], 0
    print(f"{'who':<12} {'case':<32} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'rows':>5}")
    for who, label, params in cases:
        client = clients[who]
        url = "/members/directory/?" + urlencode(params)
        for _ in range(3):
            client.get(url, secure=True)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, secure=True)
        # Now: the next request (request_started) empties the connection's query log.
        query_count = len(queries)
        assert response.status_code == 200, (url, response.status_code)
        rows = response.content.decode().count('<tr id="organisation-')
        samples = []
        for _ in range(arguments.requests):
            started = time.perf_counter()
            response = client.get(url, secure=True)
            samples.append((time.perf_counter() - started) * 1000)
        all_samples += samples
        most_queries = max(most_queries, query_count)
        print(
            f"{who:<12} {label:<32} {statistics.median(samples):>8.1f} "
            f"{percentile(samples, 0.95):>8.1f} {query_count:>8} {rows:>5}",
            flush=True,
        )

    p50, p95 = statistics.median(all_samples), percentile(all_samples, 0.95)
    print(f"all cases: median {p50:.1f} ms, p95 {p95:.1f} ms (target < 80 ms, < 200 ms)")

    from django.core.cache import cache

    dashboard = []
    for _ in range(max(5, arguments.requests // 4)):
        cache.clear()
        started = time.perf_counter()
        response = clients["convenor"].get("/members/dashboard/", secure=True)
        dashboard.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    print(
        f"dashboard, whole alliance, uncached: median {statistics.median(dashboard):.1f} ms, "
        f"p95 {percentile(dashboard, 0.95):.1f} ms"
    )
    print_result(
        directory_p50_ms=round(p50, 1),
        dashboard_p50_ms=round(statistics.median(dashboard), 1),
        queries_per_page=most_queries,
    )


def _second_page(client, params: dict) -> dict:
    """The filters of `params` with the cursor of their first page's "next" link."""
    response = client.get("/members/directory/?" + urlencode(params), secure=True)
    cursor = re.search(r'rel="next" href="[^"]*after=([^"&]+)"', response.content.decode())
    return {**params, "after": cursor.group(1)} if cursor else params


if __name__ == "__main__":
    main()
