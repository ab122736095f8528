"""A real HTTP receiver on loopback, keys, and subscriptions that post to it."""

import http.server
import json
import threading
import time
from dataclasses import dataclass, field

import pytest

from alliance.core.api import webhooks
from alliance.core.api.scopes import Scope
from tests.api.conftest import api, fresh_throttle_counts, make_key  # noqa: F401


@dataclass
class Received:
    headers: dict
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next scripted reply (a status code, or "hang"), then
    200 once the script runs out; keeps every request it read."""

    url: str
    script: list = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    hang_seconds: float = 2.0


def handler_for(receiver: Receiver):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(Received(dict(self.headers), body))
            reply = receiver.script.pop(0) if receiver.script else 200
            if reply == "hang":
                time.sleep(receiver.hang_seconds)
                reply = 200
            self.send_response(reply)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    receiver = Receiver(url="")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def partner_key(make_key):  # noqa: F811
    return make_key(Scope.READ, partner_name="Campaign site")


@pytest.fixture
def subscribe(partner_key, receiver):
    def make(*events, api_key=None, contact_email="alerts@partner.example"):
        return webhooks.subscribe(
            api_key=api_key or partner_key,
            target_url=receiver.url,
            events=list(events) or ["statement.published"],
            contact_email=contact_email,
        )

    return make
