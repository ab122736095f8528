"""The OSDI layer at scale: 100,000 organisations and a petition with 50,000 signatures
on Postgres, pages of 25 through gunicorn, with a partner's key in OSDI-API-Token.

    make bench-osdi                      # on services of its own (scripts/bench.sh)
    python bench/osdi.py -n 300          # on the DATABASE_URL in the environment

Seeds the organisations (with their contacts) with `seed_bulk` when the database has
fewer, and a published petition signed by 50,000 of them (one in ten counted without
the name) when there is none; makes a key with read and read:contacts, counts each
case's queries in-process, then starts gunicorn as production runs it and requests each case
`--requests` times over HTTP, one at a time: the first page, page 100 (OFFSET 2,475),
and a walk by `_links.next` from the first page as an OSDI client's synchronisation
does (pages 1 to 300).
Target: median under 25 ms for a page of 25 people and of 25 signatures (the first
page; the deeper pages are printed beside it).
Ends with `RESULT osdi_people_p50_ms=<n> osdi_signatures_p50_ms=<n> queries=<n>`.

gunicorn runs with production's command line (docker-compose.yml's `web`).
"""

import argparse
import os
import secrets
import statistics

from _support import (
    RESULTS,
    cpu_seconds,
    describe_machine,
    ensure_organisations,
    percentile,
    print_result,
    setup_django,
    start_production_gunicorn,
    stop_gunicorn,
    timed_gets,
)

os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("BEHIND_PROXY", "1")
os.environ.setdefault("API_THROTTLE_RATE", "1000000/min")

SIGNATURES = 50_000
TITLE = "Benchmark: OSDI signatures"


def ensure_petition(signatures: int) -> int:
    """A published petition with `signatures` confirmed signatures of existing
    organisations (one in ten counted without the name), made once."""
    from django.db import connection
    from django.utils import timezone

    from members.models import Organisation
    from statements.counting import recount_signatures
    from statements.models import Signature, Statement, StatementText, StatementVersion

    text = StatementText.objects.filter(title=TITLE).select_related("version").first()
    if text is not None:
        return text.version.statement_id
    print(f"Adding a petition with {signatures:,} signatures ...", flush=True)
    now = timezone.now()
    statement = Statement.objects.create(
        status=Statement.Status.PUBLISHED,
        audience=Statement.Audience.ANYONE,
        published_at=now,
    )
    version = StatementVersion.objects.create(statement=statement, number=1)
    StatementText.objects.create(
        version=version, language="en", title=TITLE, body="62 people own half the world."
    )
    organisations = Organisation.objects.order_by("id").values_list("id", flat=True)[:signatures]
    Signature.objects.bulk_create(
        [
            Signature(
                statement=statement,
                organisation_id=organisation_id,
                version=version,
                signatory_name=f"Person {n}",
                email=f"person{n}@osdi-bench.example.org",
                email_verified_at=now,
                status=Signature.Status.CONFIRMED,
                listed_publicly=n % 10 != 0,
                token=secrets.token_urlsafe(24),
            )
            for n, organisation_id in enumerate(organisations)
        ],
        batch_size=5000,
    )
    recount_signatures()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Organisation._meta.db_table}, {Signature._meta.db_table}")
    return statement.pk


def cases(petition: int) -> list[tuple[str, str, bool]]:
    """(label, URL, whether to walk the pages by `next` from it)."""
    signatures = f"/osdi/v1/petitions/{petition}/signatures"
    return [
        ("people", "/osdi/v1/people", False),
        ("signatures", signatures, False),
        ("people p100", "/osdi/v1/people?page=100", False),
        ("signatures p100", f"{signatures}?page=100", False),
        ("people walk", "/osdi/v1/people", True),
        ("signatures walk", signatures, True),
        ("people since", "/osdi/v1/people?filter=modified_date%20gt%20%272000-01-01%27", False),
        ("petitions", "/osdi/v1/petitions", False),
    ]


def measure(port: int, secret: str, start_url: str, requests: int, walk: bool) -> list[float]:
    """`requests` timed GETs of `start_url`, or following `_links.next` from it."""
    headers = {"OSDI-API-Token": secret, "Host": "127.0.0.1", "X-Forwarded-Proto": "https"}

    def next_url(page: dict) -> str | None:
        following = page["_links"].get("next") if walk else None
        return following["href"] if following else None

    return timed_gets(port, headers, start_url, requests, next_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--signatures", type=int, default=SIGNATURES)
    parser.add_argument("-n", "--requests", type=int, default=300, help="per case")
    arguments = parser.parse_args()

    setup_django()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from alliance.core.api.models import ApiKey

    settings.API_THROTTLE_RATE = os.environ["API_THROTTLE_RATE"]
    ensure_organisations(arguments.organisations)
    petition = ensure_petition(arguments.signatures)
    print(describe_machine())

    key, secret = ApiKey.issue(partner_name="OSDI benchmark", scopes=["read", "read:contacts"])
    client = APIClient()
    client.credentials(HTTP_OSDI_API_TOKEN=secret)
    query_counts, totals = {}, {}
    for label, url, _walk in cases(petition):
        client.get(url, secure=True)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
        query_counts[label] = len(queries)
        totals[label] = response.json()["total_records"]
    cache.clear()

    from tests.fixtures.services import free_port

    port = free_port()
    # Production's command line (docker-compose.yml's `web`): bench/ holds a module named
    # osdi too, so gunicorn runs from the project's root, not from bench/.
    server = start_production_gunicorn(
        port=port, log_path=RESULTS / f"osdi-gunicorn-{os.getpid()}.log"
    )
    medians = {}
    try:
        print(
            f"{'case':<14} {'records':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>8} {'queries':>8}"
        )
        for label, url, walk in cases(petition):
            measure(port, secret, url, 10, walk)  # warm-up
            cpu_before = cpu_seconds(server.pid)
            samples = measure(port, secret, url, arguments.requests, walk)
            cpu = (cpu_seconds(server.pid) - cpu_before) * 1000 / len(samples)
            medians[label] = statistics.median(samples)
            print(
                f"{label:<14} {totals[label]:>8,} {medians[label]:>8.1f} "
                f"{percentile(samples, 0.99):>8.1f} {cpu:>8.1f} {query_counts[label]:>8}",
                flush=True,
            )
        print(describe_machine())
    finally:
        stop_gunicorn(server)
        key.delete()

    print_result(
        osdi_people_p50_ms=round(medians["people"], 1),
        osdi_signatures_p50_ms=round(medians["signatures"], 1),
        queries=max(query_counts.values()),
    )


if __name__ == "__main__":
    main()
