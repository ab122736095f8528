"""The webhook receivers of docs/integrating/webhooks.md, in Python and in Node, run as
written against real signed deliveries: the app posts an event to each (running as its
own process on loopback), the receiver checks the signature and accepts it; started with
another secret it refuses it (401, so the delivery is retried), and it refuses a
delivery whose body was changed on the way or whose timestamp is old."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from alliance.core.api import webhooks
from alliance.core.api.models import WebhookDelivery
from alliance.core.api.scopes import Scope
from tests.api.conftest import make_key  # noqa: F401
from tests.fixtures.services import free_port

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "integrating" / "examples"
PAYLOAD = {"statement": {"id": 7, "slug": "tax-justice"}}


def command(language: str) -> list[str]:
    if language == "python":
        return [sys.executable, str(EXAMPLES / "webhook_receiver.py")]
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed (apt-get install nodejs)")
    return [node, str(EXAMPLES / "webhook-receiver.js")]


class Running:
    def __init__(self, language: str, secret: str, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.process = subprocess.Popen(
            command(language),
            env={**os.environ, "WEBHOOK_SECRET": secret, "PORT": str(self.port)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            assert self.process.poll() is None, self.process.stdout.read()
            time.sleep(0.05)
        raise AssertionError(f"the {language} receiver did not start")

    def stop(self) -> str:
        self.process.terminate()
        output, _ = self.process.communicate(timeout=10)
        return output


@pytest.fixture
def partner_key(make_key):  # noqa: F811
    return make_key(Scope.READ, partner_name="Campaign site")


@pytest.mark.parametrize("language", ["python", "node"])
def test_the_example_receiver_accepts_a_real_signed_delivery(
    language, partner_key, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    # As a partner does: subscribe with the receiver's URL, get the secret, start it.
    port = free_port()
    subscription = webhooks.subscribe(
        api_key=partner_key,
        target_url=f"http://127.0.0.1:{port}/hooks",
        events=["statement.published"],
    )
    receiver = Running(language, subscription.secret, port)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            [delivery_id] = webhooks.emit(event="statement.published", payload=PAYLOAD)
    finally:
        output = receiver.stop()
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == WebhookDelivery.Status.DELIVERED, output
    assert delivery.last_response_code == 204
    assert f"{delivery.idempotency_id} statement.published" in output


@pytest.mark.parametrize("language", ["python", "node"])
def test_the_example_receiver_refuses_a_delivery_signed_with_another_secret(
    language, partner_key, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    receiver = Running(language, "whsec_not-the-subscriptions-secret")
    webhooks.subscribe(api_key=partner_key, target_url=receiver.url, events=["statement.published"])
    try:
        with django_capture_on_commit_callbacks(execute=True):
            [delivery_id] = webhooks.emit(event="statement.published", payload=PAYLOAD)
    finally:
        output = receiver.stop()
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status != WebhookDelivery.Status.DELIVERED
    assert delivery.last_response_code == 401
    assert "statement.published" not in output


def post(url, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("language", ["python", "node"])
def test_the_example_receiver_refuses_a_changed_body_and_an_old_timestamp(language):
    secret = "whsec_example"
    receiver = Running(language, secret)
    body = b'{"id":"1","event":"statement.published","created_at":"","data":{}}'
    now = int(time.time())

    def headers(timestamp, signed_body):
        return {
            "Content-Type": "application/json",
            "X-Alliance-Timestamp": str(timestamp),
            "X-Alliance-Signature": webhooks.signature_header(secret, timestamp, signed_body),
        }

    try:
        assert post(receiver.url, body, headers(now, body)) == 204
        changed = body.replace(b"{}", b'{"x":1}')
        assert post(receiver.url, changed, headers(now, body)) == 401
        assert post(receiver.url, body, headers(now - 3600, body)) == 401
    finally:
        receiver.stop()
