"""Inviting 10,000 organisations returns at once, and the convening's page shows the
fan-out's progress while the workers write the emails (issue 5, Invitations).

The request writes the invitations and queues the fan-out on commit; it renders no
email. The fan-out batches are then run in-process, one task at a time, as a worker
would, and the page's figure is read between them.
"""

import re

import pytest
from django.urls import reverse

from alliance.core.outbox.models import OutgoingMessage
from campaigns import services
from campaigns.models import Invitation
from members.models import Contact, Organisation
from tests.factories import ContactFactory, OrganisationFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ORGANISATIONS = 10_000
PROGRESS = re.compile(r"(\d+) of (\d+) organisations written")


def create_organisations_with_a_contact(count: int) -> None:
    organisations = Organisation.objects.bulk_create(
        [
            OrganisationFactory.build(name=f"Scale {n}", slug=f"scale-{n}", country="KE")
            for n in range(count)
        ],
        batch_size=2000,
    )
    Contact.objects.bulk_create(
        [
            ContactFactory.build(organisation=organisation, email=f"scale{n}@example.org")
            for n, organisation in enumerate(organisations)
        ],
        batch_size=2000,
    )


def progress_shown(client, convening) -> tuple[int, int]:
    page = client.get(reverse("campaigns:convening", args=[convening.slug]))
    assert page.status_code == 200
    (written, total) = PROGRESS.search(page.content.decode()).groups()
    return int(written), int(total)


def test_inviting_ten_thousand_organisations_returns_at_once_and_shows_progress(
    international_convening, convenor, client_for, django_capture_on_commit_callbacks
):
    create_organisations_with_a_contact(ORGANISATIONS)
    client = client_for(convenor)

    # The organiser's wait is the invitation rows alone (two INSERT ... SELECT statements
    # on PostgreSQL, 0.3 s here for 10,000); how fast is for bench/fanout.py, what is
    # done in the request is asserted here: no email is rendered or written in it.
    with django_capture_on_commit_callbacks() as on_commit:
        invitation_ids = services.invite_organisations(
            convening=international_convening,
            organisations=Organisation.objects.filter(country="KE"),
            invited_by=convenor,
        )

    assert len(invitation_ids) == ORGANISATIONS
    assert not OutgoingMessage.objects.exists(), "no email is written in the request"
    assert on_commit, "the fan-out is queued when the invitations commit"
    assert progress_shown(client, international_convening) == (0, ORGANISATIONS)

    seen = []
    batch_size = services.FANOUT_BATCH_SIZE
    for start in range(0, ORGANISATIONS, batch_size):
        # What one worker task does (campaigns.tasks.notify_invitees).
        services.notify_invitees(
            convening_id=international_convening.pk,
            invitation_ids=invitation_ids[start : start + batch_size],
        )
        if start // batch_size % 10 == 0:
            seen.append(progress_shown(client, international_convening)[0])

    assert seen == sorted(seen) and len(set(seen)) == len(seen), "the figure only moves up"
    assert 0 < seen[0] < ORGANISATIONS
    assert progress_shown(client, international_convening) == (ORGANISATIONS, ORGANISATIONS)
    assert OutgoingMessage.objects.count() == ORGANISATIONS
    assert not Invitation.objects.filter(notified_sequence=None).exists()
