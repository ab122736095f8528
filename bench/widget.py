"""The statement widget other sites frame (`<slug>/embed/`), under a crowd.

    make bench-widget                    # on services of its own (scripts/bench.sh)
    python bench/widget.py -d 20         # on the DATABASE_URL in the environment

A statement open to any organisation (the widget then carries the signing form), with
5,000 confirmed signatories of which the latest are named, is read by a crowd of
anonymous visitors (wrk, 1 thread, 16 connections, bench/signing.lua's reading mode):
first over HTTPS through nginx with production's configuration (deploy/nginx) in front of
production's gunicorn command (docker-compose.yml's `web`), then straight at that
gunicorn. Printed: reads per second, median and p99 latency, how many requests reached
Django through nginx (the widget is kept `max-age=5`: about one render per 5 s), and
the CPU time per read of gunicorn and nginx, steadier than a rate on a shared machine.
Then the same for the share image (`<slug>/share.png`) through nginx.
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

from _support import (
    RESULTS,
    ROOT,
    cpu_seconds,
    describe,
    describe_machine,
    lines_naming,
    print_result,
    setup_django,
    start_production_gunicorn,
    stop_gunicorn,
)

# The crowd of bench/signing.py's third part, on another page. Imported, signing.py
# also makes its WSGI application (for its own gunicorn): Django set up, as here anyway.
from signing import add_signatories, open_statement, run_wrk

os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("BEHIND_PROXY", "1")

SIGNATORIES = 5_000
READ = {"BENCH_MODE": "read"}


def crowd(url: str, seconds: int, *, server, proxy=None) -> tuple[dict, float, float]:
    """wrk on `url` for `seconds` after a 2 s warm-up; its figures and the CPU seconds
    gunicorn and nginx spent meanwhile."""
    run_wrk(url, 2, READ)  # the first render, and TLS sessions
    before = cpu_seconds(server.pid), cpu_seconds(proxy.process.pid) if proxy else 0.0
    figures = run_wrk(url, seconds, READ)
    gunicorn_cpu = cpu_seconds(server.pid) - before[0]
    nginx_cpu = cpu_seconds(proxy.process.pid) - before[1] if proxy else 0.0
    return figures, gunicorn_cpu, nginx_cpu


def print_cpu(figures: dict, gunicorn_cpu: float, nginx_cpu: float | None = None) -> None:
    requests = max(figures["requests"], 1)
    line = f"  CPU per read: gunicorn {gunicorn_cpu * 1000 / requests:.3f} ms"
    if nginx_cpu is not None:
        line += f", nginx {nginx_cpu * 1000 / requests:.3f} ms"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--duration", type=int, default=20, help="seconds of each crowd")
    arguments = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    setup_django()
    from django.db import connection

    from statements.counting import recount_signatures
    from tests.fixtures.nginx import Nginx
    from tests.fixtures.services import free_port

    print(describe_machine())
    statement, version = open_statement("Benchmark: the widget on a campaign site")
    print(f"Adding {SIGNATORIES:,} signatories ...", flush=True)
    add_signatories(statement, version, SIGNATORIES)
    recount_signatures()
    connection.close()

    widget = f"/statements/{statement.slug}/embed/"
    image = f"/statements/{statement.slug}/share.png"
    port = free_port()
    access_log = RESULTS / f"gunicorn-access-widget-{os.getpid()}.log"
    server = start_production_gunicorn(port=port, log_path=access_log)
    proxy = Nginx(
        upstream=f"127.0.0.1:{port}",
        directory=RESULTS / f"nginx-widget-{os.getpid()}",
        static_root=Path(os.environ.get("STATIC_ROOT", ROOT / "staticfiles")),
        worker_processes="auto",
    )
    proxy.start()
    try:
        proxied_url = f"https://127.0.0.1:{proxy.https_port}{widget}"
        reached_before = lines_naming(access_log, widget)
        proxied, gunicorn_cpu, nginx_cpu = crowd(
            proxied_url, arguments.duration, server=server, proxy=proxy
        )
        reached = lines_naming(access_log, widget) - reached_before
        direct, direct_cpu, _ = crowd(
            f"http://127.0.0.1:{port}{widget}", arguments.duration, server=server
        )
        images, _, _ = crowd(
            f"https://127.0.0.1:{proxy.https_port}{image}",
            arguments.duration,
            server=server,
            proxy=proxy,
        )
    finally:
        proxy.stop()
        stop_gunicorn(server)

    print("production's gunicorn command (4 sync workers), wrk 1 thread 16 connections")
    rate = describe("the widget through nginx (HTTPS)", proxied)
    print(
        f"  reached Django: {reached} of {proxied['requests']:.0f} requests in "
        f"{proxied['seconds']:.0f} s (max-age 5 s)",
        flush=True,
    )
    print_cpu(proxied, gunicorn_cpu, nginx_cpu)
    direct_rate = describe("baseline: the widget straight at gunicorn (no nginx)", direct)
    print_cpu(direct, direct_cpu)
    image_rate = describe("the share image through nginx (HTTPS)", images)
    print(describe_machine())
    print_result(
        widget_per_s=round(rate),
        widget_p99_ms=round(proxied["p99_ms"], 1),
        django_renders=reached,
        direct_per_s=round(direct_rate),
        direct_p99_ms=round(direct["p99_ms"], 1),
        share_image_per_s=round(image_rate),
    )


if __name__ == "__main__":
    main()
