"""The pages convenors and coordinators use, at scale, through nginx in front of
production's gunicorn, read by 16 connections at once.

    make bench-convenor                      # on services of its own (scripts/bench.sh)
    python bench/convenor.py -d 10           # on the DATABASE_URL in the environment
    python bench/convenor.py --only directory-convenor,api

Data: 100,000 organisations (`seed_bulk`, reused when present), an open statement with
12,000 confirmed signatures among 15,000 organisations asked to sign, 60 partner keys.
The people: a convenor, and the coordinator of the alliance with the most members, each
with an authenticator app (as every convenor and coordinator must) and a session.

Each case: gunicorn with docker-compose.yml's `web` command line (4 sync workers, access
log on) behind nginx (deploy/nginx's template, as tests/fixtures/nginx.py runs it), wrk
over HTTPS with bench/pages.lua (1 thread, 16 connections, the case's paths in turn), a
3-second warm-up and then `--duration` seconds. Printed per case: pages/s, p50, p95, p99,
answers other than 200, and CPU per request: gunicorn's (master and workers) and
PostgreSQL's (the postmaster and its backends) over the run, divided by the requests;
on a shared machine CPU moves far less than the rate. The queries of one page of each
case are counted in-process (the test client), and for the statement and tracking pages
again at a tenth of the signatures: the two counts must be equal.

Targets (#14): statement and tracking pages >= 150/s, p95 < 150 ms; directory (broad
search and two filters, convenor and coordinator) >= 150/s, p95 < 200 ms; dashboard
(international and one national alliance) >= 100/s, p95 < 200 ms; API list of 100
>= 150/s, p95 < 200 ms. Ends with one `RESULT` line per case:
`RESULT case=<name> per_s=<n> p50_ms=<n> p95_ms=<n> p99_ms=<n> cpu_ms=<n> queries=<n>`.
"""

import argparse
import os
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from _support import (
    RESULTS,
    ROOT,
    cpu_seconds,
    describe_machine,
    ensure_organisations,
    postgres_pid,
    print_result,
    setup_django,
    start_production_gunicorn,
    stop_gunicorn,
)
from _support import (
    run_wrk as shared_run_wrk,
)

os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("STATIC_MANIFEST", "0")
# nginx ends TLS and says so; production's settings behind its proxy.
os.environ.setdefault("BEHIND_PROXY", "1")

CONNECTIONS = 16
ORGANISATIONS = 100_000
SIGNATURES = 12_000
ASKED = 15_000
API_KEYS = 60
LUA = ROOT / "bench" / "pages.lua"
STATEMENT_TITLE = "Benchmark: a statement convenors follow"


@dataclass
class Case:
    name: str
    label: str
    who: str  # "convenor", "coordinator" or "partner"
    paths: list[str]
    target_per_s: int
    target_p95_ms: int
    queries: list[int] = field(default_factory=list)
    # A floor (bench/_convenor_floor.py) runs in gunicorn of its own and has no target:
    # the name of the case it stands under.
    floor_of: str = ""

    @property
    def application(self) -> str | None:
        return "_convenor_floor" if self.floor_of else None


def directory_paths(alliance_slug: str) -> list[str]:
    """What a convenor types: broad words, with and without accents, and two or three
    filters."""
    searches = [
        {"q": "justice", "region": "africa", "kind": "faith"},
        {"q": "São", "country": "BR", "status": "approved"},
        {"q": "femmes", "south": "south", "kind": "womens_rights"},
        {"q": "rights", "region": "asia", "sort": "newest"},
        {"q": "union", "country": "IN", "kind": "union"},
        {"q": "education", "alliance": alliance_slug, "status": "approved"},
    ]
    return ["/members/directory/?" + urlencode(search) for search in searches]


def coordinator_paths(alliance_slug: str) -> list[str]:
    searches = [
        {"q": "justice", "status": "approved", "kind": "network"},
        {"q": "women", "alliance": alliance_slug, "status": "applied"},
        {"q": "santé", "south": "south", "kind": "grassroots"},
        {"q": "rural", "status": "approved", "sort": "newest"},
    ]
    return ["/members/directory/?" + urlencode(search) for search in searches]


