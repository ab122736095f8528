"""Webhooks: partners' URLs that hear about changes, signed, retried, and paused when dead.

The same three rules as the outbox (alliance.core.outbox.services):

1. `emit` writes one delivery row per active subscription in the caller's transaction,
   and queues the send on commit: a rolled-back change delivers nothing.
2. A worker claims a delivery with a conditional UPDATE (pending -> delivering) before
   posting it; a second copy of the task finds nothing to claim.
3. The broker is not trusted: `sweep` re-queues due retries, deliveries no queue holds
   any more and claims of workers that died. A receiver may still get a delivery twice
   (a worker killed after the POST): `X-Alliance-Delivery` lets it drop the repeat.

Private-address filtering: target URLs that resolve to loopback, private, link-local or
reserved addresses, or to IPv6 forms of them (IPv4-mapped, NAT64, 6to4, Teredo), are
refused unless WEBHOOKS_ALLOW_PRIVATE_TARGETS is on (tests post to a receiver on
loopback). The addresses are checked when the subscription is made and again
before every POST (DNS may have changed). The POST then connects to an address that was
checked, with the URL's host name in the Host header and the TLS handshake (SNI and
certificate check): resolving the name a second time to connect would let a DNS server
answer a public address to the check and a private one to the connection (DNS
rebinding). Redirects are never followed.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.core.api import events as webhook_events
from alliance.core.api.models import ApiKey, WebhookDelivery, WebhookSubscription
from alliance.core.audit.services import record
from alliance.core.outbox.services import Email, queue_emails
from alliance.core.queueing import enqueue

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
# Back-off 30 s, 1 min, 2, 4, ... capped at 6 h: the 14th attempt comes about 26 hours
# after the first (30 s x (2^10 - 1) = 8.5 h over ten doublings, then three of 6 h).
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 6 * 3600
MAX_ATTEMPTS = 14
# Failed POSTs in a row, across all deliveries of a subscription, before it is paused.
PAUSE_AFTER_FAILURES = 20
# A worker posts one delivery in at most TIMEOUT_SECONDS; a claim this old is a dead one.
STALE_CLAIM = timedelta(minutes=2)
# A pending delivery queued this long ago may have been dropped by the broker.
REQUEUE_AFTER = timedelta(minutes=10)


# --- Subscriptions ----------------------------------------------------------------------


DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """Where a POST goes: the URL's parts, and the addresses its host had when checked."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...] = ()


def parse_target_url(url: str) -> Target:
    """The parts of an http(s) URL; anything else is refused."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValidationError(_("The target URL must be an http or https URL."), code="scheme")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise ValidationError(_("The target URL's port is not valid."), code="port") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=parts.scheme, host=parts.hostname, port=port, path=path)


def private_targets_allowed() -> bool:
    return getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)


# IPv6 addresses that carry an IPv4 address a gateway or the host's own stack may deliver
# to (NAT64, RFC 6052; the deprecated IPv4-compatible form): that address must be public.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Local-use NAT64 (RFC 8215) translates into the operator's own network.
LOCAL_NAT64_PREFIX = ipaddress.ip_network("64:ff9b:1::/48")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for: mapped, 6to4, Teredo, NAT64."""
    found = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if ip in NAT64_PREFIX or ip in IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [address for address in found if address is not None]


