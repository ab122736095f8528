"""Reads: who sees what (a key sees what an anonymous visitor sees, plus its scopes),
pagination, filters and query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from alliance.core.api.scopes import Scope
from campaigns.models import Campaign, Convening
from members.models import Membership, Organisation
from statements.models import Signature, Statement, StatementText
from tests.factories import (
    CampaignFactory,
    ContactFactory,
    ConveningFactory,
    FocusAreaFactory,
    InvitationFactory,
    MembershipFactory,
    MomentFactory,
    NationalAllianceFactory,
    OrganisationFactory,
    SignatureFactory,
    StatementFactory,
)

LISTS = [
    "/api/v1/organisations/",
    "/api/v1/focus-areas/",
    "/api/v1/national-alliances/",
    "/api/v1/statements/",
    "/api/v1/convenings/",
    "/api/v1/memberships/",
    "/api/v1/campaigns/",
]


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def members_of(alliance, count, **fields):
    return [
        MembershipFactory(
            national_alliance=alliance, organisation=OrganisationFactory(**fields)
        ).organisation
        for _ in range(count)
    ]


@pytest.fixture
def published(uganda_member):
    statement = StatementFactory(status=Statement.Status.PUBLISHED, published_at=timezone.now())
    SignatureFactory(statement=statement, organisation=uganda_member)
    return statement


# --- Scopes -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    "scopes, expected",
    [
        ([Scope.READ], 200),
        ([Scope.READ, Scope.READ_CONTACTS], 200),
        ([Scope.WRITE_SIGNATURES], 403),
        ([Scope.WRITE_MEMBERS], 403),
        ([], 403),
    ],
)
def test_reading_a_list_needs_the_read_scope(api, make_key, url, scopes, expected):
    response = api(make_key(*scopes)).get(url)
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["error"]["code"] == "insufficient_scope"


@pytest.mark.django_db
def test_reading_signatures_and_details_needs_the_read_scope(api, make_key, published):
    no_read = api(make_key(Scope.WRITE_SIGNATURES))
    for url in [
        f"/api/v1/statements/{published.pk}/",
        f"/api/v1/statements/{published.pk}/signatures/",
        f"/api/v1/organisations/{published.signatures.get().organisation_id}/",
    ]:
        assert no_read.get(url).status_code == 403
        assert api(make_key(Scope.READ)).get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona",
    [
        "convenor",
        "superuser_convenor",
        "uganda_coordinator",
        "brazil_coordinator",
        "representative",
        "outsider",
    ],
)
def test_every_logged_in_persona_may_browse_the_api_with_its_session(client_for, personas, persona):
    for url in LISTS:
        assert client_for(personas[persona]).get(url).status_code == 200


@pytest.mark.django_db
def test_anonymous_visitor_without_a_key_is_refused(client):
    for url in LISTS:
        assert client.get(url).status_code == 401


# --- Visibility -------------------------------------------------------------------------


@pytest.mark.django_db
def test_key_sees_public_member_profiles_only(api, read_key, uganda_member, uganda):
    at_risk = OrganisationFactory(listed_publicly=False)
    MembershipFactory(organisation=at_risk, national_alliance=uganda)
    applicant = OrganisationFactory()
    MembershipFactory(
        organisation=applicant, national_alliance=None, status=Membership.Status.APPLIED
    )
    assert ids(api(read_key).get("/api/v1/organisations/")) == [uganda_member.pk]
    assert api(read_key).get(f"/api/v1/organisations/{at_risk.pk}/").status_code == 404


@pytest.mark.django_db
def test_contacts_only_with_the_contacts_scope(api, read_key, contacts_key, representative):
    ContactFactory(organisation=representative.contact.organisation, erased_at=timezone.now())
    public = api(read_key).get("/api/v1/organisations/").json()["results"][0]
    assert "contacts" not in public
    assert "rep@kapchorwa.test" not in str(public)
    full = api(contacts_key).get("/api/v1/organisations/").json()["results"][0]
    assert [contact["email"] for contact in full["contacts"]] == ["rep@kapchorwa.test"]


@pytest.mark.django_db
def test_key_never_sees_drafts_or_statements_circulating_to_invited_organisations(
    api, read_key, published
):
    StatementFactory(status=Statement.Status.DRAFT)
    StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.INVITED)
    open_to_anyone = StatementFactory(
        status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE
    )
    assert set(ids(api(read_key).get("/api/v1/statements/"))) == {
        published.pk,
        open_to_anyone.pk,
    }


@pytest.mark.django_db
def test_statement_carries_its_current_text_in_every_language(api, read_key, published):
    version = published.versions.create(number=2)
    StatementText.objects.create(version=version, language="fr", title="Titre", body="Texte")
    StatementText.objects.create(version=version, language="en", title="Title", body="Text")
    row = api(read_key).get(f"/api/v1/statements/{published.pk}/").json()
    assert row["version"] == 2
    assert [(text["language"], text["title"]) for text in row["texts"]] == [
        ("en", "Title"),
        ("fr", "Titre"),
    ]
    assert row["signature_count"] == 1


@pytest.mark.django_db
def test_public_keys_never_see_the_names_of_signatures_counted_only(
    api, read_key, contacts_key, published
):
    hidden = SignatureFactory(statement=published, listed_publicly=False)
    SignatureFactory(statement=published, status=Signature.Status.PENDING_MODERATION)
    url = f"/api/v1/statements/{published.pk}/signatures/"
    public = api(read_key).get(url)
    assert hidden.pk not in ids(public)
    assert hidden.organisation.name not in public.content.decode()
    assert "email" not in public.json()["results"][0]
    # read:contacts adds emails, never rows: a key acting for nobody sees what the public sees.
    with_contacts = api(contacts_key).get(url).json()["results"]
    assert {row["id"] for row in with_contacts} == set(ids(public))
    assert hidden.pk not in {row["id"] for row in with_contacts}
    assert all("email" in row for row in with_contacts)
    assert api(read_key).get(f"/api/v1/statements/{published.pk}/").json()["signature_count"] == 2


@pytest.mark.django_db
def test_signatures_of_a_statement_a_key_cannot_see_are_not_found(api, contacts_key):
    draft = StatementFactory(status=Statement.Status.DRAFT)
    SignatureFactory(statement=draft)
    response = api(contacts_key).get(f"/api/v1/statements/{draft.pk}/signatures/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def session(api, user):
    """The API browsed with `user`'s session: it reads what the pages show them."""
    client = api(None)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_convenings_show_what_the_pages_show_and_never_an_online_link(
    api, read_key, uganda, brazil, uganda_coordinator
):
    scheduled = ConveningFactory(national_alliance=uganda, online_link="https://meet.example/x")
    ConveningFactory(national_alliance=brazil)
    assert ids(api(read_key).get("/api/v1/convenings/")) == []
    response = session(api, uganda_coordinator).get("/api/v1/convenings/")
    assert ids(response) == [scheduled.pk]
    assert "meet.example" not in response.content.decode()
    assert response.json()["results"][0]["national_alliance"] == uganda.slug