def seed_statement(signatures: int, asked: int, title: str):
    """An open statement with `signatures` confirmed signatures (one in ten counted
    only) among `asked` bulk organisations asked to sign, made once and reused."""
    from django.db import connection
    from django.utils import timezone

    from members.models import Organisation
    from statements.counting import recount_signatures
    from statements.models import (
        Signature,
        SignOnRequest,
        Statement,
        StatementText,
        StatementVersion,
    )

    existing = Statement.objects.filter(versions__texts__title=title).first()
    if existing is not None:
        return existing
    print(f"Seeding a statement with {signatures:,} signatures ...", flush=True)
    statement = Statement.objects.create(
        status=Statement.Status.OPEN, audience=Statement.Audience.MEMBERS, moderation=False
    )
    version = StatementVersion.objects.create(statement=statement, number=1)
    StatementText.objects.create(
        version=version,
        language="en",
        title=title,
        summary="As elites meet at Davos.",
        body="62 people own the same wealth as **half the world**.",
    )
    organisations = list(
        Organisation.objects.filter(slug__startswith="bulk-").order_by("?")[:asked]
    )
    SignOnRequest.objects.bulk_create(
        [
            SignOnRequest(
                statement=statement,
                organisation=organisation,
                answer=SignOnRequest.Answer.SIGNED
                if n < signatures
                else SignOnRequest.Answer.NO_REPLY,
            )
            for n, organisation in enumerate(organisations)
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
                email=f"person{n}@bench.example.org",
                email_verified_at=now,
                status=Signature.Status.CONFIRMED,
                listed_publicly=n % 10 != 0,
                token=secrets.token_urlsafe(24),
            )
            for n, organisation in enumerate(organisations[:signatures])
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"ANALYZE {Signature._meta.db_table}, {SignOnRequest._meta.db_table}, "
            f"{Organisation._meta.db_table}"
        )
    # What the beat's task does every 5 seconds: the pages read the stored count.
    recount_signatures()
    statement.refresh_from_db()
    return statement


