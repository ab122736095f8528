"""Every OSDI list reads a fixed number of queries per page, however many rows it has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Convening
from tests.factories import (
    ContactFactory,
    FocusAreaFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    SignatureFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def grow(osdi_world, uganda):
    """More of every kind of row the lists show."""
    for number in range(4):
        organisation = OrganisationFactory(name=f"Grown {number}")
        MembershipFactory(organisation=organisation, national_alliance=uganda)
        contact = ContactFactory(organisation=organisation)
        SignatureFactory(
            statement=osdi_world["published"], organisation=organisation, contact=contact
        )
        FocusAreaFactory(name=f"Area {number}")
        statement = StatementFactory(status="published", audience="anyone")
        statement.focus_areas.add(*FocusAreaFactory._meta.model.objects.all()[:2])
        osdi_world["invitation"].contacts.add(ContactFactory(organisation=osdi_world["member"]))
        convening = Convening.objects.get(pk=osdi_world["convening"].pk)
        convening.pk, convening.slug = None, ""
        convening.save()
        InvitationFactory(convening=convening, organisation=osdi_world["member"]).contacts.add(
            osdi_world["rep_contact"]
        )


def lists(osdi_world) -> list[str]:
    return [
        "/osdi/v1/petitions",
        f"/osdi/v1/petitions/{osdi_world['published'].pk}/signatures",
        "/osdi/v1/people",
        f"/osdi/v1/people/{osdi_world['listed'][0].contact_id}/signatures",
        "/osdi/v1/events",
        f"/osdi/v1/events/{osdi_world['convening'].pk}/attendances",
        f"/osdi/v1/people/{osdi_world['rep_contact'].pk}/attendances",
        "/osdi/v1/tags",
    ]


def count(client, path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(path)
    assert answer.status_code == 200, path
    return len(queries), answer.json()["total_records"]


def test_query_count_is_constant_per_page(osdi_world, osdi_keys, osdi, uganda, settings):
    settings.OSDI_COUNT_SECONDS = 0  # count on every request, as when the cache is cold
    client = osdi(osdi_keys["convenor"])
    client.get("/osdi/v1/tags")  # the key's last use is written once a minute, not now
    before = {path: count(client, path) for path in lists(osdi_world)}
    grow(osdi_world, uganda)
    after = {path: count(client, path) for path in lists(osdi_world)}
    for path in before:
        if path.endswith("/signatures") and "people" in path:
            continue  # one signature per person: nothing grows there
        assert after[path][1] > before[path][1], f"{path} did not grow"
        assert after[path][0] == before[path][0], path