# --- Pagination, filters, ordering ------------------------------------------------------


@pytest.mark.django_db
def test_cursor_pages_walk_every_row_once_and_page_size_is_capped(api, read_key, uganda):
    members_of(uganda, 7)
    client = api(read_key)
    seen, url = [], "/api/v1/organisations/?page_size=3"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 3
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7
    capped = client.get("/api/v1/organisations/?page_size=1000").json()
    assert capped["next"] is None  # 7 < 100: capped at 100 rather than refused
    assert "count" not in capped


@pytest.mark.django_db
def test_cursor_pages_ordered_by_a_shared_time_walk_every_row_once(api, read_key, uganda):
    # A CSV import updates many rows in the same instant: the id breaks the ties.
    organisations = members_of(uganda, 7)
    Organisation.objects.update(updated_at=timezone.now())
    client = api(read_key)
    seen, url = [], "/api/v1/organisations/?page_size=2&ordering=-updated_at"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted((o.pk for o in organisations), reverse=True)


@pytest.mark.django_db
def test_page_size_above_the_cap_gives_at_most_100(api, read_key, uganda):
    members_of(uganda, 101, country="UG")
    page = api(read_key).get("/api/v1/organisations/?page_size=500").json()
    assert len(page["results"]) == 100
    assert page["next"]


