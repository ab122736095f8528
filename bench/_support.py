"""What every benchmark needs: Django set up on the services `make bench` started, and
the one `RESULT name=value ...` line each script ends with.

Benchmarks drive the same real services as the tests (tests/fixtures/services.py:
SMTP server, Celery worker), so the two cannot drift apart.
"""

import http.client
import multiprocessing
import os
import smtplib
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup_django() -> None:
    """Production settings (DEBUG off) on the database and broker in the environment."""
    # The project before bench/ (the script's own directory), whose osdi.py would
    # otherwise hide the osdi package when PYTHONPATH already names the project.
    if str(ROOT) in sys.path:
        sys.path.remove(str(ROOT))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("run benchmarks with `make bench` (it starts PostgreSQL and Redis)")
    import django

    django.setup()


def ensure_organisations(count: int) -> None:
    """At least `count` organisations in the database, made with `seed_bulk` when there
    are fewer (a second run reuses the first's)."""
    from django.core.management import call_command
    from django.db import connection

    from members.models import Organisation

    present = Organisation.objects.count()
    if present < count:
        print(f"Seeding {count - present:,} organisations ...", flush=True)
        call_command("seed_bulk", organisations=count - present)
    print(f"{Organisation.objects.count():,} organisations on {connection.vendor}")


def describe_machine() -> str:
    """Cores and load: figures from a busy machine are not figures about the code."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.2f} (1 min) {five:.2f} (5 min)"


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process and its descendants used so far (Linux).

    On a shared machine wall-clock rates move with the neighbours' load; CPU time per
    message does not, and says what the code costs."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        pending.extend(int(child) for child in children)
    return total


def postgres_pid() -> int:
    """The postmaster's process id: its CPU time and its backends' are PostgreSQL's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        directory = Path(cursor.fetchone()[0])
    return int((directory / "postmaster.pid").read_text().split()[0])


def start_gunicorn(
    application: str, *, port: int, workers: int, env: dict | None = None
) -> subprocess.Popen:
    """gunicorn serving `application` (a module of bench/ and its WSGI callable) on
    loopback, sync workers as in production, once it answers a request."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--no-control-socket",
            "--log-level",
            "warning",
            application,
        ],
        # From the project's root, first on the path: bench/osdi.py must not hide the osdi app.
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}", **(env or {})},
    )
    _wait_until_answering(server, port)
    return server


def start_production_gunicorn(
    *, port: int, log_path: Path, application: str | None = None, env: dict | None = None
) -> subprocess.Popen:
    """gunicorn with production's command line (docker-compose.yml's `web`), bound to a
    loopback port instead of 0.0.0.0:8000; its access log (stdout) goes to `log_path`.
    `application` (a module of bench/) replaces `alliance.wsgi` for a floor measured
    under the same command line."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    arguments = list(compose["services"]["web"]["command"][1:])
    arguments[arguments.index("--bind") + 1] = f"127.0.0.1:{port}"
    if application is not None:
        arguments[arguments.index("alliance.wsgi")] = application
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *arguments],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}", **(env or {})},
            stdout=log,
        )
    _wait_until_answering(server, port)
    return server


def _wait_until_answering(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=20)


def delivery_outcome(smtp, messages, *, expected: int) -> tuple[int, int, int]:
    """(lost, duplicated, not marked sent) for the outbox rows `messages` (a queryset)
    that should make `expected` emails, counted by the SMTP server's message keys."""
    keys = set(messages.values_list("key", flat=True))
    received = {key: n for key, n in smtp.key_counts().items() if key in keys}
    lost = expected - len(received)
    duplicated = sum(n - 1 for n in received.values())
    unsent = messages.exclude(status="sent").count()
    return lost, duplicated, unsent


def print_result(**figures) -> None:
    print("RESULT " + " ".join(f"{name}={value}" for name, value in figures.items()), flush=True)