def is_public_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally reachable and unicast, and so is every IPv4 address it carries."""
    if not ip.is_global or ip.is_multicast:
        return False
    if ip.version == 4:
        return True
    if ip in LOCAL_NAT64_PREFIX:
        return False
    return all(is_public_address(address) for address in embedded_ipv4(ip))


def resolve_target(url: str) -> Target:
    """Resolve the host once and check every address it has (one private address is
    enough to refuse: which one a client picks is not ours to know). The POST connects
    to these addresses, never to a second answer of the DNS."""
    target = parse_target_url(url)
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ValidationError(
            _("The target URL's host name does not resolve."), code="unresolvable"
        ) from None
    # Kept in the resolver's order (its preference), each address once.
    addresses = tuple(dict.fromkeys(info[4][0] for info in found))
    if not private_targets_allowed():
        for address in addresses:
            if not is_public_address(ipaddress.ip_address(address.split("%", 1)[0])):
                raise ValidationError(
                    _("The target URL points to a private or reserved address."), code="private"
                )
    return Target(
        scheme=target.scheme,
        host=target.host,
        port=target.port,
        path=target.path,
        addresses=addresses,
    )


def check_target_url(url: str) -> None:
    """Refuse what is not http(s), and private addresses unless the setting allows them
    (then the name need not resolve yet: tests subscribe made-up hosts)."""
    if private_targets_allowed():
        parse_target_url(url)
    else:
        resolve_target(url)


# --- Payload formats --------------------------------------------------------------------

# Formats a subscription may choose besides the API's own envelope, registered by the
# layers above this one (the OSDI layer registers "osdi"): name -> formatter(event,
# payload) -> the whole body to post, or None when the format has nothing for the event.
PAYLOAD_FORMATS: dict[str, Callable[[str, dict], object | None]] = {}
DEFAULT_FORMAT = "alliance"


def register_payload_format(name: str, formatter: Callable[[str, dict], object | None]) -> None:
    PAYLOAD_FORMATS[name] = formatter


def formatted(subscription: WebhookSubscription, event: str, payload: dict):
    """The payload the subscription's format posts for `payload` (which is already what
    its key may learn: a format only rewrites, never adds)."""
    if subscription.payload_format == DEFAULT_FORMAT:
        return payload
    return PAYLOAD_FORMATS[subscription.payload_format](event, payload)


def subscribe(
    *,
    api_key,
    target_url: str,
    events: list[str],
    contact_email: str = "",
    payload_format: str = DEFAULT_FORMAT,
) -> WebhookSubscription:
    """A new subscription with a new signing secret (the caller shows it once)."""
    check_target_url(target_url)
    if payload_format != DEFAULT_FORMAT and payload_format not in PAYLOAD_FORMATS:
        raise ValidationError(_("Choose a known payload format."), code="payload_format")
    unknown = set(events) - set(webhook_events.names())
    if unknown or not events:
        raise ValidationError(_("Choose one or more known events."), code="events")
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            api_key=api_key,
            target_url=target_url,
            events=sorted(set(events)),
            contact_email=contact_email,
            payload_format=payload_format,
            secret=WebhookSubscription.new_secret(),
        )
        record(
            actor_label=str(api_key),
            action="webhook.subscribed",
            target=subscription,
            changes={"target_url": [None, target_url], "events": [None, subscription.events]},
        )
    return subscription


def unsubscribe(*, subscription: WebhookSubscription) -> None:
    with transaction.atomic():
        record(
            actor_label=str(subscription.api_key),
            action="webhook.unsubscribed",
            target=subscription,
            changes={"target_url": [subscription.target_url, None]},
        )
        subscription.delete()


def pause(*, subscription: WebhookSubscription, actor=None) -> bool:
    """Stop posting to the subscription (a convenor's decision, in the admin); returns
    whether it was active. Like a pause after failures, it misses the events of its pause."""
    with transaction.atomic():
        paused = WebhookSubscription.objects.filter(pk=subscription.pk, is_active=True).update(
            is_active=False, paused_at=timezone.now()
        )
        if paused:
            record(
                actor=actor,
                action="webhook.paused",
                target=subscription,
                changes={"is_active": [True, False]},
            )
    return bool(paused)


def resume(*, subscription: WebhookSubscription, actor=None) -> WebhookSubscription:
    """Start again after a pause: the deliveries still pending are sent now. `actor` is
    the convenor who resumed it in the admin; without one, the partner's key did."""
    now = timezone.now()
    with transaction.atomic():
        resumed = WebhookSubscription.objects.filter(pk=subscription.pk, is_active=False).update(
            is_active=True, consecutive_failures=0, paused_at=None
        )
        if resumed:
            waiting = list(
                subscription.deliveries.filter(status=WebhookDelivery.Status.PENDING).values_list(
                    "id", flat=True
                )
            )
            WebhookDelivery.objects.filter(id__in=waiting).update(
                next_attempt_at=None, queued_at=now
            )
            transaction.on_commit(lambda: dispatch(waiting))
            record(
                actor=actor,
                actor_label="" if actor else str(subscription.api_key),
                action="webhook.resumed",
                target=subscription,
                changes={"is_active": [False, True]},
            )
    subscription.refresh_from_db()
    return subscription


# --- Events -----------------------------------------------------------------------------


def emit(
    *,
    event: str,
    payload: dict | None = None,
    when: bool = True,
    payload_for: Callable[[ApiKey], dict | None] | None = None,
) -> list[int]:
    """Write a delivery of `event` for every active subscription to it, in the caller's
    transaction, and send them once it commits. A paused subscription misses the events
    of its pause: a dead receiver would otherwise pile up rows without end. `when=False`
    emits nothing, so that a service says in one line which of its outcomes is the event.

    `payload_for(api_key)`, when given instead of `payload`, is what the subscription's
    key may learn of the event, or None when it may learn nothing: an event goes only to
    the keys that may see what it is about."""
    if not when:
        return []
    if event not in webhook_events.names():
        raise ValueError(f"Unknown webhook event {event}")
    # Filtered in Python: there are few subscriptions, and a JSON "contains" lookup is
    # not portable to SQLite, which the tests may use.
    payloads = []
    # A revoked key's subscriptions hear nothing more.
    for subscription in WebhookSubscription.objects.filter(
        is_active=True, api_key__revoked_at__isnull=True
    ).select_related("api_key", "api_key__acting_for"):
        if event not in subscription.events:
            continue
        for_key = payload if payload_for is None else payload_for(subscription.api_key)
        if for_key is not None:
            for_key = formatted(subscription, event, for_key)
        if for_key is not None:
            payloads.append((subscription.pk, for_key))
    if not payloads:
        return []
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription_id=subscription_id,
                event=event,
                payload=for_key,
                idempotency_id=uuid.uuid4(),
                queued_at=now,
            )
            for subscription_id, for_key in payloads
        ]
    )
    ids = [delivery.pk for delivery in deliveries]
    if None in ids:  # backends that do not return ids from a bulk insert
        ids = list(
            WebhookDelivery.objects.filter(
                idempotency_id__in=[d.idempotency_id for d in deliveries]
            ).values_list("id", flat=True)
        )
    transaction.on_commit(lambda: dispatch(ids))
    return ids


