"""A burst of public signatures, and a crowd reading the statement page, through nginx
in front of production's gunicorn.

    make bench-signing                   # on services of its own (scripts/bench.sh)
    python bench/signing.py -d 10        # on the DATABASE_URL in the environment

Every part runs gunicorn with production's command line (docker-compose.yml's `web`: 4
sync workers, access log on) behind nginx (deploy/nginx's template, as
tests/fixtures/nginx.py runs it, worker_processes auto as in the official image), and
wrk over HTTPS (bench/signing.lua, 1 thread, 16 connections).

1. Public signatures for `--duration` seconds, each for a new organisation with its own
   address, reusing one CSRF token and its cookie fetched from the public form page,
   posted to three applications in turn under the same nginx location and gunicorn:
   the application (`alliance.wsgi`); the idiomatic floor (bench/_signing_idiomatic.py:
   a function view, a plain Django form, `objects.create` of the same row, under
   production's middleware); and the bare floor (bench/_signing_floor.py: the same
   INSERT from a bare WSGI callable). An accepted submission is a 303; then the
   database is asked whether every accepted row exists exactly once. The benchmark's
   crowd is one address: nginx's limit for the form (ALLIANCE_PUBLIC_SIGNING_RATE) and
   the application's per address (PUBLIC_SIGNING_LIMIT_PER_IP) are raised for it.
2. The same burst at the application with a Celery worker (production's concurrency)
   and beat on the same machine, sending to a local SMTP server: every accepted
   submission must become one signature and one confirmation email at the SMTP server,
   and the time from the burst's end to the last email is printed.
3. A published statement with 50,000 signatories read by a crowd of anonymous visitors
   in four languages (Accept-Language in turn) for `--read-duration` seconds through
   nginx; then the same crowd straight at gunicorn, the baseline. How many requests
   reached Django through nginx is counted from gunicorn's access log, per language.

CPU per request is printed beside every rate: gunicorn's (master and workers),
PostgreSQL's (postmaster and backends), nginx's and the worker's, over the run.
`--only-page` runs part 3 alone; `--only-signing` parts 1 and 2.

Targets (#14): at least 1.5 times the idiomatic floor, 0.30 times the bare floor,
300/s, p99 under 150 ms, nothing lost or duplicated; every confirmation email at most
60 s after the burst; 10,000 page reads/s through nginx with p99 under 20 ms, Django
rendering the page at most once per max-age (5 s) per language. Ends with
`RESULT signing_per_s=<n> p99_ms=<n> idiomatic_per_s=<n> bare_per_s=<n>
idiomatic_ratio=<r> bare_ratio=<r> cpu_ms=<n> idiomatic_cpu_ratio=<r> bare_cpu_ratio=<r>
lost=<n> duplicated=<n>`, `RESULT
burst_signatures=<n> last_email_after_s=<n> emails_lost=<n> emails_duplicated=<n>` and
`RESULT statement_page_per_s=<n> statement_page_p99_ms=<n> django_renders=<n>
direct_per_s=<n> direct_p99_ms=<n>`.
"""

import argparse
import math
import os
import re
import secrets
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

from _support import (
    RESULTS,
    ROOT,
    cpu_seconds,
    describe,
    describe_machine,
    lines_naming,
    postgres_pid,
    print_result,
    setup_django,
    start_production_gunicorn,
    stop_gunicorn,
)
from _support import (
    run_wrk as shared_run_wrk,
)

os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("STATIC_MANIFEST", "0")
# nginx ends TLS and says so; production's settings behind its proxy.
os.environ.setdefault("BEHIND_PROXY", "1")

CONNECTIONS = 16
SIGNATORIES = 50_000
LUA = ROOT / "bench" / "signing.lua"
# The crowd is one address (127.0.0.1): past production's limits per address its
# submissions would be refused by nginx (429) or kept for moderation by the processor.
UNLIMITED = {
    "PUBLIC_SIGNING_LIMIT_PER_IP": str(10**9),
    "PUBLIC_SIGNING_LIMIT_PER_EMAIL": str(10**9),
}
NGINX_SIGNING_RATE = "100000r/s"
# What the crowd reading the page sends in turn (bench/signing.lua).
LANGUAGES = ["en", "fr", "es", "pt"]
EMAIL_DEADLINE_SECONDS = 60


