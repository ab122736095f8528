"""A webhook POST connects to the address that was checked, not to a second answer of the
DNS (rebinding), and still names the host: in the Host header, in TLS (SNI and the
certificate check)."""

import http.server
import shutil
import socket
import ssl
import subprocess
import threading

import pytest

from alliance.core.api import webhooks
from alliance.core.api.models import WebhookDelivery
from tests.webhooks.conftest import Receiver, handler_for

pytestmark = pytest.mark.django_db

HOST = "hooks.partner.example"
# A public address (it is never connected to: the test refuses that connection itself).
PUBLIC_ADDRESS = "93.184.215.14"
PAYLOAD = {"statement": {"id": 7}}
real_getaddrinfo = socket.getaddrinfo
real_create_connection = socket.create_connection


class Resolver:
    """Answers for HOST: `public_answers` times a public address, then loopback, as a DNS
    server under an attacker's control would. Other names resolve as usual."""

    def __init__(self, *, public_answers: int):
        self.public_answers = public_answers
        self.lookups = 0

    def __call__(self, host, port, *args, **kwargs):
        if host != HOST:
            return real_getaddrinfo(host, port, *args, **kwargs)
        self.lookups += 1
        address = PUBLIC_ADDRESS if self.lookups <= self.public_answers else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


@pytest.fixture
def resolver(monkeypatch):
    def install(*, public_answers: int = 0) -> Resolver:
        fake = Resolver(public_answers=public_answers)
        monkeypatch.setattr(socket, "getaddrinfo", fake)
        return fake

    return install


@pytest.fixture
def connections(monkeypatch):
    """Every address a connection is opened to; the public one is refused here, so that
    no test reaches beyond loopback."""
    opened = []

    def create_connection(address, *args, **kwargs):
        opened.append(address[0])
        if address[0] == PUBLIC_ADDRESS:
            raise ConnectionRefusedError(f"test: no connection to {PUBLIC_ADDRESS}")
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return opened


def port_of(receiver: Receiver) -> int:
    return int(receiver.url.rsplit(":", 1)[1].split("/", 1)[0])


def test_rebinding_to_loopback_after_the_check_does_not_reach_loopback(
    settings, partner_key, receiver, resolver, connections
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    # Public when the subscription is made and when the POST is checked; loopback from
    # the third lookup on, where a client that resolves again would connect.
    dns = resolver(public_answers=2)
    webhooks.subscribe(
        api_key=partner_key,
        target_url=f"http://{HOST}:{port_of(receiver)}/hooks",
        events=["statement.published"],
    )
    [delivery_id] = webhooks.emit(event="statement.published", payload=PAYLOAD)

    assert webhooks.deliver(delivery_id) is False

    assert receiver.received == []
    assert connections == [PUBLIC_ADDRESS]
    assert dns.lookups == 2, "the POST resolved the name again"
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "ConnectionRefusedError" in delivery.last_error


def test_name_that_resolves_to_loopback_is_refused_before_connecting(
    settings, partner_key, receiver, resolver, connections
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    webhooks.subscribe(
        api_key=partner_key,
        target_url=f"http://{HOST}:{port_of(receiver)}/hooks",
        events=["statement.published"],
    )
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    resolver()  # loopback from the first answer
    [delivery_id] = webhooks.emit(event="statement.published", payload=PAYLOAD)

    assert webhooks.deliver(delivery_id) is False

    assert connections == []
    assert receiver.received == []
    assert "private" in WebhookDelivery.objects.get(pk=delivery_id).last_error


def test_post_to_the_pinned_address_names_the_host(partner_key, receiver, resolver, connections):
    resolver()
    port = port_of(receiver)
    webhooks.subscribe(
        api_key=partner_key,
        target_url=f"http://{HOST}:{port}/hooks?partner=7",
        events=["statement.published"],
    )
    [delivery_id] = webhooks.emit(event="statement.published", payload=PAYLOAD)

    assert webhooks.deliver(delivery_id) is True

    assert connections == ["127.0.0.1"]
    [request] = receiver.received
    assert request.headers["Host"] == f"{HOST}:{port}"
    assert request.json["data"] == PAYLOAD


def test_redirect_is_a_failure_and_is_not_followed(
    partner_key, receiver, django_capture_on_commit_callbacks
):
    receiver.script = [307]
    webhooks.subscribe(api_key=partner_key, target_url=receiver.url, events=["statement.published"])
    with django_capture_on_commit_callbacks(execute=True):
        [delivery_id] = webhooks.emit(event="statement.published", payload=PAYLOAD)
    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.last_response_code) == ("pending", 307)


# --- TLS ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for HOST (openssl, as on every Debian machine)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
            "-addext", f"subjectAltName=DNS:{HOST}",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_receiver(settings, certificate, monkeypatch):
    """A receiver on loopback that speaks TLS with the certificate of HOST, which the
    webhook client is made to trust (and nothing else)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    cert, key = certificate
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    seen_names = []
    server_context.sni_callback = lambda sock, name, context: seen_names.append(name)
    receiver = Receiver(url="")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for(receiver))
    server.daemon_threads = True
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    receiver.url = f"https://{HOST}:{server.server_address[1]}/hooks"
    receiver.seen_names = seen_names

    def trusting_only_the_test_certificate():
        context = ssl.create_default_context(cafile=str(cert))
        return context

    monkeypatch.setattr(webhooks, "tls_context", trusting_only_the_test_certificate)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


def test_tls_to_the_pinned_address_uses_the_host_name(
    partner_key, tls_receiver, resolver, connections
):
    resolver()
    webhooks.subscribe(
        api_key=partner_key, target_url=tls_receiver.url, events=["statement.published"]
    )
    [delivery_id] = webhooks.emit(event="statement.published", payload=PAYLOAD)

    assert webhooks.deliver(delivery_id) is True

    assert connections == ["127.0.0.1"]
    assert tls_receiver.seen_names == [HOST]
    [request] = tls_receiver.received
    assert request.headers["Host"].startswith(HOST)


def test_certificate_for_another_name_is_refused(partner_key, tls_receiver, resolver, connections):
    resolver()
    url = tls_receiver.url.replace(HOST, "127.0.0.1")  # the right server, the wrong name
    webhooks.subscribe(api_key=partner_key, target_url=url, events=["statement.published"])
    [delivery_id] = webhooks.emit(event="statement.published", payload=PAYLOAD)

    assert webhooks.deliver(delivery_id) is False

    assert tls_receiver.received == []
    assert "CERTIFICATE_VERIFY_FAILED" in WebhookDelivery.objects.get(pk=delivery_id).last_error