@pytest.mark.django_db
def test_organisations_filter_by_country_kind_alliance_and_updated_since(
    api, read_key, uganda, brazil
):
    ugandan = members_of(uganda, 2, country="UG", kind="union")
    brazilian = members_of(brazil, 1, country="BR", kind="movement")
    client = api(read_key)
    assert set(ids(client.get("/api/v1/organisations/?country=UG"))) == {o.pk for o in ugandan}
    assert ids(client.get("/api/v1/organisations/?kind=movement")) == [brazilian[0].pk]
    assert ids(client.get(f"/api/v1/organisations/?alliance={brazil.slug}")) == [brazilian[0].pk]
    cutoff = timezone.now()
    later = ugandan[0]
    later.city = "Gulu"
    later.save()
    since = cutoff.isoformat().replace("+00:00", "Z")
    assert ids(client.get("/api/v1/organisations/", {"updated_since": since})) == [later.pk]
    bad = client.get("/api/v1/organisations/?kind=spaceship")
    assert bad.status_code == 400
    assert "kind" in bad.json()["error"]["fields"]


@pytest.mark.django_db
def test_organisations_filter_by_focus_area_and_order_by_update(api, read_key, uganda):
    first, second = members_of(uganda, 2)
    tax = FocusAreaFactory(slug="tax-justice")
    second.focus_areas.add(tax)
    client = api(read_key)
    assert ids(client.get("/api/v1/organisations/?focus_area=tax-justice")) == [second.pk]
    first.save()  # the most recently updated
    assert ids(client.get("/api/v1/organisations/?ordering=-updated_at"))[0] == first.pk


@pytest.mark.django_db
def test_statements_and_convenings_filter_by_status(
    api, read_key, published, uganda, brazil, convenor
):
    closed = StatementFactory(status=Statement.Status.CLOSED)
    assert ids(api(read_key).get("/api/v1/statements/?status=closed")) == [closed.pk]
    client = session(api, convenor)
    ugandan = ConveningFactory(national_alliance=uganda)
    ConveningFactory(national_alliance=brazil, status=Convening.Status.CANCELLED)
    assert ids(client.get(f"/api/v1/convenings/?alliance={uganda.slug}")) == [ugandan.pk]
    assert ids(client.get("/api/v1/convenings/?country=UG&status=scheduled")) == [ugandan.pk]


# --- Query counts -----------------------------------------------------------------------


def _fill(uganda, count):
    for organisation, country in zip(members_of(uganda, count), ["KE", "TZ", "GH"], strict=False):
        focus = FocusAreaFactory()
        NationalAllianceFactory(country=country)
        organisation.focus_areas.add(focus)
        ContactFactory(organisation=organisation)
        campaign = CampaignFactory()
        campaign.focus_areas.add(focus)
        campaign.national_alliances.add(uganda)
        moment = MomentFactory(campaign=campaign)
        statement = StatementFactory(status=Statement.Status.PUBLISHED, moment=moment)
        statement.focus_areas.add(focus)
        SignatureFactory(statement=statement, organisation=organisation)
        ConveningFactory(
            national_alliance=uganda,
            moment=moment,
            starts_at=timezone.now() + dt.timedelta(days=len(statement.slug)),
        )
    return statement


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        *LISTS,
        "/api/v1/statements/{statement}/signatures/",
    ],
)
def test_list_queries_do_not_grow_with_the_page_size(
    api, contacts_key, uganda, uganda_coordinator, django_assert_max_num_queries, url
):
    statement = _fill(uganda, 3)
    for _ in range(6):
        SignatureFactory(statement=statement)
    url = url.format(statement=statement.pk)
    # A key sees no convening (nor does an anonymous visitor): count a coordinator's.
    client = session(api, uganda_coordinator) if "convenings" in url else api(contacts_key)
    client.get(url)  # last_used_at written once, outside the count
    with django_assert_max_num_queries(7) as small:
        assert len(client.get(url + "?page_size=1").json()["results"]) == 1
    with django_assert_max_num_queries(7) as large:
        assert len(client.get(url + "?page_size=100").json()["results"]) > 1
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Memberships, campaigns, convenings ------------------------------------------------


