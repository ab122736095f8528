"""Directory bulk actions at scale: 100,000 organisations on Postgres.

    make bench-bulk                  # on services of its own (scripts/bench.sh)
    python bench/bulk.py             # on the DATABASE_URL in the environment

Times the confirm page's preview (the counts of "all matching", for a convenor and a
coordinator) through the whole Django stack, then one "add a focus area" to every
organisation matching a filter, run as the task runs it (in this process), and ends with
`RESULT bulk_preview_p50_ms=... bulk_tag_rows=... bulk_tag_seconds=...`.
"""

import argparse
import os
import time
import uuid

from _support import describe_machine, ensure_organisations, percentile, print_result, setup_django

os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("STATIC_MANIFEST", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("-n", "--requests", type=int, default=10, help="per case")
    arguments = parser.parse_args()

    setup_django()
    from django.conf import settings
    from django.test import Client

    from alliance.core.accounts.models import User
    from members import bulk
    from members.models import FocusArea, NationalAlliance

    ensure_organisations(arguments.organisations)
    print(describe_machine())
    convenor, _ = User.objects.get_or_create(
        email="bench.convenor@example.org", defaults={"is_convenor": True, "name": "Bench"}
    )
    alliance = NationalAlliance.objects.order_by("pk").first()
    coordinator, _ = User.objects.get_or_create(
        email="bench.coordinator@example.org", defaults={"name": "Bench coordinator"}
    )
    alliance.coordinators.add(coordinator)
    focus, _ = FocusArea.objects.get_or_create(slug="bench-bulk", defaults={"name": "Bench"})
    clients = {"convenor": Client(), "coordinator": Client()}
    clients["convenor"].force_login(convenor)
    clients["coordinator"].force_login(coordinator)

    cases = [
        ("convenor", "all", ""),
        ("convenor", "Brazil", "country=BR"),
        ("convenor", "south, women's rights", "south=south&kind=womens_rights"),
        ("coordinator", "all", ""),
        ("coordinator", "search 'women'", "q=women"),
    ]
    samples = []
    print(f"{'who':<12} {'preview of all matching':<26} {'p50 ms':>8} {'p95 ms':>8}")
    for who, label, query in cases:
        params = {"action": "focus_add", "target": focus.pk, "all": "1", "filter": query}
        timings = []
        for n in range(arguments.requests + 1):
            started = time.perf_counter()
            response = clients[who].get("/members/directory/bulk/", params, secure=True)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.status_code
            if n:  # the first is a warm-up
                timings.append(elapsed)
        samples += timings
        print(
            f"{who:<12} {label:<26} {percentile(timings, 0.5):>8.0f} "
            f"{percentile(timings, 0.95):>8.0f}"
        )

    # One action on many rows, as the worker runs it: all in one transaction.
    settings.BULK_TASK_THRESHOLD = 0
    focus.organisations.clear()
    from django.db import transaction

    with transaction.atomic():
        queued = bulk.act(
            actor=convenor,
            action=bulk.get_action("focus_add"),
            target=focus,
            selection=bulk.Selection(query="south=south"),
            key=uuid.uuid4(),
        )
    started = time.perf_counter()
    assert bulk.run_bulk_action(bulk_id=queued.pk) == "done"
    seconds = time.perf_counter() - started
    queued.refresh_from_db()
    print(f"focus area added to {queued.changed_count:,} organisations in {seconds:.1f} s")
    print_result(
        bulk_preview_p50_ms=round(percentile(samples, 0.5)),
        bulk_tag_rows=queued.changed_count,
        bulk_tag_seconds=round(seconds, 1),
    )


if __name__ == "__main__":
    main()
