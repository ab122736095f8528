"""Redis stopped while a convening is scheduled: the organiser's pages still answer and
save (the rows are the truth; `alliance.core.queueing.enqueue` tolerates the outage), and once
Redis is back every invitee receives the invitation exactly once, sent by the periodic
catch-up (beat) that finds the invitations nobody was told about.

Real services: a Redis of the test's own (stopped and started by its PID), a Celery
worker and beat on it, PostgreSQL and the aiosmtpd server.
"""

import time

import pytest
from django.urls import reverse

from campaigns.models import Convening, Invitation
from members.models import Organisation
from tests.factories import ContactFactory, OrganisationFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

INVITEES = 200
# After Redis restarts: the worker and beat reconnect (Celery retries every few seconds),
# the catch-up runs every OUTBOX_SWEEP_INTERVAL_SECONDS (2 s in tests) and finds
# invitations older than OUTBOX_REQUEUE_AFTER_SECONDS (5 s), and 200 emails take about a
# second. Measured 10 to 20 s on a shared 2-core machine; the bound leaves room.
DELIVERED_WITHIN_SECONDS = 60
QUIET_SECONDS = 3  # more than one sweep: a late duplicate has arrived by then


def invitations_received(smtp_server, convening) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in smtp_server.messages:
        if message.key and message.key.startswith(f"convening:{convening.pk}:0:invitation:"):
            for recipient in message.recipients:
                counts[recipient] = counts.get(recipient, 0) + 1
    return counts


def test_redis_stopped_while_a_convening_is_scheduled_every_invitation_arrives_once_it_is_back(
    own_broker, smtp_server, client_for, convenor
):
    smtp_server.clear()
    draft = Convening.objects.create(
        title="Kenya national assembly",
        slug="kenya-national-assembly",
        scope=Convening.Scope.INTERNATIONAL,
        starts_at="2030-03-02T07:00:00Z",
        ends_at="2030-03-02T15:00:00Z",
        time_zone="Africa/Nairobi",
        venue="Nairobi",
        status=Convening.Status.DRAFT,
    )
    organisations = OrganisationFactory.create_batch(
        INVITEES, country="KE", kind=Organisation.Kind.TRADE_UNION
    )
    addresses = {ContactFactory(organisation=o, language="en").email for o in organisations}
    client = client_for(convenor)

    own_broker.redis.stop()
    started = time.monotonic()
    scheduled = client.post(reverse("campaigns:convening_schedule", args=[draft.slug]))
    invited = client.post(
        reverse("campaigns:invite", args=[draft.slug]),
        {"country": "KE", "kind": Organisation.Kind.TRADE_UNION, "status": ""},
    )
    request_seconds = time.monotonic() - started

    assert scheduled.status_code == 302 and invited.status_code == 302
    assert request_seconds < 10, "a broker outage must not hang the organiser's pages"
    draft.refresh_from_db()
    assert draft.status == Convening.Status.SCHEDULED
    invitations = Invitation.objects.filter(convening=draft)
    assert invitations.count() == INVITEES
    assert not invitations.exclude(notified_sequence=None).exists(), "nobody was told yet"
    time.sleep(2)
    assert invitations_received(smtp_server, draft) == {}

    own_broker.redis.start()
    restarted = time.monotonic()
    deadline = restarted + DELIVERED_WITHIN_SECONDS
    while not addresses <= set(invitations_received(smtp_server, draft)):
        if time.monotonic() > deadline:
            missing = addresses - set(invitations_received(smtp_server, draft))
            raise AssertionError(
                f"{len(missing)} of {INVITEES} invitees got nothing {DELIVERED_WITHIN_SECONDS}"
                f" s after Redis came back\n{own_broker.worker.log_tail()}"
            )
        time.sleep(0.5)
    delivered_seconds = time.monotonic() - restarted
    time.sleep(QUIET_SECONDS)

    counts = invitations_received(smtp_server, draft)
    assert set(counts) == addresses
    assert set(counts.values()) == {1}, "no worker died: nothing may arrive twice"
    assert delivered_seconds <= DELIVERED_WITHIN_SECONDS
    print(f"all {INVITEES} invitations delivered {delivered_seconds:.1f} s after Redis restarted")
