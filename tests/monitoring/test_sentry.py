"""Error reports go to Sentry only when SENTRY_DSN is set, and carry no email address,
no person's or organisation's name (a counted-only signer's least of all), no request
body and no local variables: the real SDK, sending to a local receiver."""

import gzip
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.conf import settings

from tests.fixtures.services import free_port

SECRET_NAME = "Collectif des Femmes de Goma"
SECRET_EMAIL = "coordinatrice@femmes-goma.example"

REPORTER = f"""
import logging, os
import django
django.setup()
import sentry_sdk

def sign_for(organisation, address):
    raise ValueError(f"{{organisation}} <{{address}}> could not sign")

try:
    sign_for({SECRET_NAME!r}, {SECRET_EMAIL!r})
except ValueError:
    sentry_sdk.capture_exception()
logging.getLogger("statements").error("signing failed for %s", {SECRET_EMAIL!r})
sentry_sdk.flush(10)
"""


class Receiver(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        Receiver.bodies.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_receiver():
    port = free_port()
    server = HTTPServer(("127.0.0.1", port), Receiver)
    Receiver.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{port}/1"
    server.shutdown()


def run_reporter(dsn: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "sqlite:///:memory:",
        "CELERY_BROKER_URL": "",
        "SENTRY_DSN": dsn,
    }
    return subprocess.run(
        [sys.executable, "-c", REPORTER],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def events(bodies: list[bytes]) -> list[dict]:
    found = []
    for body in bodies:
        for line in body.decode(errors="replace").splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and ("exception" in item or "logentry" in item):
                found.append(item)
    return found


def test_an_error_report_names_no_one(sentry_receiver):
    result = run_reporter(sentry_receiver)
    assert result.returncode == 0, result.stderr
    sent = b"\n".join(Receiver.bodies)
    reported = events(Receiver.bodies)
    assert len(reported) == 2, sent[:2000]
    exception = next(event for event in reported if "exception" in event)
    assert exception["exception"]["values"][0]["type"] == "ValueError"
    assert any(
        frame.get("function") == "sign_for"
        for frame in exception["exception"]["values"][0]["stacktrace"]["frames"]
    )
    assert SECRET_NAME.encode() not in sent
    assert SECRET_EMAIL.encode() not in sent
    assert b"femmes-goma" not in sent


def test_without_a_dsn_nothing_is_sent(sentry_receiver):
    result = run_reporter("")
    assert result.returncode == 0, result.stderr
    assert Receiver.bodies == []
