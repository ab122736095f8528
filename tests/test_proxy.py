"""The reverse proxy's own duties (deploy/nginx/alliance.conf.template, run by the `nginx`
fixture as production runs it), and what the application believes of it
(alliance.core.proxy: the client's address, only from the proxy)."""

import gzip

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from alliance.core.proxy import ClientAddressMiddleware
from tests.fixtures.nginx import STATIC_MARKER


@pytest.mark.django_db(transaction=True)
def test_plain_http_is_redirected_to_https(nginx):
    answer = nginx.request("GET", "/statements/?lang=fr", https=False)
    assert answer.status == 301
    assert answer.headers["Location"] == nginx.https_url("/statements/?lang=fr")


@pytest.mark.django_db(transaction=True)
def test_static_files_are_served_by_nginx_compressed(nginx):
    own = nginx.request("GET", f"/static/{STATIC_MARKER}")
    assert (own.status, own.text) == (200, "nginx\n")
    stylesheet = nginx.request("GET", "/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    assert stylesheet.status == 200
    assert stylesheet.headers["Content-Encoding"] == "gzip"
    assert b"{" in gzip.decompress(stylesheet.body)
    assert "max-age=3600" in stylesheet.headers["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_pages_are_compressed_for_clients_that_accept_it(nginx):
    page = nginx.request("GET", "/statements/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(page.body)
    assert "Content-Encoding" not in nginx.request("GET", "/statements/").headers


# --- alliance.core.proxy: whose address REMOTE_ADDR is ---------------------------------------


def address_seen(settings, *, behind_proxy, peer, forwarded=None):
    settings.BEHIND_PROXY = behind_proxy
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=peer, **headers)
    seen = []
    ClientAddressMiddleware(
        lambda request: seen.append(request.META["REMOTE_ADDR"]) or HttpResponse()
    )(request)
    return seen[0]


@pytest.mark.parametrize(
    ("behind_proxy", "peer", "forwarded", "expected"),
    [
        (True, "172.18.0.5", "198.51.100.7", "198.51.100.7"),
        (True, "127.0.0.1", "203.0.113.1, 198.51.100.7", "198.51.100.7"),
        (True, "127.0.0.1", "2001:db8::7", "2001:db8::7"),
        (True, "172.18.0.5", None, "172.18.0.5"),
        (True, "172.18.0.5", "not-an-address", "172.18.0.5"),
        (True, "198.51.100.99", "203.0.113.1", "198.51.100.99"),
        (False, "172.18.0.5", "198.51.100.7", "172.18.0.5"),
    ],
    ids=[
        "from the proxy",
        "only the address the proxy added",
        "IPv6 client",
        "proxy sent none",
        "proxy sent nonsense",
        "not from the proxy: ignored",
        "not behind a proxy: ignored",
    ],
)
def test_the_client_address_is_believed_only_from_the_proxy(
    settings, behind_proxy, peer, forwarded, expected
):
    seen = address_seen(settings, behind_proxy=behind_proxy, peer=peer, forwarded=forwarded)
    assert seen == expected


def test_proxy_addresses_can_be_narrowed(settings):
    settings.PROXY_ADDRESSES = ["10.0.0.2/32"]
    assert address_seen(settings, behind_proxy=True, peer="10.0.0.3", forwarded="1.2.3.4") == (
        "10.0.0.3"
    )
    assert address_seen(settings, behind_proxy=True, peer="10.0.0.2", forwarded="1.2.3.4") == (
        "1.2.3.4"
    )


def test_nginx_starts_on_other_ports_when_one_chosen_was_taken(tmp_path):
    """The tests' nginx picks free ports when made and binds them when started: another
    process of the same test may take one in between (seen in the scale-out test)."""
    import socket

    from tests.fixtures.nginx import Nginx

    proxy = Nginx(upstream="127.0.0.1:9", directory=tmp_path / "nginx", static_root=tmp_path)
    taken = proxy.http_port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", taken))
        proxy.start()
        try:
            assert proxy.http_port != taken
            assert proxy.request("GET", "/", https=False).status == 301
        finally:
            proxy.stop()
