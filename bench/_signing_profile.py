"""What one gunicorn worker spends on a public signature, without gunicorn or wrk.

    python bench/_signing_profile.py -n 2000              # CPU ms per request
    python bench/_signing_profile.py -n 2000 --profile    # and cProfile's top functions

Calls alliance.wsgi.application (every middleware, the
view) with a WSGI environ built here, as bench/signing.py's wrk sends it: a POST with one
CSRF token and its cookie, each submission for a new organisation. On the DATABASE_URL
and REDIS_URL of the environment (PostgreSQL and Redis, as in production). Prints CPU time
per request (time.process_time: this process only, PostgreSQL's and Redis's share are not
in it), which moves far less than wall time on a shared machine.
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import time
from urllib.parse import urlencode

from _support import cpu_seconds, describe_machine, setup_django

os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("BEHIND_PROXY", "1")

HOST = "127.0.0.1:18400"


def environ_for(method: str, path: str, body: bytes = b"", cookie: str = "") -> dict:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "18400",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": HOST,
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_ORIGIN": f"https://{HOST}",
        "HTTP_COOKIE": cookie,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(application, environ) -> tuple[str, dict, bytes]:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    chunks = application(environ, start_response)
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return answer["status"], answer["headers"], body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument(
        "--no-health-checks",
        action="store_true",
        help="as with CONN_HEALTH_CHECKS off (no SELECT 1 before each request's first query)",
    )
    arguments = parser.parse_args()

    setup_django()
    import re

    from django.urls import reverse
    from signing import open_statement

    from alliance.wsgi import application

    if arguments.no_health_checks:
        from django.db import connection

        connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    statement, _version = open_statement("Profile: public signing")
    path = reverse("statements:sign_publicly", kwargs={"slug": statement.slug})
    status, headers, page = call(application, environ_for("GET", path))
    assert status.startswith("200"), status
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    run = secrets.token_hex(3)

    def post(number: int) -> None:
        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "organisation_name": f"Profile Collective {run}-{number}",
                "country": "KE",
                "kind": "grassroots",
                "signatory_name": f"Signatory {run}-{number}",
                "signatory_title": "Director",
                "email": f"profile-{run}-{number}@example.org",
                "visibility": "listed",
                "website_url": "",
            }
        ).encode()
        status, _headers, _body = call(
            application, environ_for("POST", path, body, f"csrftoken={cookie}")
        )
        assert status.startswith("303"), status

    for number in range(200):  # warm up: imports, caches, prepared statements
        post(-number - 1)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    # CPU time, not wall time: waiting for PostgreSQL and Redis is not the worker's cost.
    profiler = cProfile.Profile(time.process_time) if arguments.profile else None
    per_round = arguments.requests // arguments.rounds
    worker_ms, postgres_ms = [], []
    for round_number in range(arguments.rounds):
        cpu_started, postgres_started = time.process_time(), cpu_seconds(backend_pid)
        if profiler:
            profiler.enable()
        for number in range(per_round):
            post(round_number * per_round + number)
        if profiler:
            profiler.disable()
        worker_ms.append(1000 * (time.process_time() - cpu_started) / per_round)
        postgres_ms.append(1000 * (cpu_seconds(backend_pid) - postgres_started) / per_round)
    print(
        f"{arguments.rounds} rounds of {per_round} POSTs, CPU ms per request: "
        f"worker min {min(worker_ms):.3f} median {statistics.median(worker_ms):.3f}; "
        f"its PostgreSQL backend min {min(postgres_ms):.3f} "
        f"median {statistics.median(postgres_ms):.3f} "
        f"({'under cProfile, ' if profiler else ''}{describe_machine()})"
    )
    if profiler:
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(arguments.top)
            print(out.getvalue())


if __name__ == "__main__":
    main()
