"""/metrics under production's processes: gunicorn's command from the compose file with
several workers adds up every process's requests, and during a fan-out the outbox
backlog the metrics show goes down to nothing as the real worker sends."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import connection

from alliance.core.outbox.services import Email, queue_emails
from tests.fixtures.services import database_url, free_port

ROOT = Path(settings.BASE_DIR)
pytestmark = pytest.mark.django_db(transaction=True)


def metric(body: str, prefix: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if line.startswith(prefix) and not line.startswith("#")
    )


@pytest.fixture
def production_web(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (make test)")
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"][
        "command"
    ]
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), *command[1:]]
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
    }
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(10)


def test_metrics_add_up_the_requests_of_every_gunicorn_process(production_web):
    for _ in range(30):
        urllib.request.urlopen(f"{production_web}/healthz", timeout=5).read()
    body = urllib.request.urlopen(f"{production_web}/metrics", timeout=5).read().decode()
    # 30 here, plus the readiness probe's one or more: whichever process answered each.
    answered = metric(
        body, 'alliance_http_requests_total{method="GET",status="200",view="healthz"}'
    )
    assert 31 <= answered <= 40


@pytest.mark.worker
def test_the_outbox_backlog_goes_down_during_a_fan_out(client, smtp_email):
    emails = [
        Email(key=f"fan-out:{number}", to_email=f"member{number}@example.org", template="notice")
        for number in range(300)
    ]
    queue_emails(emails)
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = client.get("/metrics").content.decode()
        seen.append(metric(body, "alliance_outbox_backlog "))
        if seen[-1] == 0:
            break
        time.sleep(0.2)
    assert seen[0] > 0 and seen[-1] == 0, seen
    assert len(set(seen)) > 2, seen  # it moved through figures between, not all at once
    assert len(smtp_email.wait_for(300, timeout=30)) == 300
