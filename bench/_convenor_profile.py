"""Where one convenor page's time goes, in-process: bench/convenor.py's data and people,
Django's test client, production's settings.

    python bench/_convenor_profile.py tracking            # ms of Python per request
    python bench/_convenor_profile.py directory --profile # and cProfile's top functions
    python bench/_convenor_profile.py dashboard --queries # and each query with its time

Cases: statement, tracking, directory, directory-coordinator, dashboard, api. Run
bench/convenor.py once first (it seeds the data and is reused here).
"""

import argparse
import cProfile
import os
import pstats
import time

from _support import setup_django

os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("STATIC_MANIFEST", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case")
    parser.add_argument("-n", type=int, default=20, help="requests measured")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--queries", action="store_true")
    arguments = parser.parse_args()
    setup_django()

    import convenor
    from django.db import connection
    from django.db.models import Count, Q
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from rest_framework.test import APIClient

    from alliance.core.api.models import ApiKey
    from members.models import NationalAlliance
    from statements.models import Statement

    statement = Statement.objects.get(versions__texts__title=convenor.STATEMENT_TITLE)
    alliance = (
        NationalAlliance.objects.annotate(
            members=Count("memberships", filter=Q(memberships__status="approved"))
        )
        .order_by("-members")
        .first()
    )
    who = "convenor"
    paths = {
        "statement": [statement.get_absolute_url()],
        "tracking": [reverse("statements:tracking", kwargs={"slug": statement.slug})],
        "directory": convenor.directory_paths(alliance.slug),
        "directory-coordinator": convenor.coordinator_paths(alliance.slug),
        "dashboard": ["/members/dashboard/"],
        "dashboard-alliance": [f"/members/dashboard/?alliance={alliance.slug}"],
        "api": [
            "/api/v1/organisations/?page_size=100",
            "/api/v1/organisations/?page_size=100&country=BR",
            "/api/v1/organisations/?page_size=100&ordering=-updated_at",
        ],
    }[arguments.case]
    if arguments.case == "api":
        key = ApiKey.issue(partner_name="Benchmark profile", scopes=["read"])[1]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    else:
        if arguments.case == "directory-coordinator":
            who = "coordinator"
        user = convenor.person(f"bench.{who}@example.org")
        client = convenor.signed_in(user)[0]
    for path in paths:  # warm: first renders, caches
        assert client.get(path, secure=True).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(paths[0], secure=True)
    print(f"{len(queries)} queries for {paths[0]}")
    if arguments.queries:
        for query in queries:
            print(f"  {query['time']} s  {query['sql'][:300]}")
    profiler = cProfile.Profile() if arguments.profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for n in range(arguments.n):
        client.get(paths[n % len(paths)], secure=True)
    if profiler:
        profiler.disable()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{arguments.case}: {1000 * cpu / arguments.n:.1f} ms of Python CPU per request, "
        f"{1000 * seconds / arguments.n:.1f} ms wall ({os.getloadavg()[0]:.1f} load)"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    if arguments.case == "api":
        ApiKey.objects.filter(partner_name="Benchmark profile").delete()


if __name__ == "__main__":
    main()