def send_prerendered(host: str, port: int, messages: list[tuple[str, list[str], bytes]]) -> float:
    """The floor, in a process of its own: seconds to send every message over one connection."""
    started = time.perf_counter()
    with smtplib.SMTP(host, port) as connection:
        for sender, recipients, content in messages:
            connection.sendmail(sender, recipients, content)
    return time.perf_counter() - started


def measure_smtp_floor(smtp, outgoing, *, timeout: float) -> float:
    """Messages per second of a bare loop sending the same emails as the rows `outgoing`
    (rendered beforehand) over one SMTP connection: no database, broker or templates.
    Prints the figure, stops `smtp` and returns the rate."""
    from alliance.core.outbox.services import render

    messages = []
    for row in outgoing.order_by("id").iterator():
        email = render(row)
        messages.append(
            (email.from_email, email.recipients(), email.message().as_bytes(linesep="\r\n"))
        )
    smtp.clear()
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        seconds = pool.apply(send_prerendered, (smtp.host, smtp.port, messages))
    smtp.wait_for(len(messages), timeout=timeout)
    smtp.stop()
    rate = len(messages) / seconds
    print(
        f"floor: the same {len(messages)} messages pre-rendered, one SMTP connection, a bare loop"
    )
    print(f"  sent in {seconds:.2f} s: {rate:.0f}/s")
    return rate


def deliver_and_time(
    worker, smtp, count: int, *, timeout: float, work
) -> tuple[float, float, float]:
    """Start `worker`, run `work()` in one transaction (it queues `count` emails), and wait
    until the SMTP server has them all; then stop the worker. Returns the seconds until
    the commit, the seconds until the last message arrived, and the worker's CPU seconds."""
    from django.db import transaction

    worker.start()
    try:
        cpu_before = cpu_seconds(worker.process.pid)
        started = time.perf_counter()
        with transaction.atomic():
            work()
        committed = time.perf_counter()
        smtp.wait_for(count, timeout=timeout)
        delivered = time.perf_counter()
        worker_cpu = cpu_seconds(worker.process.pid) - cpu_before
        time.sleep(2)  # a duplicate, if any, arrives now
    finally:
        worker.stop()
    return committed - started, delivered - started, worker_cpu


def percentile(samples: list[float], fraction: float) -> float:
    """The sample at `fraction` (0.5: median, 0.99: p99) of the sorted samples."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_wrk(url: str, seconds: int, *, script: Path, env: dict, connections: int = 16) -> dict:
    """wrk (1 thread, `connections` connections, 10 s timeout) on `url` for `seconds` with
    the Lua `script`, `env` added to the environment the script reads; the figures its
    `done` prints on its `WRK name=value ...` line. Exits when wrk fails."""
    finished = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        + ["-s", str(script), url],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    if finished.returncode != 0:
        sys.exit(f"wrk failed: {finished.stdout}{finished.stderr}")
    line = next(line for line in finished.stdout.splitlines() if line.startswith("WRK "))
    return {key: float(value) for key, value in (item.split("=") for item in line.split()[1:])}


def lines_naming(log: Path, path: str) -> int:
    """How many lines of an access log name `path`: the requests that reached the server."""
    with open(log, "rb") as lines:
        return sum(1 for line in lines if path.encode() in line)


def timed_gets(port: int, headers: dict, start_url: str, requests: int, next_url) -> list[float]:
    """`requests` timed GETs (milliseconds each) on one kept-alive connection to gunicorn
    on `port`, from `start_url` on to `next_url(parsed JSON body)` (an absolute URL, or
    None: back to `start_url`)."""
    import json
    from urllib.parse import urlsplit

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    samples, url = [], start_url
    for _ in range(requests):
        started = time.perf_counter()
        connection.request("GET", url, headers=headers)
        response = connection.getresponse()
        body = response.read()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, (url, response.status, body[:200])
        following = next_url(json.loads(body))
        url = (
            start_url
            if not following
            else urlsplit(following)._replace(scheme="", netloc="").geturl()
        )
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    return samples


def describe(label: str, figures: dict) -> float:
    """Print one line of a wrk run's figures (bench/signing.lua's `done`): accepted, rate,
    median and p99, refused, socket errors; return the rate."""
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
