"""The client's address behind the reverse proxy (deploy/nginx/alliance.conf.template).

Behind nginx every request reaches gunicorn from the proxy, so REMOTE_ADDR is the proxy's
address and every limit keyed on it (public signing, wrong API keys, allauth's sign-in
limits) would count all visitors as one. nginx appends the address it saw to
X-Forwarded-For; only that last entry is vouched for (a client can write anything before
it), and only when the request came from an address in PROXY_ADDRESSES, so that someone
who reaches gunicorn directly cannot choose their own address.
"""

import functools
import ipaddress

from django.conf import settings


class ClientAddressMiddleware:
    """Behind the proxy (BEHIND_PROXY), REMOTE_ADDR becomes the client's address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.BEHIND_PROXY:
            client = client_address(request.META)
            if client is not None:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


def client_address(meta) -> str | None:
    """The address the proxy appended to X-Forwarded-For, when the request came from
    the proxy and that address is valid; None otherwise."""
    peer = _parse(meta.get("REMOTE_ADDR", ""))
    if peer is None or not any(peer in network for network in proxy_networks()):
        return None
    client = _parse(meta.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip())
    return str(client) if client is not None else None


def proxy_networks() -> list:
    return _networks(tuple(settings.PROXY_ADDRESSES))


@functools.cache
def _networks(values: tuple[str, ...]) -> list:
    return [ipaddress.ip_network(value) for value in values]


def _parse(value: str):
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None
