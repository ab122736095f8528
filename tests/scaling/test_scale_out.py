"""Several machines' worth of processes on one database: TWO gunicorns (production's
command from docker-compose.yml, each its own process) behind one nginx with
production's configuration, TWO Celery workers and beat (with a second beat started by
mistake on "another machine", which must send nothing), straight to PostgreSQL or
through PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer). The public signing
journey (form, confirmation email, confirmation) and an outbox fan-out run through them:
every signature is made once and every email arrives once, nothing lost."""

import http.client
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import connection

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, queue_emails
from alliance.monitoring.models import BeatLock
from statements.models import PublicSubmission, Signature, Statement
from tests.factories import StatementFactory
from tests.fixtures.nginx import Nginx
from tests.fixtures.services import (
    FAST_SWEEPER,
    RESULTS,
    CeleryBeat,
    CeleryWorker,
    RedisServer,
    celery_environment,
    database_url,
    die_with_parent,
    free_port,
    require_services,
    services_configured,
    use_broker,
    wait_until_marked_sent,
)
from tests.scaling import pgbouncer
from tests.statements.test_public_signing_through_nginx import post_form, signer

ROOT = Path(settings.BASE_DIR)
SIGNERS = 12
FAN_OUT = 200

pytestmark = pytest.mark.django_db(transaction=True)


class Gunicorn:
    """The compose file's web command, on a loopback port, with its own metrics
    directory and its access log in a file."""

    def __init__(self, *, name: str, env: dict, log_dir: Path, workers: int = 2):
        compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
        command = list(compose["services"]["web"]["command"])
        self.port = free_port()
        command[0] = str(Path(sys.executable).parent / "gunicorn")
        command[command.index("--bind") + 1] = f"127.0.0.1:{self.port}"
        command[command.index("--workers") + 1] = str(workers)
        self.command = command
        self.log = log_dir / f"{name}.log"
        metrics = log_dir / f"{name}-prometheus"
        metrics.mkdir(parents=True, exist_ok=True)
        self.env = {**env, "BEHIND_PROXY": "1", "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "Gunicorn":
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                probe.request("GET", "/healthz")
                probe.getresponse().read()
                probe.close()
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer")

    def requests(self, pattern: str) -> int:
        """How many requests its access log shows whose line matches `pattern`."""
        return len(re.findall(pattern, self.log.read_text(errors="replace")))

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Cluster:
    nginx: Nginx
    webs: list[Gunicorn]
    workers: list[CeleryWorker]
    beats: list[CeleryBeat]
    pooler: pgbouncer.PgBouncer | None


@pytest.fixture(params=["direct", "pgbouncer"])
def cluster(request, tmp_path, smtp_server, django_db_setup):
    """Two web processes behind nginx, two workers and two beats, on a Redis of their own
    (the session's worker must not take their tasks), on the test database."""
    if not services_configured():
        require_services("PostgreSQL (DATABASE_URL) and a broker (CELERY_BROKER_URL)")
    if request.param == "pgbouncer" and not pgbouncer.installed():
        require_services("pgbouncer (apt-get install pgbouncer)")
    database = connection.settings_dict
    pooler = None
    url = database_url(database)
    extra = {}
    if request.param == "pgbouncer":
        pooler = pgbouncer.PgBouncer(
            host=database["HOST"] or "127.0.0.1", port=int(database["PORT"] or 5432)
        ).start(user=database["USER"], database=database["NAME"])
        pooler.open_every_server_connection(database["NAME"])
        url = pooler.url(user=database["USER"], database=database["NAME"])
        extra["DATABASE_POOLER"] = "pgbouncer"
    redis_server = RedisServer(tmp_path).start()
    env = celery_environment(
        database=url,
        broker=redis_server.url,
        smtp=smtp_server.url,
        DJANGO_SETTINGS_MODULE="tests.settings",
        **FAST_SWEEPER,
        **extra,
    )
    log_dir = RESULTS / "scale-out" / request.param
    log_dir.mkdir(parents=True, exist_ok=True)
    webs = [Gunicorn(name=f"web-{n}", env=env, log_dir=log_dir) for n in (1, 2)]
    workers = [
        CeleryWorker(env=env, log_dir=log_dir, concurrency=2, role=f"worker-{n}") for n in (1, 2)
    ]
    beats = [CeleryBeat(env=env, log_dir=log_dir / f"machine-{n}") for n in (1, 2)]
    static_root = tmp_path / "static"
    static_root.mkdir()
    proxy = Nginx(
        upstream=webs[0].address,
        more_upstreams=(webs[1].address,),
        directory=tmp_path / "nginx",
        static_root=static_root,
    )
    started = []
    try:
        with use_broker(redis_server.url):
            try:
                for process in (*webs, *workers, *beats, proxy):
                    process.start()
                    started.append(process)
                smtp_server.clear()
                yield Cluster(nginx=proxy, webs=webs, workers=workers, beats=beats, pooler=pooler)
            finally:
                for process in reversed(started):
                    process.stop()
    finally:
        redis_server.stop()
        if pooler is not None:
            pooler.stop()
        smtp_server.clear()


def test_two_web_processes_and_two_workers_make_every_signature_once(
    cluster, smtp_server, client, convenor
):
    statement = StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)
    path = f"/statements/{statement.slug}/sign/public/"
    for number in range(SIGNERS):
        answer = post_form(cluster.nginx, path, signer(number), source=f"127.0.0.{2 + number % 4}")
        assert answer.status == 303, answer.text[:500]

    # Each signer gets one confirmation link, whichever web process took the form and
    # whichever worker processed it.
    confirmations = smtp_server.wait_for(SIGNERS, timeout=60)
    assert sorted(message.recipients[0] for message in confirmations) == sorted(
        f"signer{number}@example.org" for number in range(SIGNERS)
    )
    for message in confirmations:
        token = re.search(r"/statements/confirm/([^/\s]+)/", message.body).group(1)
        answer = post_form(cluster.nginx, f"/statements/confirm/{token}/", {})
        assert answer.status == 200, answer.text[:500]

    signatures = Signature.objects.filter(statement=statement)
    assert signatures.count() == SIGNERS
    assert signatures.values("organisation").distinct().count() == SIGNERS
    assert not signatures.filter(email_verified_at=None).exists()
    assert set(PublicSubmission.objects.values_list("status", flat=True)) == {
        PublicSubmission.Status.PROCESSED
    }
    # Both web processes answered (nginx sends to each in turn, so a form one of them
    # gave out was posted to the other: they share nothing but the database and Redis).
    for web in cluster.webs:
        assert web.requests(r'"(GET|POST) /statements/') > 0, web.log
    assert_every_email_arrived_once(smtp_server)

    # The convenor's export streams the signatures from a database cursor read in chunks
    # (through PgBouncer: read by the client, DATABASE_POOLER).
    client.force_login(convenor)
    session = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    export = cluster.nginx.request(
        "GET", f"/statements/{statement.slug}/signatories.csv", headers={"Cookie": session}
    )
    assert export.status == 200
    exported = [line.split(",")[0] for line in export.text.splitlines()[1:]]
    assert sorted(exported) == sorted(f"Organisation {number}" for number in range(SIGNERS))
    assert_one_beat_sends(cluster)
    assert_pooled(cluster)


