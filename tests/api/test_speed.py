"""The organisation and membership lists read plain `.values()` rows, which the declared
serializers write as they write one model row. These tests hold each list page equal to
the detail pages of the same rows (model instances), field for field and in the same
order, through the API alone."""

import datetime as dt

import pytest
from django.utils import timezone

from alliance.core.api.scopes import Scope
from members.api.views import related_slugs, slug_arrays
from members.models import Membership, Organisation
from tests.factories import (
    ContactFactory,
    FocusAreaFactory,
    MembershipFactory,
    NationalAllianceFactory,
    OrganisationFactory,
    UserFactory,
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


def in_order(row: dict) -> list[tuple]:
    """A row as a list of (field, value) pairs: equal only with the fields in the same order."""
    return [
        (field, [in_order(item) for item in value] if field == "contacts" else value)
        for field, value in row.items()
    ]


def detail_pages(client, kind: str, rows: list[dict]) -> list[dict]:
    return [client.get(f"/api/v1/{kind}/{row['id']}/").json() for row in rows]


@pytest.mark.parametrize(
    "scopes", [[Scope.READ], [Scope.READ, Scope.READ_CONTACTS]], ids=["read", "read-contacts"]
)
def test_organisation_list_writes_each_row_as_its_detail_page(
    api, make_key, varied_members, scopes
):
    client = api(make_key(*scopes))

    response = client.get("/api/v1/organisations/?page_size=100")

    assert response.status_code == 200
    listed = response.json()["results"]
    assert len(listed) == len(varied_members)
    assert [in_order(row) for row in listed] == [
        in_order(row) for row in detail_pages(client, "organisations", listed)
    ]
    busy = next(row for row in listed if row["name"] == "Bukedi Women")
    assert busy["focus_areas"] == sorted(busy["focus_areas"]) and len(busy["focus_areas"]) == 2
    assert len(busy["national_alliances"]) == 2
    international = next(row for row in listed if row["name"] == "Coalition Globale")
    assert international["national_alliances"] == []


def test_contacts_appear_only_with_the_contacts_scope(api, make_key, varied_members):
    public = api(make_key(Scope.READ)).get("/api/v1/organisations/").json()["results"]
    full = api(make_key(Scope.READ, Scope.READ_CONTACTS)).get("/api/v1/organisations/").json()

    assert all("contacts" not in row for row in public)
    busy = next(row for row in full["results"] if row["name"] == "Bukedi Women")
    assert [contact["name"] for contact in busy["contacts"]] == ["Amina", "Zawadi"]
    assert list(busy["contacts"][0]) == [
        "id",
        "name",
        "email",
        "role",
        "language",
        "authorised_to_sign",
    ]


def test_list_writes_times_in_the_current_time_zone_as_the_detail_page(
    api, contacts_key, varied_members, settings
):
    settings.TIME_ZONE = "America/Sao_Paulo"
    client = api(contacts_key)

    listed = client.get("/api/v1/organisations/?page_size=100").json()["results"]

    assert all(row["created_at"].endswith("-03:00") for row in listed)
    assert [in_order(row) for row in listed] == [
        in_order(row) for row in detail_pages(client, "organisations", listed)
    ]


def test_list_writes_times_in_the_zone_of_each_request(api, read_key, varied_members):
    """The zone is read once per request, when the serializer is built: a person signed
    in from Kampala reads +03:00, and a key's request right after reads UTC again."""
    person = UserFactory(time_zone="Africa/Kampala")
    signed_in = api()
    signed_in.force_login(person)

    in_kampala = signed_in.get("/api/v1/organisations/?page_size=100").json()["results"]
    in_utc = api(read_key).get("/api/v1/organisations/?page_size=100").json()["results"]

    assert len(in_kampala) == len(varied_members)
    assert all(row["created_at"].endswith("+03:00") for row in in_kampala)
    assert all(row["updated_at"].endswith("+03:00") for row in in_kampala)
    assert all(row["created_at"].endswith("Z") for row in in_utc)
    assert [in_order(row) for row in in_kampala] == [
        in_order(row) for row in detail_pages(signed_in, "organisations", in_kampala)
    ]


def test_membership_list_writes_each_row_as_its_detail_page(api, read_key, varied_members):
    decided = Membership.objects.filter(organisation=varied_members[0]).get()
    decided.decided_at = timezone.now() - dt.timedelta(hours=5)
    decided.save()
    client = api(read_key)

    listed = client.get("/api/v1/memberships/?page_size=100").json()["results"]

    assert len(listed) == 4
    assert None in {row["national_alliance"] for row in listed}
    assert {row["organisation"] for row in listed} == {o.pk for o in varied_members}
    assert [in_order(row) for row in listed] == [
        in_order(row) for row in detail_pages(client, "memberships", listed)
    ]


@pytest.mark.parametrize("url", ["/api/v1/organisations/", "/api/v1/memberships/"])
def test_a_list_page_reads_the_same_queries_for_one_row_as_for_many(
    api, contacts_key, varied_members, django_assert_num_queries, url
):
    for _ in range(20):
        organisation = OrganisationFactory()
        MembershipFactory(organisation=organisation)
        ContactFactory(organisation=organisation)
    client = api(contacts_key)
    client.get(url)  # the key's last use is written once, outside the count
    # The key and the page; for organisations also contacts (the slugs of focus areas and
    # alliances come in the page's own query on PostgreSQL).
    expected = 2 if "organisations" in url else 1
    with django_assert_num_queries(expected + 1):
        assert len(client.get(url + "?page_size=1").json()["results"]) == 1
    with django_assert_num_queries(expected + 1):
        assert len(client.get(url + "?page_size=100").json()["results"]) > 20


def test_slug_arrays_read_what_the_other_databases_read(varied_members):
    """The page's arrays on PostgreSQL and `related_slugs` elsewhere give the same slugs
    in the same order, live memberships only."""
    rows = Organisation.objects.order_by("id").values("id").annotate(**slug_arrays())
    focus_areas, alliances = related_slugs([row["id"] for row in rows])

    assert [(row["focus_area_slugs"], row["alliance_slugs"]) for row in rows] == [
        (focus_areas[row["id"]], alliances[row["id"]]) for row in rows
    ]
    busy = next(row for row in rows if row["id"] == varied_members[1].pk)
    assert len(busy["focus_area_slugs"]) == 2 and len(busy["alliance_slugs"]) == 2
    international = next(row for row in rows if row["id"] == varied_members[2].pk)
    assert international["alliance_slugs"] == []


def test_list_reads_the_same_page_on_databases_without_arrays(
    api, contacts_key, varied_members, monkeypatch
):
    client = api(contacts_key)
    with_arrays = client.get("/api/v1/organisations/?page_size=100").json()

    monkeypatch.setattr("members.api.views.reads_slug_arrays", lambda: False)
    without = client.get("/api/v1/organisations/?page_size=100").json()

    assert without == with_arrays
    assert any(row["focus_areas"] and row["national_alliances"] for row in without["results"])