def start_proxy(port: int, name: str):
    """nginx (production's template) in front of 127.0.0.1:`port`, with the form's rate
    per address raised."""
    from tests.fixtures.nginx import Nginx

    return Nginx(
        upstream=f"127.0.0.1:{port}",
        directory=RESULTS / f"nginx-{name}-{os.getpid()}",
        static_root=Path(os.environ.get("STATIC_ROOT", ROOT / "staticfiles")),
        worker_processes="auto",
        access_log=False,
        public_signing_rate=NGINX_SIGNING_RATE,
    ).start()


def csrf_pair(proxy, path: str) -> tuple[str, str]:
    """One form token and the cookie it goes with, from one GET of the public form."""
    response = proxy.request("GET", path)
    assert response.status == 200, (response.status, response.text[:300])
    cookie = re.search(r"csrftoken=([^;]+)", response.headers.get("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
    return token, cookie


class CpuMeter:
    """CPU seconds of named processes (and their children) between start() and stop()."""

    def __init__(self, **pids: int):
        self.pids = pids

    def start(self) -> "CpuMeter":
        self.before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        return self

    def stop(self) -> dict[str, float]:
        return {name: cpu_seconds(pid) - self.before[name] for name, pid in self.pids.items()}


def describe_cpu(cpu: dict[str, float], requests: float) -> str:
    each = {name: 1000 * seconds / max(requests, 1) for name, seconds in cpu.items()}
    parts = ", ".join(f"{name} {ms:.2f}" for name, ms in each.items())
    return f"CPU per request {sum(each.values()):.2f} ms ({parts}); {describe_machine()}"


def run_wrk(url: str, seconds: int, env: dict) -> dict:
    """wrk with bench/signing.lua; the figures its `done` prints."""
    return shared_run_wrk(url, seconds, script=LUA, env=env, connections=CONNECTIONS)


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

    statement, version = open_statement("Benchmark: a crowd reading")
    print(f"Adding {SIGNATORIES:,} signatories ...", flush=True)
    add_signatories(statement, version, SIGNATORIES)
    services.publish(statement=statement)
    recount_signatures()
    postgres = postgres_pid()
    connection.close()
    path = statement.get_absolute_url()
    access_log = RESULTS / f"gunicorn-access-{os.getpid()}.log"
    server = start_production_gunicorn(port=port, log_path=access_log)
    proxy = start_proxy(port, "page")
    read = {"BENCH_MODE": "read"}
    try:
        url = f"https://127.0.0.1:{proxy.https_port}{path}"
        run_wrk(url, 2, read)  # the first renders, and TLS sessions
        reached_before = lines_naming(access_log, path)
        meter = CpuMeter(gunicorn=server.pid, postgres=postgres, nginx=proxy.process.pid)
        meter.start()
        reading = run_wrk(url, seconds, read)
        cpu = meter.stop()
        reached = lines_naming(access_log, path) - reached_before
        direct_url = f"http://127.0.0.1:{port}{path}"
        run_wrk(direct_url, 2, read)
        meter = CpuMeter(gunicorn=server.pid, postgres=postgres).start()
        direct = run_wrk(direct_url, seconds, read)
        direct_cpu = meter.stop()
    finally:
        proxy.stop()
        stop_gunicorn(server)
    describe(f"the public page of {SIGNATORIES:,} signatories, through nginx (HTTPS)", reading)
    # One render per language when a kept page expires (max-age 5 s), and one more each
    # for a page that expired just before the run started.
    allowed = len(LANGUAGES) * (math.ceil(reading["seconds"] / 5) + 1)
    print(
        f"  reached Django: {reached} of {reading['requests']:.0f} requests in "
        f"{reading['seconds']:.0f} s, {len(LANGUAGES)} languages (max-age 5 s: at most "
        f"{allowed})",
        flush=True,
    )
    print("  " + describe_cpu(cpu, reading["requests"]), flush=True)
    describe("baseline: the same crowd straight at gunicorn (no nginx)", direct)
    print("  " + describe_cpu(direct_cpu, direct["requests"]), flush=True)
    return {"reading": reading, "reached": reached, "allowed": allowed, "direct": direct}


def print_page_result(figures: dict) -> None:
    reading, direct = figures["reading"], figures["direct"]
    print_result(
        statement_page_per_s=round(reading["accepted"] / reading["seconds"]),
        statement_page_p99_ms=round(reading["p99_ms"], 1),
        django_renders=figures["reached"],
        renders_allowed=figures["allowed"],
        direct_per_s=round(direct["accepted"] / direct["seconds"]),
        direct_p99_ms=round(direct["p99_ms"], 1),
    )


def burst(name: str, application: str | None, *, statement, proxy, port: int, seconds: int):
    """`seconds` of public signatures through `proxy` to gunicorn (production's command
    line) serving `application` (None: alliance.wsgi) on `port`; returns the figures,
    with the CPU per request and what the database holds of the accepted rows."""
    from django.urls import reverse

    from statements.models import PublicSubmission

    path = reverse("statements:sign_publicly", kwargs={"slug": statement.slug})
    url = f"https://127.0.0.1:{proxy.https_port}{path}"
    server = start_production_gunicorn(
        port=port,
        log_path=RESULTS / f"gunicorn-{name}-{os.getpid()}.log",
        application=application,
        env={**UNLIMITED, "BENCH_STATEMENT": str(statement.pk)},
    )
    try:
        load = signing_load(proxy, statement)
        run_wrk(url, 3, {**load, "BENCH_RUN": f"warmup-{name}"})
        run = secrets.token_hex(3)
        meter = CpuMeter(gunicorn=server.pid, postgres=postgres_pid(), nginx=proxy.process.pid)
        meter.start()
        figures = run_wrk(url, seconds, {**load, "BENCH_RUN": run})
        cpu = meter.stop()
    finally:
        stop_gunicorn(server)
    figures["rate"] = describe(LABELS[name], figures)
    figures["cpu"] = cpu
    print("  " + describe_cpu(cpu, figures["requests"]), flush=True)
    found, duplicated = count_rows(PublicSubmission, statement, run)
    figures["lost"] = max(0, int(figures["accepted"]) - found)
    figures["duplicated"] = duplicated
    print(
        f"  in the database: {found} rows, {figures['lost']} lost, {duplicated} duplicated",
        flush=True,
    )
    return figures


def combined(name: str, rounds: list[dict]) -> dict:
    """One application's turns as one run: rates and CPU over all of them, the worst
    turn's p99."""
    total = {
        key: sum(turn[key] for turn in rounds)
        for key in ("accepted", "requests", "seconds", "lost", "duplicated")
    }
    total["p99_ms"] = max(turn["p99_ms"] for turn in rounds)
    total["rate"] = total["accepted"] / total["seconds"]
    cpu = {key: sum(turn["cpu"][key] for turn in rounds) for key in rounds[0]["cpu"]}
    total["cpu_ms"] = 1000 * sum(cpu.values()) / max(total["requests"], 1)
    print(
        f"{LABELS[name]}, {len(rounds)} turns: {total['accepted']:.0f} accepted in "
        f"{total['seconds']:.1f} s = {total['rate']:.0f}/s, worst p99 {total['p99_ms']:.1f} ms, "
        f"{total['lost']} lost, {total['duplicated']} duplicated; "
        + describe_cpu(cpu, total["requests"]),
        flush=True,
    )
    return total


LABELS = {
    "application": "signing through the application",
    "idiomatic": "idiomatic floor: function view, Django form, objects.create",
    "bare": "bare floor: the same INSERT from a bare WSGI callable",
}


_csrf: dict[int, tuple[str, str]] = {}


def signing_load(proxy, statement) -> dict:
    """wrk's environment for the form: one token and its cookie (fetched once from the
    application's public form; the floors accept them, as every Django view would)."""
    from django.urls import reverse

    if proxy.https_port not in _csrf:
        path = reverse("statements:sign_publicly", kwargs={"slug": statement.slug})
        _csrf[proxy.https_port] = csrf_pair(proxy, path)
    token, cookie = _csrf[proxy.https_port]
    return {
        "BENCH_TOKEN": token,
        "BENCH_COOKIE": cookie,
        "BENCH_ORIGIN": f"https://127.0.0.1:{proxy.https_port}",
    }


def burst_with_worker(*, port: int, seconds: int) -> dict:
    """The application's burst with a Celery worker (production's concurrency) and beat
    running, sending to a local SMTP server: when the last confirmation email arrived
    after the burst's end, and whether every submission became one signature and one
    email."""
    from django.conf import settings
    from django.db import connection
    from django.urls import reverse

    from statements.models import PublicSubmission, Signature
    from tests.fixtures.services import (
        CeleryBeat,
        CeleryWorker,
        SmtpServer,
        celery_environment,
        database_url,
    )

    statement, _ = open_statement("Benchmark: a burst with the worker running")
    path = reverse("statements:sign_publicly", kwargs={"slug": statement.slug})
    smtp = SmtpServer().start()
    env = celery_environment(
        database=database_url(connection.settings_dict),
        broker=settings.CELERY_BROKER_URL,
        smtp=smtp.url,
        LOG_LEVEL="WARNING",
        **UNLIMITED,
    )
    worker = CeleryWorker(env=env, log_dir=RESULTS, loglevel="WARNING")
    beat = CeleryBeat(env=env, log_dir=RESULTS)
    worker.start()
    beat.start()
    proxy = start_proxy(port, "worker")
    server = start_production_gunicorn(
        port=port, log_path=RESULTS / f"gunicorn-worker-{os.getpid()}.log", env=UNLIMITED
    )
    run = secrets.token_hex(3)
    prefix = f"bench-{run}-"
    try:
        load = signing_load(proxy, statement)
        url = f"https://127.0.0.1:{proxy.https_port}{path}"
        meter = CpuMeter(
            gunicorn=server.pid,
            postgres=postgres_pid(),
            nginx=proxy.process.pid,
            worker=worker.process.pid,
        ).start()
        figures = run_wrk(url, seconds, {**load, "BENCH_RUN": run})
        ended = time.monotonic()
        # Requests still in flight when wrk stopped are stored without wrk counting
        # them: every stored submission is awaited.
        time.sleep(1)
        expected = PublicSubmission.objects.filter(
            statement=statement, email__startswith=prefix
        ).count()
        lost = max(0, int(figures["accepted"]) - expected)
        arrived, last_after = 0, None
        while time.monotonic() < ended + 5 * EMAIL_DEADLINE_SECONDS:
            arrived = _emails_to(smtp, prefix)
            if arrived >= expected:
                last_after = time.monotonic() - ended
                break
            time.sleep(0.5)
        time.sleep(2)  # a duplicate, if any, arrives now
        cpu = meter.stop()
    finally:
        stop_gunicorn(server)
        proxy.stop()
        beat.stop()
        worker.stop()
    rate = describe("signing through the application, worker and beat running", figures)
    print("  " + describe_cpu(cpu, figures["requests"]), flush=True)
    per_address = Counter(
        address
        for message in smtp.messages
        for address in message.recipients
        if address.startswith(prefix)
    )
    smtp.stop()
    signed, signed_twice = count_rows(Signature, statement, run)
    emails_lost = expected - len(per_address)
    emails_duplicated = sum(n - 1 for n in per_address.values())
    when = f"{last_after:.1f} s" if last_after is not None else "never (timed out)"
    print(
        f"  {expected} submissions stored ({int(figures['accepted'])} answered before wrk "
        f"stopped, {lost} lost); {signed} signatures made, {signed_twice} duplicated; "
        f"{len(per_address)} confirmation emails at the SMTP server, the last {when} after "
        f"the burst ended (target: {EMAIL_DEADLINE_SECONDS} s), {emails_lost} lost, "
        f"{emails_duplicated} duplicated",
        flush=True,
    )
    return {
        "burst_per_s": round(rate),
        "burst_p99_ms": round(figures["p99_ms"], 1),
        "burst_lost": lost,
        "burst_signatures": signed,
        "signatures_missing": expected - signed,
        "last_email_after_s": round(last_after, 1) if last_after is not None else "timeout",
        "emails_lost": emails_lost,
        "emails_duplicated": emails_duplicated + signed_twice,
    }


def _emails_to(smtp, prefix: str) -> int:
    return sum(
        1
        for message in smtp.messages
        if any(address.startswith(prefix) for address in message.recipients)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--duration", type=int, default=60, help="seconds of signing")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="the signing duration split into this many turns of the three applications",
    )
    parser.add_argument("--read-duration", type=int, default=30, help="seconds of reading")
    parser.add_argument(
        "--only-page", action="store_true", help="only the crowd reading the statement page"
    )
    parser.add_argument(
        "--only-signing",
        action="store_true",
        help="only the bursts of signatures and their floors, not the crowd reading the page",
    )
    arguments = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    setup_django()
    from statements.models import PublicSubmission
    from tests.fixtures.services import free_port

    print(describe_machine())
    print(f"production's gunicorn behind nginx, wrk 1 thread {CONNECTIONS} connections, HTTPS")
    port = free_port()
    if arguments.only_page:
        print_page_result(read_the_page(port, arguments.read_duration))
        return
    statement, _ = open_statement("Benchmark: a burst of signatures")
    proxy = start_proxy(port, "signing")
    # The three in turn, `--rounds` times, so that a change of the neighbours' load
    # during the run weighs on each of them alike.
    applications = [
        ("application", None),
        ("idiomatic", "_signing_idiomatic"),
        ("bare", "_signing_floor"),
    ]
    slices = {name: [] for name, _ in applications}
    try:
        for _ in range(arguments.rounds):
            for name, application in applications:
                slices[name].append(
                    burst(
                        name,
                        application,
                        statement=statement,
                        proxy=proxy,
                        port=port,
                        seconds=max(1, arguments.duration // arguments.rounds),
                    )
                )
    finally:
        proxy.stop()
    runs = {name: combined(name, figures) for name, figures in slices.items()}
    # Nobody processes these (the worker below would take them all first).
    PublicSubmission.objects.filter(statement=statement).delete()
    application, idiomatic, bare = runs["application"], runs["idiomatic"], runs["bare"]
    with_worker = burst_with_worker(port=port, seconds=arguments.duration)

    if not arguments.only_signing:
        page = read_the_page(port, arguments.read_duration)

    print(
        "targets: >= 1.5 x the idiomatic floor, >= 0.30 x the bare floor, >= 300/s, "
        "p99 < 150 ms, nothing lost or duplicated; every confirmation email <= 60 s after "
        "the burst; 10,000 page reads/s through nginx, p99 < 20 ms"
    )
    print_result(
        signing_per_s=round(application["rate"]),
        p99_ms=round(application["p99_ms"], 1),
        idiomatic_per_s=round(idiomatic["rate"]),
        bare_per_s=round(bare["rate"]),
        idiomatic_ratio=round(application["rate"] / max(idiomatic["rate"], 1), 2),
        bare_ratio=round(application["rate"] / max(bare["rate"], 1), 2),
        cpu_ms=round(application["cpu_ms"], 2),
        idiomatic_cpu_ratio=round(idiomatic["cpu_ms"] / application["cpu_ms"], 2),
        bare_cpu_ratio=round(bare["cpu_ms"] / application["cpu_ms"], 2),
        lost=application["lost"],
        duplicated=application["duplicated"],
    )
    print_result(**with_worker)
    if not arguments.only_signing:
        print_page_result(page)


if __name__ == "__main__":
    main()