def test_two_workers_deliver_a_fan_out_once_each(cluster, smtp_server):
    started = time.monotonic()
    queue_emails(
        [
            Email(key=f"scale:{number}", to_email=f"member{number}@example.org", template="notice")
            for number in range(FAN_OUT)
        ]
    )
    smtp_server.wait_for(FAN_OUT, timeout=90)
    seconds = time.monotonic() - started
    print(  # noqa: T201 - the figure, for docs/running/scaling.md
        f"fan-out: {FAN_OUT} emails in {seconds:.1f} s ({FAN_OUT / seconds:.0f}/s),"
        f" load {os.getloadavg()[0]:.1f}"
    )
    assert_every_email_arrived_once(smtp_server)
    # Both workers sent some of it.
    for worker in cluster.workers:
        log = worker.log_path.read_text(errors="replace")
        assert re.search(r"deliver_messages\[[^\]]+\] succeeded", log), worker.log_tail()
    assert_one_beat_sends(cluster)
    assert_pooled(cluster)


def assert_every_email_arrived_once(smtp_server):
    """Every outbox row marked sent, and the SMTP server got each key exactly once."""
    wait_until_marked_sent(OutgoingMessage.objects.all(), timeout=60)
    time.sleep(1)  # a duplicate would be on its way by now
    arrived = Counter(message.key for message in smtp_server.messages)
    expected = set(OutgoingMessage.objects.values_list("key", flat=True))
    assert set(arrived) == expected
    assert {key: count for key, count in arrived.items() if count != 1} == {}


def assert_one_beat_sends(cluster):
    """One beat holds the lock in the database and sends; the other waits for it."""
    deadline = time.monotonic() + 30
    while True:
        logs = [beat.log_path.read_text(errors="replace") for beat in cluster.beats]
        took = ["beat took the lock" in log for log in logs]
        waits = ["beat waits for the lock" in log for log in logs]
        if sorted(took) == [False, True] and waits == [not taken for taken in took]:
            break
        assert time.monotonic() < deadline, [beat.log_tail() for beat in cluster.beats]
        time.sleep(0.5)
    assert BeatLock.objects.get().holder != ""


def assert_pooled(cluster):
    """Through PgBouncer: the application's many connections shared a few to PostgreSQL."""
    if cluster.pooler is None:
        return
    name = connection.settings_dict["NAME"]
    clients = [row for row in cluster.pooler.show("CLIENTS") if row["database"] == name]
    servers = [row for row in cluster.pooler.show("SERVERS") if row["database"] == name]
    (stats,) = [row for row in cluster.pooler.show("STATS") if row["database"] == name]
    print(  # noqa: T201 - the figures, for the report
        f"pgbouncer: {len(clients)} client connections on {len(servers)} server connections,"
        f" {stats['total_xact_count']} transactions"
    )
    assert len(servers) <= cluster.pooler.pool_size
    assert len(clients) > len(servers)
    assert int(stats["total_xact_count"]) > 0