# --- Sending ----------------------------------------------------------------------------


def dispatch(ids: list[int]) -> None:
    """Hand committed deliveries to the broker, one task each (a slow receiver then
    delays only its own). If the broker is down, the sweeper queues them later."""
    from alliance.core.api.tasks import deliver_webhook

    for delivery_id in ids:
        if not enqueue(deliver_webhook, delivery_id, what=f"{len(ids)} webhook deliveries"):
            return


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: the timestamp is signed too, so
    that a receiver can refuse a replay of an old delivery."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def claim(delivery_id: int, *, now: datetime) -> WebhookDelivery | None:
    claimed = (
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            pk=delivery_id,
            status=WebhookDelivery.Status.PENDING,
            subscription__is_active=True,
            subscription__api_key__revoked_at__isnull=True,
        ).update(
            status=WebhookDelivery.Status.DELIVERING,
            claimed_at=now,
            last_attempt_at=now,
            attempts=F("attempts") + 1,
        )
        == 1
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("subscription__api_key").get(pk=delivery_id)


def deliver(delivery_id: int, *, now: datetime | None = None) -> bool:
    """Claim and post one delivery. Safe to call twice. Returns whether it was delivered."""
    now = now or timezone.now()
    delivery = claim(delivery_id, now=now)
    if delivery is None:
        return False
    try:
        code = _post(delivery)
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
        code = error.code if isinstance(error, NotAccepted) else None
        _fail(delivery, now=now, code=code, error=error)
        return False
    _succeed(delivery, code=code, now=now)
    return True


class NotAccepted(Exception):
    """The receiver answered, with something else than a 2xx (a redirect included: it
    could lead the POST to an address the target check would refuse)."""

    def __init__(self, code: int):
        self.code = code
        super().__init__(f"the receiver answered {code}, not a 2xx")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address given, not to what the host name resolves to now; the
    host name still goes in the Host header."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """The same over TLS: SNI and the certificate check use the host name, as they would
    had the connection resolved it."""

    default_port = http.client.HTTPS_PORT

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, address=address, timeout=timeout)
        self.tls = tls_context()

    def connect(self):
        super().connect()
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.host)


def tls_context() -> ssl.SSLContext:
    """The system's trusted CAs, hostname checked (the tests trust their own CA here)."""
    return ssl.create_default_context()


