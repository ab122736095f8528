"""A burst of public signatures, and a crowd reading the statement page.

    make bench-signing                   # on services of its own (scripts/bench.sh)
    python bench/signing.py -d 10        # on the DATABASE_URL in the environment

1. A statement open to any organisation, without moderation; gunicorn (4 sync workers,
   persistent database connections) serves the application; wrk (bench/signing.lua)
   posts public signatures, each for a new organisation with its own address, for
   `--duration` seconds, reusing one CSRF token and its cookie fetched from the public
   form page. An accepted submission is a 303 to "check your email": the request has
   written its one row (a PublicSubmission). Then the database is asked whether every
   accepted submission exists exactly once.

   Where the processing runs: not during the burst. The requests queue a wake-up of the
   processor (at most one a second per process) but no Celery worker runs while the burst is
   measured: in production workers run on machines of their own, and here they would
   take the web server's two cores. After the burst, this script calls the processor
   in-process (`process_public_submissions`, what the task runs) until nothing is
   pending, prints its rate and CPU per submission, and checks that every accepted
   submission became exactly one Signature (its organisation new, its confirmation
   email an outbox row; the emails are not sent).
2. The floor: the row a submission writes (one PublicSubmission), written by the
   smallest WSGI application (bench/_signing_floor.py) under the same gunicorn and the
   same load.
3. A published statement with 50,000 signatories, read by a crowd of anonymous visitors
   for `--read-duration` seconds over HTTPS through nginx (deploy/nginx's configuration,
   as tests/fixtures/nginx.py runs it, worker_processes auto as in the official image)
   in front of gunicorn with production's command line (docker-compose.yml's `web`,
   access log on); then the same crowd straight at gunicorn, the baseline. How many
   requests reached Django is counted from gunicorn's access log. `--only-page` runs
   this part alone; `--only-signing` runs parts 1 and 2 alone.

Targets: 800 accepted signatures/s, p99 under 100 ms, at least half the floor, nothing
lost or duplicated; 10,000 page reads/s through nginx with p99 under 20 ms. Ends with
`RESULT signing_per_s=<n> p99_ms=<n> floor_per_s=<n> ratio=<r> lost=<n> duplicated=<n>`
and `RESULT statement_page_per_s=<n> statement_page_p99_ms=<n> django_renders=<n>
direct_per_s=<n> direct_p99_ms=<n>`.

Run by gunicorn (`signing:application`), this module is the WSGI application:
alliance.wsgi's, with the public signing limits per address raised (every request
comes from 127.0.0.1).
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _support import (
    RESULTS,
    ROOT,
    cpu_seconds,
    describe_machine,
    print_result,
    setup_django,
    start_gunicorn,
    start_production_gunicorn,
    stop_gunicorn,
)

os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("STATIC_MANIFEST", "0")
# Production redirects plain HTTP to HTTPS; here TLS ends in front of gunicorn, as it
# would behind a proxy, and each request says so.
os.environ.setdefault("BEHIND_PROXY", "1")

WORKERS = 4
CONNECTIONS = 16
SIGNATORIES = 50_000
LUA = ROOT / "bench" / "signing.lua"


def raise_signing_limits() -> None:
    """Every submission here comes from 127.0.0.1: over the limit per IP address they
    would be kept but marked for moderation. The processor still counts them (the cost
    measured is production's); only the limits are out of reach. Settings are read at
    call time."""
    from django.conf import settings

    settings.PUBLIC_SIGNING_LIMITS = {
        **settings.PUBLIC_SIGNING_LIMITS,
        "ip": 10**9,
        "email": 10**9,
    }


def https_headers(port: int) -> dict:
    return {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https"}


def csrf_pair(port: int, path: str) -> tuple[str, str]:
    """One form token and the cookie it goes with, from one GET of the public page."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=https_headers(port))
    response = connection.getresponse()
    page = response.read().decode()
    assert response.status == 200, (response.status, page[:300])
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return token, cookie


def run_wrk(url: str, seconds: int, env: dict) -> dict:
    """wrk with bench/signing.lua; the figures its `done` prints."""
    finished = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            url,
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    if finished.returncode != 0:
        sys.exit(f"wrk failed: {finished.stdout}{finished.stderr}")
    output = finished.stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    return {key: float(value) for key, value in (item.split("=") for item in line.split()[1:])}


def describe(label: str, figures: dict) -> float:
    rate = figures["accepted"] / figures["seconds"]
    errors = sum(
        figures[name] for name in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    print(
        f"{label}: {figures['accepted']:.0f} accepted in {figures['seconds']:.1f} s = "
        f"{rate:.0f}/s, median {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
        f"{figures['refused']:.0f} refused, {errors:.0f} socket errors",
        flush=True,
    )
    return rate


def open_statement(title: str):
    from statements.models import Statement, StatementText, StatementVersion

    statement = Statement.objects.create(
        status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE, moderation=False
    )
    version = StatementVersion.objects.create(statement=statement, number=1)
    StatementText.objects.create(
        version=version,
        language="en",
        title=title,
        summary="As elites meet at Davos.",
        body="62 people own the same wealth as **half the world**.",
    )
    return statement, version


def count_rows(model, statement, run: str) -> tuple[int, int]:
    """(distinct submissions found, rows beyond one per submission) of one wrk run, in
    the table of `model` (PublicSubmission or Signature): each submission has its own
    address."""
    from django.db.models import Count

    per_email = (
        model.objects.filter(statement=statement, email__startswith=f"bench-{run}-")
        .values("email")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    counts = list(per_email)
    return len(counts), sum(n - 1 for n in counts)


def print_cpu_per_request(cpu: float, figures: dict) -> None:
    """gunicorn's CPU (master and workers) per accepted request: on a shared machine it
    moves far less than the rate, so compare versions of the code with it."""
    print(
        f"  gunicorn CPU per request: {1000 * cpu / max(figures['accepted'], 1):.3f} ms "
        f"({describe_machine()})",
        flush=True,
    )


def drain(statement, run: str, submitted: int) -> tuple[int, int]:
    """Run the processor in this process until no submission is pending; print its rate
    and CPU per submission (this process only: PostgreSQL's share is not counted). Returns
    (submissions without exactly one signature, signatures beyond one per submission)."""
    from statements import services
    from statements.models import PublicSubmission, Signature

    pending = PublicSubmission.objects.filter(status=PublicSubmission.Status.RECEIVED).count()
    started, cpu_started = time.perf_counter(), time.process_time()
    processed = services.process_public_submissions()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    failed = PublicSubmission.objects.filter(
        statement=statement, status=PublicSubmission.Status.FAILED
    ).count()
    print(
        f"processing after the burst (in-process): {processed} of {pending} pending in "
        f"{seconds:.1f} s = {processed / seconds:.0f}/s, "
        f"{1000 * cpu / max(processed, 1):.2f} ms CPU each (Python side), {failed} failed",
        flush=True,
    )
    signed, duplicated = count_rows(Signature, statement, run)
    missing = max(0, submitted - signed)
    print(f"  signatures: {signed} made, {missing} missing, {duplicated} duplicated")
    return missing, duplicated


def add_signatories(statement, version, how_many: int) -> None:
    """Confirmed signatures of new organisations of a dozen countries and every kind, one
    in ten unlisted; then the tables' statistics, as autovacuum would gather them soon
    after such a burst (without them the planner takes 50,000 rows for one)."""
    from django.db import connection
    from django.utils import timezone

    from members.models import Organisation
    from statements.models import Signature

    countries = ["UG", "KE", "BR", "IN", "ZA", "FR", "MX", "PH", "NG", "GB", "PE", "BD"]
    kinds = Organisation.Kind.values
    prefix = secrets.token_hex(3)
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Signatory {prefix} {n:05d}",
                slug=f"signatory-{prefix}-{n:05d}",
                country=countries[n % len(countries)],
                kind=kinds[n // len(countries) % len(kinds)],
            )
            for n in range(how_many)
        ],
        batch_size=5000,
    )
    now = timezone.now()
    Signature.objects.bulk_create(
        [
            Signature(
                statement=statement,
                organisation=organisation,
                version=version,
                signatory_name=f"Person {n}",
                email=f"person{n}@{prefix}.example.org",
                email_verified_at=now,
                status=Signature.Status.CONFIRMED,
                listed_publicly=n % 10 != 0,
                token=secrets.token_urlsafe(24),
            )
            for n, organisation in enumerate(organisations)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Organisation._meta.db_table}, {Signature._meta.db_table}")


def read_the_page(port: int, seconds: int) -> dict:
    """A published statement with 50,000 signatories read by a crowd of anonymous
    visitors for `seconds` through nginx in front of production's gunicorn, then straight
    at gunicorn: the figures of both, how many requests reached Django through nginx, and
    the CPU time (gunicorn's, and nginx's) per read, steadier than the rate on a shared
    machine."""
    from django.db import connection

    from statements import services
    from statements.counting import recount_signatures
    from tests.fixtures.nginx import Nginx

    statement, version = open_statement("Benchmark: a crowd reading")
    print(f"Adding {SIGNATORIES:,} signatories ...", flush=True)
    add_signatories(statement, version, SIGNATORIES)
    services.publish(statement=statement)
    recount_signatures()
    connection.close()
    path = statement.get_absolute_url()
    access_log = RESULTS / f"gunicorn-access-{os.getpid()}.log"
    server = start_production_gunicorn(port=port, log_path=access_log)
    proxy = Nginx(
        upstream=f"127.0.0.1:{port}",
        directory=RESULTS / f"nginx-{os.getpid()}",
        static_root=Path(os.environ.get("STATIC_ROOT", ROOT / "staticfiles")),
        worker_processes="auto",
    )
    proxy.start()
    read = {"BENCH_MODE": "read"}
    try:
        url = f"https://127.0.0.1:{proxy.https_port}{path}"
        run_wrk(url, 2, read)  # the first render, and TLS sessions
        reached_before = _lines(access_log, path)
        cpu_before = cpu_seconds(server.pid), cpu_seconds(proxy.process.pid)
        reading = run_wrk(url, seconds, read)
        cpu = (
            cpu_seconds(server.pid) - cpu_before[0],
            cpu_seconds(proxy.process.pid) - cpu_before[1],
        )
        reached = _lines(access_log, path) - reached_before
        direct_url = f"http://127.0.0.1:{port}{path}"
        run_wrk(direct_url, 2, read)
        direct_cpu_before = cpu_seconds(server.pid)
        direct = run_wrk(direct_url, seconds, read)
        direct_cpu = cpu_seconds(server.pid) - direct_cpu_before
    finally:
        proxy.stop()
        stop_gunicorn(server)
    describe(f"the public page of {SIGNATORIES:,} signatories, through nginx (HTTPS)", reading)
    print(
        f"  reached Django: {reached} of {reading['requests']:.0f} requests in "
        f"{reading['seconds']:.0f} s (max-age 5 s: at most one every 5 s per language)",
        flush=True,
    )
    requests = max(reading["requests"], 1)
    print(
        f"  CPU per read: gunicorn {cpu[0] * 1000 / requests:.3f} ms, "
        f"nginx {cpu[1] * 1000 / requests:.3f} ms ({describe_machine()})",
        flush=True,
    )
    describe("baseline: the same crowd straight at gunicorn (no nginx)", direct)
    print(
        f"  gunicorn CPU per read: {direct_cpu * 1000 / max(direct['requests'], 1):.3f} ms",
        flush=True,
    )
    return {"reading": reading, "reached": reached, "direct": direct}


def _lines(log: Path, path: str) -> int:
    with open(log, "rb") as lines:
        return sum(1 for line in lines if path.encode() in line)


def print_page_result(figures: dict) -> None:
    reading, direct = figures["reading"], figures["direct"]
    print_result(
        statement_page_per_s=round(reading["accepted"] / reading["seconds"]),
        statement_page_p99_ms=round(reading["p99_ms"], 1),
        django_renders=figures["reached"],
        direct_per_s=round(direct["accepted"] / direct["seconds"]),
        direct_p99_ms=round(direct["p99_ms"], 1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--duration", type=int, default=60, help="seconds of signing")
    parser.add_argument("--read-duration", type=int, default=30, help="seconds of reading")
    parser.add_argument(
        "--only-page", action="store_true", help="only the crowd reading the statement page"
    )
    parser.add_argument(
        "--only-signing",
        action="store_true",
        help="only the burst of signatures and its floor, not the crowd reading the page",
    )
    arguments = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    setup_django()
    from django.urls import reverse

    from statements.models import PublicSubmission
    from tests.fixtures.services import free_port

    print(describe_machine())
    print(f"gunicorn {WORKERS} sync workers, wrk 1 thread {CONNECTIONS} connections, on loopback")
    if arguments.only_page:
        print_page_result(read_the_page(free_port(), arguments.read_duration))
        return
    statement, version = open_statement("Benchmark: a burst of signatures")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sign_path = reverse("statements:sign_publicly", kwargs={"slug": statement.slug})

    server = start_gunicorn("signing:application", port=port, workers=WORKERS)
    try:
        token, cookie = csrf_pair(port, sign_path)
        load = {
            "BENCH_TOKEN": token,
            "BENCH_COOKIE": cookie,
            "BENCH_ORIGIN": f"https://127.0.0.1:{port}",
        }
        sign_url = f"{base}{sign_path}"
        run_wrk(sign_url, 3, {**load, "BENCH_RUN": "warmup"})
        run = secrets.token_hex(3)
        cpu_before = cpu_seconds(server.pid)
        signing = run_wrk(sign_url, arguments.duration, {**load, "BENCH_RUN": run})
        signing_cpu = cpu_seconds(server.pid) - cpu_before
    finally:
        stop_gunicorn(server)
    signing_rate = describe("signing through the application", signing)
    print_cpu_per_request(signing_cpu, signing)
    found, duplicated = count_rows(PublicSubmission, statement, run)
    lost = max(0, int(signing["accepted"]) - found)
    print(f"  in the database: {found} submissions, {lost} lost, {duplicated} duplicated")
    not_signed, signed_twice = drain(statement, run, found)
    lost += not_signed
    duplicated += signed_twice

    floor_statement, floor_version = open_statement("Benchmark: the floor")
    server = start_gunicorn(
        "_signing_floor:application",
        port=port,
        workers=WORKERS,
        env={"BENCH_STATEMENT": str(floor_statement.pk)},
    )
    try:
        floor_run = secrets.token_hex(3)
        cpu_before = cpu_seconds(server.pid)
        floor = run_wrk(f"{base}/", arguments.duration, {"BENCH_RUN": floor_run})
        floor_cpu = cpu_seconds(server.pid) - cpu_before
    finally:
        stop_gunicorn(server)
    floor_rate = describe("floor: the same row from a bare WSGI application", floor)
    print_cpu_per_request(floor_cpu, floor)
    ratio = signing_rate / floor_rate if floor_rate else 0

    if not arguments.only_signing:
        page = read_the_page(port, arguments.read_duration)

    print(
        "targets: 800 signatures/s, p99 < 100 ms, ratio >= 0.5, nothing lost or duplicated; "
        "10,000 page reads/s through nginx, p99 < 20 ms"
    )
    print_result(
        signing_per_s=round(signing_rate),
        p99_ms=round(signing["p99_ms"], 1),
        floor_per_s=round(floor_rate),
        ratio=round(ratio, 2),
        lost=lost,
        duplicated=duplicated,
    )
    if not arguments.only_signing:
        print_page_result(page)


def _wsgi_application():
    """alliance.wsgi.application, as production runs it."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    from alliance.wsgi import application

    raise_signing_limits()
    return application


if __name__ == "__main__":
    main()
else:
    application = _wsgi_application()