@pytest.mark.django_db
def test_key_sees_approved_memberships_of_public_members_only(api, read_key, uganda, brazil):
    public = MembershipFactory(national_alliance=uganda)
    MembershipFactory(national_alliance=uganda, status=Membership.Status.APPLIED)
    MembershipFactory(national_alliance=brazil, status=Membership.Status.DECLINED)
    MembershipFactory(
        national_alliance=uganda, organisation=OrganisationFactory(listed_publicly=False)
    )
    client = api(read_key)
    assert ids(client.get("/api/v1/memberships/")) == [public.pk]
    row = client.get(f"/api/v1/memberships/{public.pk}/").json()
    assert row == {
        "id": public.pk,
        "organisation": public.organisation_id,
        "national_alliance": uganda.slug,
        "status": "approved",
        "principles_version": public.principles.version,
        "applied_at": row["applied_at"],
        "decided_at": None,
        "joined_at": row["joined_at"],
    }


@pytest.mark.django_db
def test_membership_a_key_cannot_see_is_not_found(api, read_key, uganda):
    applied = MembershipFactory(national_alliance=uganda, status=Membership.Status.APPLIED)
    response = api(read_key).get(f"/api/v1/memberships/{applied.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_coordinator_session_sees_its_alliance_applications_not_the_others(
    client_for, uganda_coordinator, uganda, brazil
):
    ours = MembershipFactory(national_alliance=uganda, status=Membership.Status.APPLIED)
    MembershipFactory(national_alliance=brazil, status=Membership.Status.APPLIED)
    response = client_for(uganda_coordinator).get("/api/v1/memberships/?status=applied")
    assert ids(response) == [ours.pk]


@pytest.mark.django_db
def test_memberships_filter_by_alliance_status_organisation_and_updated_since(
    api, read_key, uganda, brazil
):
    ugandan = MembershipFactory(national_alliance=uganda)
    brazilian = MembershipFactory(national_alliance=brazil)
    international = MembershipFactory(national_alliance=None)
    client = api(read_key)
    assert ids(client.get(f"/api/v1/memberships/?alliance={brazil.slug}")) == [brazilian.pk]
    assert ids(client.get("/api/v1/memberships/?alliance=international")) == [international.pk]
    assert ids(client.get(f"/api/v1/memberships/?organisation={ugandan.organisation_id}")) == [
        ugandan.pk
    ]
    cutoff = timezone.now()
    Membership.objects.filter(pk=ugandan.pk).update(decided_at=cutoff + dt.timedelta(seconds=1))
    since = cutoff.isoformat().replace("+00:00", "Z")
    assert ids(client.get("/api/v1/memberships/", {"updated_since": since})) == [ugandan.pk]
    assert ids(client.get("/api/v1/memberships/?status=approved&ordering=applied_at")) == [
        ugandan.pk,
        brazilian.pk,
        international.pk,
    ]
    assert client.get("/api/v1/memberships/?status=pending").status_code == 400


