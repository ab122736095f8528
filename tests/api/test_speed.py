"""The organisation and membership lists write their pages without DRF's serializers
(members.api.serializers `organisation_rows`, `membership_rows`), for speed. The declared
serializers remain the contract: these tests hold the fast output equal to theirs, field
for field and in the same order."""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from alliance.core.api.scopes import Scope
from members.api.serializers import (
    ORGANISATION_COLUMNS,
    MembershipSerializer,
    OrganisationSerializer,
    OrganisationWithContactsSerializer,
    organisation_rows,
)
from members.api.views import (
    current_contacts,
    memberships_for,
    organisations_for,
    related_slugs,
    with_related_slugs,
)
from members.models import Membership, Organisation
from tests.factories import (
    ContactFactory,
    FocusAreaFactory,
    MembershipFactory,
    NationalAllianceFactory,
    OrganisationFactory,
)


@pytest.fixture
def varied_members(db):
    """Members whose profiles use every kind of value the list writes."""
    uganda, kenya = NationalAllianceFactory(country="UG"), NationalAllianceFactory(country="KE")
    land, tax = FocusAreaFactory(name="Land rights"), FocusAreaFactory(name="Tax justice")
    plain = OrganisationFactory(name="Abaana", short_name="", city="", languages=[])
    MembershipFactory(organisation=plain, national_alliance=uganda)

    busy = OrganisationFactory(
        name="Bukedi Women",
        short_name="BW",
        kind=Organisation.Kind.TRADE_UNION,
        country="KE",
        website="https://bukedi.example.org",
        description="Organises *market* traders.",
        languages=["en", "sw"],
        created_at=timezone.now() - dt.timedelta(days=400, microseconds=17),
    )
    busy.focus_areas.set([tax, land])
    MembershipFactory(organisation=busy, national_alliance=kenya)
    MembershipFactory(organisation=busy, national_alliance=uganda)
    ContactFactory(organisation=busy, name="Zawadi", role="Chair", language="sw")
    ContactFactory(organisation=busy, name="Amina", authorised_to_sign=False)
    ContactFactory(organisation=busy, name="Erased", erased_at=timezone.now())

    # A member of the international alliance only, and one whose second application
    # (not live) must not be listed among its alliances.
    international = OrganisationFactory(name="Coalition Globale", country="FR")
    MembershipFactory(organisation=international, national_alliance=None)
    MembershipFactory(
        organisation=international, national_alliance=kenya, status=Membership.Status.APPLIED
    )
    return [plain, busy, international]


def declared_output(with_contacts: bool) -> list[dict]:
    """The page as the declared serializers write it, through the JSON renderer."""
    reader = SimpleNamespace(
        request=SimpleNamespace(user=AnonymousUser()), has_scope=lambda scope: with_contacts
    )
    organisations = with_related_slugs(list(organisations_for(reader).order_by("name", "id")))
    serializer = OrganisationWithContactsSerializer if with_contacts else OrganisationSerializer
    return json.loads(JSONRenderer().render(serializer(organisations, many=True).data))


def in_order(rows: list[dict]) -> list[list[tuple]]:
    """Rows as lists of (field, value) pairs: equal only with the fields in the same order."""
    return [
        [(field, in_order(value) if field == "contacts" else value) for field, value in row.items()]
        for row in rows
    ]


@pytest.mark.parametrize(
    "scopes", [[Scope.READ], [Scope.READ, Scope.READ_CONTACTS]], ids=["read", "read-contacts"]
)
def test_organisation_list_writes_what_the_declared_serializer_writes(
    api, make_key, varied_members, scopes
):
    response = api(make_key(*scopes)).get("/api/v1/organisations/?page_size=100")

    assert response.status_code == 200
    listed = response.json()["results"]
    assert len(listed) == len(varied_members)
    assert in_order(listed) == in_order(declared_output(Scope.READ_CONTACTS in scopes))


def test_contacts_appear_only_with_the_contacts_scope_in_the_fast_output(
    api, make_key, varied_members
):
    public = api(make_key(Scope.READ)).get("/api/v1/organisations/").json()["results"]
    full = api(make_key(Scope.READ, Scope.READ_CONTACTS)).get("/api/v1/organisations/").json()

    assert all("contacts" not in row for row in public)
    busy = next(row for row in full["results"] if row["name"] == "Bukedi Women")
    assert [contact["name"] for contact in busy["contacts"]] == ["Amina", "Zawadi"]


@pytest.mark.django_db
def test_fast_output_writes_times_in_the_current_time_zone_as_the_serializer_does(
    varied_members,
):
    rows = list(
        Organisation.objects.filter(pk__in=[o.pk for o in varied_members])
        .order_by("name", "id")
        .values(*ORGANISATION_COLUMNS)
    )
    ids = [row["id"] for row in rows]
    focus_areas, alliances = related_slugs(ids)

    with timezone.override("America/Sao_Paulo"):
        fast = organisation_rows(
            rows, focus_areas=focus_areas, alliances=alliances, contacts=current_contacts(ids)
        )
        declared = declared_output(with_contacts=True)

    assert fast[0]["created_at"].endswith("-03:00")
    assert in_order(json.loads(JSONRenderer().render(fast))) == in_order(declared)


@pytest.mark.django_db
def test_membership_list_writes_what_the_declared_serializer_writes(api, read_key, varied_members):
    decided = Membership.objects.filter(organisation=varied_members[0]).get()
    decided.decided_at = timezone.now() - dt.timedelta(hours=5)
    decided.save()

    listed = api(read_key).get("/api/v1/memberships/?page_size=100").json()["results"]

    memberships = memberships_for(AnonymousUser()).order_by("-applied_at", "-id")
    declared = json.loads(JSONRenderer().render(MembershipSerializer(memberships, many=True).data))
    assert len(listed) == 4
    assert None in {row["national_alliance"] for row in listed}
    assert in_order(listed) == in_order(declared)