def send(target: Target, *, body: bytes, headers: dict[str, str]) -> int:
    """POST to the first of the target's checked addresses that accepts a connection;
    return the 2xx status or raise. Once the request is sent it is never tried at
    another address: the receiver may have got it."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    unreachable: OSError | None = None
    for address in target.addresses:
        connection = connection_class(
            target.host, target.port, address=address, timeout=TIMEOUT_SECONDS
        )
        try:
            try:
                connection.connect()
            except OSError as error:
                unreachable = error
                continue
            connection.request("POST", target.path, body=body, headers=headers)
            code = connection.getresponse().status
        finally:
            connection.close()
        if not 200 <= code < 300:
            raise NotAccepted(code)
        return code
    raise unreachable or OSError(f"{target.host} has no address")


def body_of(delivery: WebhookDelivery) -> bytes:
    if delivery.subscription.payload_format != DEFAULT_FORMAT:
        # A format of its own writes the whole body (formatted when emitted).
        document = delivery.payload
        return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    document = {
        "id": str(delivery.idempotency_id),
        "event": delivery.event,
        "created_at": delivery.created_at,
        "data": delivery.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def _post(delivery: WebhookDelivery) -> int:
    subscription = delivery.subscription
    target = resolve_target(subscription.target_url)
    body = body_of(delivery)
    timestamp = int(time.time())
    return send(
        target,
        body=body,
        headers={
            "Content-Type": "application/json",
            "User-Agent": "AllianceHub-Webhooks/1",
            "X-Alliance-Event": delivery.event,
            "X-Alliance-Delivery": str(delivery.idempotency_id),
            "X-Alliance-Timestamp": str(timestamp),
            "X-Alliance-Signature": signature_header(subscription.secret, timestamp, body),
        },
    )


def _succeed(delivery: WebhookDelivery, *, code: int, now: datetime) -> None:
    with transaction.atomic():
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=WebhookDelivery.Status.DELIVERING
        ).update(
            status=WebhookDelivery.Status.DELIVERED,
            last_response_code=code,
            last_error="",
            delivered_at=timezone.now(),
            next_attempt_at=None,
        )
        # Written only when there is something to reset: this row is hot.
        WebhookSubscription.objects.filter(
            pk=delivery.subscription_id, consecutive_failures__gt=0
        ).update(consecutive_failures=0)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure. WEBHOOKS_FIRST_RETRY_SECONDS shortens it
    (the worker test of retries waits seconds, not minutes)."""
    first = getattr(settings, "WEBHOOKS_FIRST_RETRY_SECONDS", FIRST_RETRY_SECONDS)
    return timedelta(seconds=min(first * 2 ** (attempts - 1), MAX_RETRY_SECONDS))


def _fail(delivery: WebhookDelivery, *, now: datetime, code: int | None, error: Exception):
    final = delivery.attempts >= MAX_ATTEMPTS
    logger.warning(
        "webhook delivery %s (%s) failed, attempt %s%s: %r",
        delivery.pk,
        delivery.event,
        delivery.attempts,
        " (giving up)" if final else "",
        error,
    )
    with transaction.atomic():
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=WebhookDelivery.Status.DELIVERING
        ).update(
            status=WebhookDelivery.Status.FAILED if final else WebhookDelivery.Status.PENDING,
            last_response_code=code,
            last_error=repr(error)[:2000],
            queued_at=None,
            next_attempt_at=None if final else now + backoff(delivery.attempts),
        )
        WebhookSubscription.objects.filter(pk=delivery.subscription_id).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        paused = WebhookSubscription.objects.filter(
            pk=delivery.subscription_id,
            is_active=True,
            consecutive_failures__gte=PAUSE_AFTER_FAILURES,
        ).update(is_active=False, paused_at=now)
        if paused:
            _tell_partner_paused(delivery.subscription, now=now)


def _tell_partner_paused(subscription: WebhookSubscription, *, now: datetime) -> None:
    record(
        actor_label="webhooks",
        action="webhook.paused",
        target=subscription,
        changes={"is_active": [True, False]},
        note=f"{PAUSE_AFTER_FAILURES} failed deliveries in a row",
    )
    recipients = partner_contacts(subscription)
    context = {
        "partner": subscription.api_key.partner_name,
        "target_url": subscription.target_url,
        "failures": PAUSE_AFTER_FAILURES,
        "subscription_id": subscription.pk,
    }
    stamp = int(now.timestamp())
    queue_emails(
        [
            Email(
                key=f"webhook-paused:{subscription.pk}:{stamp}:{email}",
                to_email=email,
                to_name=name,
                language=language,
                template="webhook_paused",
                context=context,
            )
            for email, name, language in recipients
        ]
    )


def partner_contacts(subscription: WebhookSubscription) -> list[tuple[str, str, str]]:
    """(email, name, language) of who hears about the subscription: its contact email, or
    else the authorised contacts of the key's organisation."""
    if subscription.contact_email:
        return [(subscription.contact_email, "", "en")]
    organisation = subscription.api_key.organisation
    if organisation is None:
        return []
    return [
        (contact.email, contact.name, contact.language)
        for contact in organisation.contacts.authorised_to_sign().exclude(email="")
    ]


def sweep(*, now: datetime | None = None, limit: int = 5000) -> dict[str, int]:
    """Reset claims of dead workers, and queue retries that are due and deliveries the
    broker may have lost. Safe to run twice at once: claiming makes a duplicate harmless."""
    now = now or timezone.now()
    reclaimed = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.DELIVERING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=WebhookDelivery.Status.PENDING, queued_at=None, next_attempt_at=None)
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(
                status=WebhookDelivery.Status.PENDING,
                subscription__is_active=True,
                subscription__api_key__revoked_at__isnull=True,
            )
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        if due:
            WebhookDelivery.objects.filter(id__in=due).update(queued_at=now)
            transaction.on_commit(lambda: dispatch(due))
    return {"reclaimed": reclaimed, "requeued": len(due)}