def person(email: str, **defaults):
    """A user with an authenticator app: convenors and coordinators must have one."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    from alliance.core.accounts.models import User

    user, _ = User.objects.get_or_create(email=email, defaults=defaults)
    if not Authenticator.objects.filter(user=user).exists():
        Authenticator.objects.create(
            user=user,
            type=Authenticator.Type.TOTP,
            data={"secret": encrypt("KRSXG5CQMVZHG33OMFZVGZLDOJSXIMJS")},
        )
    return user


def signed_in(user):
    """A test client with a session of `user` (stored where production keeps sessions),
    and its Cookie header for wrk."""
    from django.conf import settings
    from django.test import Client

    from alliance.core.accounts import security

    client = Client()
    client.force_login(user)
    # As a sign-in marks a convenor's or coordinator's session (security.start_session):
    # each of their requests then pushes its idle expiry forward.
    session = client.session
    session[security.PRIVILEGED_SESSION_KEY] = True
    session.save()
    return (
        client,
        f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
    )


def count_queries(client, path: str, headers: dict | None = None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path, secure=True, headers=headers)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, secure=True, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def run_wrk(url: str, seconds: int, env: dict) -> dict:
    return shared_run_wrk(url, seconds, script=LUA, env=env, connections=CONNECTIONS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--duration", type=int, default=20, help="seconds per case")
    parser.add_argument("--only", default="", help="names of cases, separated by commas")
    arguments = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    setup_django()
    from django.db import connection
    from django.db.models import Count, Q
    from django.urls import reverse

    from alliance.core.api.models import ApiKey
    from members.models import NationalAlliance

    print(describe_machine())
    ensure_organisations(ORGANISATIONS)
    statement = seed_statement(SIGNATURES, ASKED, STATEMENT_TITLE)
    small = seed_statement(SIGNATURES // 10, ASKED // 10, STATEMENT_TITLE + " (a tenth)")
    alliance = (
        NationalAlliance.objects.annotate(
            members=Count("memberships", filter=Q(memberships__status="approved"))
        )
        .order_by("-members")
        .first()
    )
    convenor = person("bench.convenor@example.org", is_convenor=True, name="Bench convenor")
    coordinator = person("bench.coordinator@example.org", name="Bench coordinator")
    alliance.coordinators.add(coordinator)
    ApiKey.objects.filter(partner_name__startswith="Benchmark ").delete()
    secrets_ = [
        ApiKey.issue(partner_name=f"Benchmark {n}", scopes=["read"])[1] for n in range(API_KEYS)
    ]
    clients = {"convenor": signed_in(convenor), "coordinator": signed_in(coordinator)}

    tracking = reverse("statements:tracking", kwargs={"slug": statement.slug})
    cases = [
        Case(
            "statement",
            "statement page, convenor, 12,000 signatures",
            "convenor",
            [statement.get_absolute_url()],
            150,
            150,
        ),
        Case(
            "tracking",
            "tracking page, convenor, 12,000 signatures",
            "convenor",
            [tracking],
            150,
            150,
        ),
        Case(
            "directory-convenor",
            "directory, convenor, search + 2 filters",
            "convenor",
            directory_paths(alliance.slug),
            150,
            200,
        ),
        Case(
            "directory-coordinator",
            "directory, coordinator, search + 2 filters",
            "coordinator",
            coordinator_paths(alliance.slug),
            150,
            200,
        ),
        Case(
            "dashboard", "dashboard, international", "convenor", ["/members/dashboard/"], 100, 200
        ),
        Case(
            "dashboard-alliance",
            f"dashboard, {alliance.slug}",
            "convenor",
            [f"/members/dashboard/?alliance={alliance.slug}"],
            100,
            200,
        ),
        Case(
            "api",
            "API list of 100, 60 keys",
            "partner",
            [
                "/api/v1/organisations/?page_size=100",
                "/api/v1/organisations/?page_size=100&country=BR",
                "/api/v1/organisations/?page_size=100&ordering=-updated_at",
            ],
            150,
            200,
        ),
    ]
    floors = [
        Case(
            "directory-convenor-floor",
            "floor under the directory, convenor",
            "convenor",
            ["/members/directory/"],
            0,
            0,
            floor_of="directory-convenor",
        ),
        Case(
            "directory-coordinator-floor",
            "floor under the directory, coordinator",
            "coordinator",
            ["/members/directory/"],
            0,
            0,
            floor_of="directory-coordinator",
        ),
        Case(
            "api-floor",
            "floor under the API list",
            "partner",
            [
                "/api/v1/organisations/?page_size=100",
                "/api/v1/organisations/?page_size=100&country=BR",
                "/api/v1/organisations/?page_size=100&ordering=-updated_at",
            ],
            0,
            0,
            floor_of="api",
        ),
    ]
    cases += floors
    if arguments.only:
        wanted = set(arguments.only.split(","))
        cases = [case for case in cases if case.name in wanted]

    from rest_framework.test import APIClient

    partner = APIClient()
    partner.credentials(HTTP_AUTHORIZATION=f"Bearer {secrets_[0]}")
    for case in cases:
        if case.floor_of:
            continue  # the test client answers with the project's URLs, not the floor's
        client = partner if case.who == "partner" else clients[case.who][0]
        case.queries = [max(count_queries(client, path) for path in case.paths)]
    for case, other in (
        ("statement", small.get_absolute_url()),
        ("tracking", reverse("statements:tracking", kwargs={"slug": small.slug})),
    ):
        for chosen in cases:
            if chosen.name == case:
                chosen.queries.append(count_queries(clients["convenor"][0], other))
    connection.close()

    print(
        f"gunicorn: docker-compose.yml's command line; nginx in front; wrk 1 thread, "
        f"{CONNECTIONS} connections, {arguments.duration} s per case"
    )
    postgres = postgres_pid()
    figures = []
    try:
        for application in dict.fromkeys(case.application for case in cases):
            figures += run_cases(
                [case for case in cases if case.application == application],
                application,
                arguments.duration,
                clients,
                secrets_,
                postgres,
            )
    finally:
        ApiKey.objects.filter(partner_name__startswith="Benchmark ").delete()

    print(describe_machine())
    rates = {case.name: result["accepted"] / result["seconds"] for case, result, _, _ in figures}
    for case, result, cpu, _ in figures:
        requests = max(result["requests"], 1)
        extra = {}
        if case.floor_of in rates:
            extra["ratio"] = round(rates[case.floor_of] / max(rates[case.name], 1), 2)
        print_result(
            case=case.name,
            per_s=round(rates[case.name]),
            p50_ms=round(result["p50_ms"], 1),
            p95_ms=round(result["p95_ms"], 1),
            p99_ms=round(result["p99_ms"], 1),
            cpu_ms=round(1000 * (cpu[0] + cpu[1]) / requests, 1),
            queries="/".join(str(n) for n in case.queries) or "-",
            **extra,
        )


def run_cases(cases, application, duration, clients, secrets_, postgres) -> list:
    """Each case in turn through nginx, in front of gunicorn running `application`
    (None: the project's own), with a 3-second warm-up."""
    from tests.fixtures.nginx import Nginx
    from tests.fixtures.services import free_port

    port = free_port()
    access_log = RESULTS / f"convenor-access-{os.getpid()}.log"
    server = start_production_gunicorn(port=port, log_path=access_log, application=application)
    proxy = Nginx(
        upstream=f"127.0.0.1:{port}",
        directory=RESULTS / f"nginx-convenor-{os.getpid()}",
        static_root=Path(os.environ.get("STATIC_ROOT", ROOT / "staticfiles")),
        worker_processes="auto",
    )
    proxy.start()
    figures = []
    try:
        for case in cases:
            env = {
                "BENCH_PATHS": "|".join(case.paths),
                "BENCH_COOKIE": "" if case.who == "partner" else clients[case.who][1],
                "BENCH_KEYS": "|".join(secrets_) if case.who == "partner" else "",
            }
            url = f"https://127.0.0.1:{proxy.https_port}/"
            run_wrk(url, 3, env)
            load_before = os.getloadavg()[0]
            cpu_before = cpu_seconds(server.pid), cpu_seconds(postgres)
            result = run_wrk(url, duration, env)
            cpu = cpu_seconds(server.pid) - cpu_before[0], cpu_seconds(postgres) - cpu_before[1]
            figures.append((case, result, cpu, (load_before, os.getloadavg()[0])))
            report(case, result, cpu, figures[-1][3])
    finally:
        proxy.stop()
        stop_gunicorn(server)
    return figures


def report(case: Case, result: dict, cpu: tuple[float, float], load: tuple[float, float]) -> None:
    requests = max(result["requests"], 1)
    rate = result["accepted"] / result["seconds"]
    errors = sum(
        result[name] for name in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    met = rate >= case.target_per_s and result["p95_ms"] < case.target_p95_ms
    print(
        f"{case.label}: {rate:.0f}/s, p50 {result['p50_ms']:.1f} ms, "
        f"p95 {result['p95_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms; "
        f"{result['refused']:.0f} not 200, {errors:.0f} socket errors; "
        f"CPU per request: gunicorn {1000 * cpu[0] / requests:.1f} ms, "
        f"PostgreSQL {1000 * cpu[1] / requests:.1f} ms; "
        f"queries {'/'.join(str(n) for n in case.queries) or '-'}; "
        f"load {load[0]:.1f}-{load[1]:.1f}; "
        + (
            f"the floor under {case.floor_of}"
            if case.floor_of
            else f"target >= {case.target_per_s}/s, p95 < {case.target_p95_ms} ms: "
            f"{'met' if met else 'NOT met'}"
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
