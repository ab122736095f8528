"""Invitations to 5,000 organisations under crashes, with a real Celery worker and beat,
Redis and an SMTP server: each invitee receives the invitation, at most the one message in
flight at a SIGKILL arrives twice, and a broker wiped mid fan-out loses nothing.

The worker runs the project's own URLs and beat schedule (tests.settings).
"""

import time

import pytest
import redis
from django.conf import settings
from django.db import transaction

from alliance.core.outbox.models import OutgoingMessage
from campaigns import services
from members.models import Contact, Organisation
from tests.fixtures.services import wait_until_marked_sent

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

INVITEES = 5000
QUIET_SECONDS = 3  # more than one sweep: a late duplicate has arrived by then


def invite_everyone(convening, convenor, run: str) -> set[str]:
    """INVITEES organisations with one contact each, all invited in one commit. Returns
    the addresses that must each receive the invitation."""
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(name=f"{run} {n}", slug=f"{run}-{n}", kind="grassroots", country="UG")
            for n in range(INVITEES)
        ]
    )
    contacts = Contact.objects.bulk_create(
        [
            Contact(organisation=organisation, name=f"Contact {n}", email=f"{run}{n}@example.org")
            for n, organisation in enumerate(organisations)
        ]
    )
    with transaction.atomic():
        services.invite_organisations(
            convening=convening,
            organisations=Organisation.objects.filter(name__startswith=f"{run} "),
            invited_by=convenor,
        )
    return {contact.email for contact in contacts}


def invitations_received(smtp_server) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in smtp_server.messages:
        if message.key and ":invitation:" in message.key:
            for recipient in message.recipients:
                counts[recipient] = counts.get(recipient, 0) + 1
    return counts


def wait_until_everyone_received(smtp_server, addresses: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not addresses <= set(invitations_received(smtp_server)):
        if time.monotonic() > deadline:
            missing = addresses - set(invitations_received(smtp_server))
            raise AssertionError(f"{len(missing)} of {len(addresses)} invitees got nothing")
        time.sleep(0.5)
    time.sleep(QUIET_SECONDS)


def test_worker_killed_mid_fan_out_every_invitee_receives_the_invitation(
    smtp_server, celery_worker, uganda_convening, convenor
):
    smtp_server.clear()
    addresses = invite_everyone(uganda_convening, convenor, "sigkill")
    smtp_server.wait_for(INVITEES // 2, timeout=120)

    celery_worker.kill()
    assert smtp_server.count < INVITEES, "the kill must come in the middle of the run"
    celery_worker.start()
    restarted_at = time.monotonic()
    wait_until_marked_sent(OutgoingMessage.objects.filter(key__startswith="convening:"), 120)
    recovery_seconds = time.monotonic() - restarted_at
    wait_until_everyone_received(smtp_server, addresses, timeout=10)

    counts = invitations_received(smtp_server)
    assert set(counts) == addresses
    repeated = {address: n for address, n in counts.items() if n > 1}
    # At most the one message in flight per pool process of the killed worker.
    assert len(repeated) <= celery_worker.pool_processes, (
        f"more than the messages in flight arrived twice: {repeated}"
    )
    assert recovery_seconds <= 60
    statuses = set(
        OutgoingMessage.objects.filter(key__startswith="convening:").values_list(
            "status", flat=True
        )
    )
    assert statuses == {OutgoingMessage.Status.SENT}


def test_broker_wiped_mid_fan_out_loses_nothing(smtp_server, uganda_convening, convenor):
    smtp_server.clear()
    addresses = invite_everyone(uganda_convening, convenor, "flushall")
    smtp_server.wait_for(INVITEES // 10, timeout=120)

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushall()
    assert smtp_server.count < INVITEES, "the wipe must come in the middle of the run"
    wait_until_everyone_received(smtp_server, addresses, timeout=120)

    counts = invitations_received(smtp_server)
    assert set(counts) == addresses
    assert set(counts.values()) == {1}, "no worker died: nothing may arrive twice"