@pytest.mark.django_db
def test_campaign_shows_its_timeline_with_the_statements_and_convenings_a_reader_may_see(
    api, read_key, uganda, uganda_coordinator
):
    campaign = CampaignFactory(title="Fight Inequality")
    davos = MomentFactory(campaign=campaign, date=dt.date(2026, 1, 20))
    earlier = MomentFactory(campaign=campaign, title="Launch", date=dt.date(2025, 6, 1))
    published = StatementFactory(status=Statement.Status.PUBLISHED, moment=davos)
    StatementFactory(status=Statement.Status.DRAFT, moment=davos)
    scheduled = ConveningFactory(national_alliance=uganda, moment=davos)
    draft = ConveningFactory(national_alliance=uganda, moment=davos, status=Convening.Status.DRAFT)
    CampaignFactory(status=Campaign.Status.PLANNING)
    CampaignFactory(is_public=False)
    client = api(read_key)
    assert ids(client.get("/api/v1/campaigns/")) == [campaign.pk]
    row = client.get(f"/api/v1/campaigns/{campaign.pk}/").json()
    assert [moment["id"] for moment in row["moments"]] == [earlier.pk, davos.pk]
    assert row["moments"][1]["statements"] == [published.pk]
    assert row["moments"][1]["convenings"] == []
    assert row["moments"][0]["statements"] == row["moments"][0]["convenings"] == []
    as_coordinator = session(api, uganda_coordinator).get(f"/api/v1/campaigns/{campaign.pk}/")
    # Their own alliance's drafts too, as on the campaign's page.
    assert as_coordinator.json()["moments"][1]["convenings"] == [scheduled.pk, draft.pk]


@pytest.mark.django_db
def test_campaigns_in_planning_are_not_found(api, read_key):
    planning = CampaignFactory(status=Campaign.Status.PLANNING)
    assert api(read_key).get(f"/api/v1/campaigns/{planning.pk}/").status_code == 404


@pytest.mark.django_db
def test_campaigns_filter_by_status_focus_area_and_alliance(api, read_key, uganda):
    active = CampaignFactory()
    concluded = CampaignFactory(status=Campaign.Status.CONCLUDED)
    active.focus_areas.add(FocusAreaFactory(slug="tax-justice"))
    concluded.national_alliances.add(uganda)
    client = api(read_key)
    assert ids(client.get("/api/v1/campaigns/?status=concluded")) == [concluded.pk]
    assert ids(client.get("/api/v1/campaigns/?focus_area=tax-justice")) == [active.pk]
    assert ids(client.get(f"/api/v1/campaigns/?alliance={uganda.slug}")) == [concluded.pk]


@pytest.mark.django_db
def test_convening_detail_never_shows_the_online_link_nor_a_draft_to_the_invited(
    api, read_key, uganda, uganda_member, representative
):
    scheduled = ConveningFactory(national_alliance=uganda, online_link="https://meet.example/x")
    draft = ConveningFactory(national_alliance=uganda, status=Convening.Status.DRAFT)
    for convening in (scheduled, draft):
        InvitationFactory(convening=convening, organisation=uganda_member)
    client = session(api, representative)
    response = client.get(f"/api/v1/convenings/{scheduled.pk}/")
    assert response.json()["id"] == scheduled.pk
    assert "meet.example" not in response.content.decode()
    assert client.get(f"/api/v1/convenings/{draft.pk}/").status_code == 404
    assert api(read_key).get(f"/api/v1/convenings/{scheduled.pk}/").status_code == 404


# --- Signature counts ------------------------------------------------------------------


@pytest.mark.django_db
def test_signature_count_is_the_stored_count_once_the_task_has_counted(api, read_key, published):
    url = f"/api/v1/statements/{published.pk}/"
    assert api(read_key).get(url).json()["signature_count"] == 1  # not counted yet: live
    Statement.objects.filter(pk=published.pk).update(counted_signatures=41)
    SignatureFactory(statement=published)  # the task has not run since
    assert api(read_key).get(url).json()["signature_count"] == 41
    listed = api(read_key).get("/api/v1/statements/").json()["results"]
    assert [row["signature_count"] for row in listed] == [41]
