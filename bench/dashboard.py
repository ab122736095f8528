"""The diversity dashboard at scale: 100,000 organisations on Postgres, the page read
through the whole Django stack (middleware, sessions, templates) with the test client.

    make bench-dashboard                  # on services of its own (scripts/bench.sh)
    python bench/dashboard.py -n 20       # on the DATABASE_URL in the environment

Seeds the organisations with `seed_bulk` when the database has fewer (reuses them
otherwise), then requests each case `--requests` times after a warm-up and prints the
median and p95 per case. Target: well under a second. The RESULT line counts the
cold dashboard pages only (groups counted again on every request). Ends with
`RESULT dashboard_p50_ms=... dashboard_p95_ms=... queries_per_page=...`.
"""

import argparse
import os
import statistics
import time

from _support import describe_machine, ensure_organisations, percentile, print_result, setup_django

# The test client talks to the app as host "testserver"; production settings only
# allow the hosts they are told about.
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# collectstatic does not run for benchmarks: plain storage measures the same pages.
os.environ.setdefault("STATIC_MANIFEST", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("-n", "--requests", type=int, default=20, help="per case")
    arguments = parser.parse_args()

    setup_django()
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from alliance.core.accounts.models import User
    from members.models import NationalAlliance

    ensure_organisations(arguments.organisations)
    print(describe_machine())

    convenor, _ = User.objects.get_or_create(
        email="bench.convenor@example.org", defaults={"is_convenor": True, "name": "Bench"}
    )
    largest = (
        NationalAlliance.objects.annotate(
            members=Count("memberships", filter=Q(memberships__status="approved"))
        )
        .order_by("-members")
        .first()
    )
    client = Client()
    client.force_login(convenor)
    # (label, url, cold): cold cases empty the cache before each request, so that the
    # groups are counted again (as after any new membership or decision).
    cases = [
        ("whole alliance, cold", "/members/dashboard/", True),
        ("whole alliance, cached groups", "/members/dashboard/", False),
        (
            f"{largest.slug} ({largest.members:,}), cold",
            f"/members/dashboard/?alliance={largest.slug}",
            True,
        ),
        ("whole alliance, CSV, cold", "/members/dashboard/export.csv", True),
        ("alliance page", f"/members/alliances/{largest.slug}/", False),
        ("alliances list", "/members/alliances/", False),
    ]

    dashboard_samples, most_queries = [], 0
    print(f"{'case':<40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for label, url, cold in cases:
        for _ in range(2):
            client.get(url, secure=True)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, secure=True)
        # Now: the next request (request_started) empties the connection's query log.
        query_count = len(queries)
        assert response.status_code == 200, (url, response.status_code)
        samples = []
        for _ in range(arguments.requests):
            if cold:
                cache.clear()
            started = time.perf_counter()
            client.get(url, secure=True)
            samples.append((time.perf_counter() - started) * 1000)
        if cold and not url.endswith(".csv"):
            dashboard_samples += samples
            most_queries = max(most_queries, query_count)
        print(
            f"{label:<40} {statistics.median(samples):>8.1f} "
            f"{percentile(samples, 0.95):>8.1f} {query_count:>8}",
            flush=True,
        )

    p50 = statistics.median(dashboard_samples)
    p95 = percentile(dashboard_samples, 0.95)
    print(f"dashboard pages, cold: median {p50:.1f} ms, p95 {p95:.1f} ms (target: well under 1 s)")
    print_result(
        dashboard_p50_ms=round(p50, 1),
        dashboard_p95_ms=round(p95, 1),
        queries_per_page=most_queries,
    )


if __name__ == "__main__":
    main()
