"""A burst of public signatures, and a crowd reading the statement page.

    make bench-signing                   # on services of its own (scripts/bench.sh)
    python bench/signing.py -d 10        # on the DATABASE_URL in the environment

1. A statement open to any organisation, without moderation; gunicorn (4 sync workers,
   persistent database connections) serves the application; wrk (bench/signing.lua)
   posts public signatures, each for a new organisation with its own address, for
   `--duration` seconds, reusing one CSRF token and its cookie fetched beforehand.
   Then the database is asked whether every accepted submission exists exactly once.
2. The floor: the same rows written by the smallest WSGI application
   (bench/_signing_floor.py) under the same gunicorn and the same load.
3. A published statement with 50,000 signatories, read by a crowd of anonymous visitors
   for `--read-duration` seconds.

Targets: 800 accepted signatures/s, p99 under 100 ms, at least half the floor, nothing
lost or duplicated; 3,000 page reads/s with p99 under 50 ms. Ends with
`RESULT signing_per_s=<n> p99_ms=<n> floor_per_s=<n> ratio=<r> lost=<n> duplicated=<n>`
and `RESULT statement_page_per_s=<n> statement_page_p99_ms=<n>`.

Run by gunicorn (`signing:application`), this module is the WSGI application: Django,
with the public signing limits per address raised (every request comes from 127.0.0.1).
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from _support import ROOT, describe_machine, print_result, setup_django

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
    """The limits per IP address and per email address are constants of the statements
    services, not settings: every submission here comes from 127.0.0.1, and over the
    limit they would be kept but marked for moderation."""
    from statements import services

    services.PUBLIC_SIGNING_LIMITS.update(ip=10**9, email=10**9)


def free_port() -> int:
    # Below 32768: above it ports collide with the ephemeral ones of the load itself.
    for port in range(18400, 18500):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port between 18400 and 18500")


def start_gunicorn(port: int, application: str, env: dict | None = None) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--chdir",
            str(ROOT / "bench"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--no-control-socket",
            "--log-level",
            "warning",
            application,
        ],
        env={**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}", **(env or {})},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=20)


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


def count_rows(statement, run: str) -> tuple[int, int]:
    """(distinct submissions found, rows beyond one per submission) of one wrk run."""
    from django.db.models import Count

    from statements.models import Signature

    per_email = (
        Signature.objects.filter(statement=statement, email__startswith=f"bench-{run}-")
        .values("email")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    counts = list(per_email)
    return len(counts), sum(n - 1 for n in counts)


def add_signatories(statement, version, how_many: int) -> None:
    """Confirmed signatures of new organisations in a dozen countries, one in ten unlisted."""
    from django.utils import timezone

    from members.models import Organisation
    from statements.models import Signature

    countries = ["UG", "KE", "BR", "IN", "ZA", "FR", "MX", "PH", "NG", "GB", "PE", "BD"]
    prefix = secrets.token_hex(3)
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Signatory {prefix} {n:05d}",
                slug=f"signatory-{prefix}-{n:05d}",
                country=countries[n % len(countries)],
                kind="grassroots",
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--duration", type=int, default=60, help="seconds of signing")
    parser.add_argument("--read-duration", type=int, default=30, help="seconds of reading")
    arguments = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    setup_django()
    from django.db import connection

    from statements import services
    from statements.counting import recount_signatures

    print(describe_machine())
    print(f"gunicorn {WORKERS} sync workers, wrk 1 thread {CONNECTIONS} connections, on loopback")
    statement, version = open_statement("Benchmark: a burst of signatures")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    path = statement.get_absolute_url()

    server = start_gunicorn(port, "signing:application")
    try:
        token, cookie = csrf_pair(port, path)
        load = {
            "BENCH_TOKEN": token,
            "BENCH_COOKIE": cookie,
            "BENCH_ORIGIN": f"https://127.0.0.1:{port}",
        }
        sign_url = f"{base}{path}sign/public/"
        run_wrk(sign_url, 3, {**load, "BENCH_RUN": "warmup"})
        run = secrets.token_hex(3)
        signing = run_wrk(sign_url, arguments.duration, {**load, "BENCH_RUN": run})
    finally:
        stop(server)
    signing_rate = describe("signing through the application", signing)
    found, duplicated = count_rows(statement, run)
    lost = max(0, int(signing["accepted"]) - found)
    print(f"  in the database: {found} submissions, {lost} lost, {duplicated} duplicated")

    floor_statement, floor_version = open_statement("Benchmark: the floor")
    server = start_gunicorn(
        port,
        "_signing_floor:application",
        {"BENCH_STATEMENT": str(floor_statement.pk), "BENCH_VERSION": str(floor_version.pk)},
    )
    try:
        floor_run = secrets.token_hex(3)
        floor = run_wrk(f"{base}/", arguments.duration, {"BENCH_RUN": floor_run})
    finally:
        stop(server)
    floor_rate = describe("floor: the same rows from a bare WSGI application", floor)
    ratio = signing_rate / floor_rate if floor_rate else 0

    crowd_statement, crowd_version = open_statement("Benchmark: a crowd reading")
    print(f"Adding {SIGNATORIES:,} signatories ...", flush=True)
    add_signatories(crowd_statement, crowd_version, SIGNATORIES)
    services.publish(statement=crowd_statement)
    recount_signatures()
    connection.close()
    server = start_gunicorn(port, "signing:application")
    try:
        reading = run_wrk(
            f"{base}{crowd_statement.get_absolute_url()}",
            arguments.read_duration,
            {"BENCH_MODE": "read"},
        )
    finally:
        stop(server)
    page_rate = describe(f"the public page of {SIGNATORIES:,} signatories", reading)

    print(
        "targets: 800 signatures/s, p99 < 100 ms, ratio >= 0.5, nothing lost or duplicated; "
        "3,000 page reads/s, p99 < 50 ms"
    )
    print_result(
        signing_per_s=round(signing_rate),
        p99_ms=round(signing["p99_ms"], 1),
        floor_per_s=round(floor_rate),
        ratio=round(ratio, 2),
        lost=lost,
        duplicated=duplicated,
    )
    print_result(
        statement_page_per_s=round(page_rate), statement_page_p99_ms=round(reading["p99_ms"], 1)
    )


def _wsgi_application():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    raise_signing_limits()
    return application


if __name__ == "__main__":
    main()
else:
    application = _wsgi_application()
