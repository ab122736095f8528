"""The member directory: who sees which organisations, search, filters, sort, keyset
pagination, and a fixed number of queries per page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import directory
from members.models import Membership, Organisation, reach
from tests.factories import (
    ContactFactory,
    FocusAreaFactory,
    MembershipFactory,
    NationalAllianceFactory,
    OrganisationFactory,
)

URL = reverse("members:directory")
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="accent-insensitive search needs Postgres"
)


def names(response) -> list[str]:
    return [organisation.name for organisation in response.context["page"].organisations]


@pytest.fixture
def hidden_organisations(uganda, brazil):
    """An applicant to Uganda, an unlisted Ugandan member (at risk) and a declined
    Brazilian applicant: none of them in the public directory."""
    applicant = OrganisationFactory(name="Applicant Uganda", country="UG")
    MembershipFactory(
        organisation=applicant, national_alliance=uganda, status=Membership.Status.APPLIED
    )
    unlisted = OrganisationFactory(name="Unlisted Uganda", country="UG", listed_publicly=False)
    MembershipFactory(organisation=unlisted, national_alliance=uganda)
    declined = OrganisationFactory(name="Declined Brazil", country="BR")
    MembershipFactory(
        organisation=declined, national_alliance=brazil, status=Membership.Status.DECLINED
    )
    return {"applicant": applicant, "unlisted": unlisted, "declined": declined}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", {"Applicant Uganda", "Unlisted Uganda", "Declined Brazil"}),
        ("superuser_convenor", {"Applicant Uganda", "Unlisted Uganda", "Declined Brazil"}),
        ("uganda_coordinator", {"Applicant Uganda", "Unlisted Uganda"}),
        ("brazil_coordinator", {"Unlisted Uganda", "Declined Brazil"}),
        ("representative", {"Unlisted Uganda"}),
        ("outsider", set()),
        ("anonymous", set()),
    ],
)
def test_directory_shows_each_persona_what_their_role_may_see(
    personas, client_for, uganda_member, brazil_member, hidden_organisations, persona, expected
):
    response = client_for(personas[persona]).get(URL)

    assert response.status_code == 200
    shown = set(names(response))
    public = {uganda_member.name, brazil_member.name}
    assert shown - public == expected
    assert public <= shown


def test_search_finds_name_short_name_and_city_whatever_the_case(client, uganda):
    for name, short_name, city in [
        ("Tax Justice Network Africa", "TJNA", "Nairobi"),
        ("Oxfam Novib", "", "The Hague"),
        ("Federação de Órgãos", "FASE", "Rio de Janeiro"),
    ]:
        organisation = OrganisationFactory(name=name, short_name=short_name, city=city)
        MembershipFactory(organisation=organisation, national_alliance=uganda)

    assert names(client.get(URL, {"q": "justice"})) == ["Tax Justice Network Africa"]
    assert names(client.get(URL, {"q": "fase"})) == ["Federação de Órgãos"]
    assert names(client.get(URL, {"q": "HAGUE"})) == ["Oxfam Novib"]
    assert names(client.get(URL, {"q": "nothing like it"})) == []


@on_postgres
def test_search_ignores_accents_on_postgres(client, brazil_member):
    OrganisationFactory(name="Ação Cidadã", country="BR", city="Recife")
    MembershipFactory(
        organisation=Organisation.objects.get(name="Ação Cidadã"),
        national_alliance=brazil_member.memberships.get().national_alliance,
    )

    assert names(client.get(URL, {"q": "Sao Paulo"})) == [brazil_member.name]
    assert names(client.get(URL, {"q": "SÃO PAULO"})) == [brazil_member.name]
    assert names(client.get(URL, {"q": "acao cidada"})) == ["Ação Cidadã"]


def test_search_follows_a_renamed_organisation_however_it_is_saved(client, uganda_member):
    # The searched text is stored beside the row (Organisation.search_text): every way of
    # changing a name, a short name or a city must change what the search finds.
    uganda_member.name = "Harvest Cooperative"
    uganda_member.save(update_fields=["name"])
    assert names(client.get(URL, {"q": "harvest"})) == ["Harvest Cooperative"]

    Organisation.objects.filter(pk=uganda_member.pk).update(short_name="HCX", city="Gulu")
    assert names(client.get(URL, {"q": "hcx"})) == ["Harvest Cooperative"]
    assert names(client.get(URL, {"q": "gulu"})) == ["Harvest Cooperative"]
    assert names(client.get(URL, {"q": "harvest"})) == ["Harvest Cooperative"]


def test_filters_by_country_region_south_kind_focus_alliance_and_status(client_for, convenor):
    gender = FocusAreaFactory(slug="gender", name="Gender")
    kenya = NationalAllianceFactory(country="KE", name="Kenya alliance")
    nairobi = OrganisationFactory(name="Nairobi Women", country="KE", kind="womens_rights")
    nairobi.focus_areas.add(gender)
    MembershipFactory(organisation=nairobi, national_alliance=kenya)
    applicant = OrganisationFactory(name="Mombasa Union", country="KE", kind="union")
    MembershipFactory(
        organisation=applicant, national_alliance=kenya, status=Membership.Status.APPLIED
    )
    OrganisationFactory(name="Berlin Research", country="DE", kind="research")
    client = client_for(convenor)

    assert names(client.get(URL, {"country": "KE"})) == ["Mombasa Union", "Nairobi Women"]
    assert names(client.get(URL, {"region": "europe"})) == ["Berlin Research"]
    assert names(client.get(URL, {"south": "north"})) == ["Berlin Research"]
    assert "Berlin Research" not in names(client.get(URL, {"south": "south"}))
    assert names(client.get(URL, {"kind": "union"})) == ["Mombasa Union"]
    assert names(client.get(URL, {"focus": "gender"})) == ["Nairobi Women"]
    assert names(client.get(URL, {"alliance": kenya.slug})) == ["Mombasa Union", "Nairobi Women"]
    assert names(client.get(URL, {"alliance": kenya.slug, "status": "applied"})) == [
        "Mombasa Union"
    ]
    assert names(client.get(URL, {"status": "approved", "country": "KE"})) == ["Nairobi Women"]


def test_an_unknown_filter_value_is_reported_and_ignored(client_for, convenor, uganda_member):
    response = client_for(convenor).get(URL, {"kind": "pirates"})

    assert response.status_code == 200
    assert response.context["filters"].form.errors["kind"]
    assert names(response) == [uganda_member.name]


def test_sorts_by_name_country_and_newest(client_for, convenor):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    OrganisationFactory(name="Zambia First", country="ZM", created_at=now - dt.timedelta(days=3))
    OrganisationFactory(name="Argentina Later", country="AR", created_at=now - dt.timedelta(days=1))
    OrganisationFactory(name="Benin Newest", country="BJ", created_at=now)
    client = client_for(convenor)

    assert names(client.get(URL)) == ["Argentina Later", "Benin Newest", "Zambia First"]
    assert names(client.get(URL, {"sort": "country"})) == [
        "Argentina Later",
        "Benin Newest",
        "Zambia First",
    ]
    assert names(client.get(URL, {"sort": "newest"})) == [
        "Benin Newest",
        "Argentina Later",
        "Zambia First",
    ]


@pytest.mark.parametrize("sort", ["name", "country", "newest"])
def test_keyset_pages_walk_every_row_once_forwards_and_back(client_for, convenor, sort):
    # Equal names and countries: the id in the cursor must break the ties.
    for n in range(7):
        OrganisationFactory(name=f"Same {n % 2}", country=["UG", "KE"][n % 2])
    queryset = Organisation.objects.all()
    expected = [
        o.pk for o in queryset.order_by(*directory.ordering(directory.SORTS[sort], forward=True))
    ]
    seen, pages, cursor = [], [], ""
    while True:
        page = directory.page(queryset, directory.SORTS[sort], after=cursor, size=3)
        pages.append(page)
        seen += [o.pk for o in page.organisations]
        if not page.next_cursor:
            break
        cursor = page.next_cursor

    assert seen == expected
    assert len(pages) == 3
    assert pages[0].previous_cursor is None
    back = directory.page(queryset, directory.SORTS[sort], before=pages[2].previous_cursor, size=3)
    assert [o.pk for o in back.organisations] == [o.pk for o in pages[1].organisations]
    assert back.previous_cursor and back.next_cursor


def test_next_link_keeps_the_filters_and_carries_the_cursor(client_for, convenor):
    for n in range(55):
        OrganisationFactory(name=f"Kampala group {n:02}", country="UG")
    client = client_for(convenor)

    first = client.get(URL, {"country": "UG", "sort": "name"})
    assert len(names(first)) == 50
    link = re.search(r'rel="next" href="\?([^"]+)"', first.content.decode()).group(1)
    assert "country=UG" in link and "sort=name" in link and "after=" in link
    second = client.get(f"{URL}?{link.replace('&amp;', '&')}")

    assert names(second) == [f"Kampala group {n:02}" for n in range(50, 55)]
    assert 'rel="prev"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()


def test_a_cursor_edited_by_hand_starts_from_the_first_page(client_for, convenor, uganda_member):
    response = client_for(convenor).get(URL, {"after": "not-a-cursor!"})

    assert names(response) == [uganda_member.name]


@pytest.mark.parametrize(
    "persona", ["convenor", "superuser_convenor", "uganda_coordinator", "anonymous"]
)
def test_directory_runs_the_same_queries_for_5_or_50_rows(personas, client_for, uganda, persona):
    client = client_for(personas[persona])

    def count_queries() -> int:
        client.get(URL, {"q": "group", "country": "UG", "status": "approved"})  # warm caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"q": "group", "country": "UG", "status": "approved"})
        assert response.status_code == 200
        return len(queries), len(names(response))

    for n in range(5):
        MembershipFactory(
            organisation=OrganisationFactory(name=f"Group {n}"), national_alliance=uganda
        )
    few, shown = count_queries()
    assert shown == 5
    for n in range(5, 60):
        MembershipFactory(
            organisation=OrganisationFactory(name=f"Group {n}"), national_alliance=uganda
        )
    many, shown = count_queries()
    assert shown == 50

    assert few == many
    # Session and user, the viewer's role (visible_to, navigation, export link: up to
    # four), the page, its memberships, the count of results, the two lists of the
    # filter form.
    assert many <= 12


def test_the_filter_lists_are_read_once_each_as_plain_rows(client_for, convenor, uganda):
    FocusAreaFactory(slug="gender", name="Gender", translations={"fr": "Genre"})
    convenor.language = "fr"
    convenor.save(update_fields=["language"])
    with CaptureQueriesContext(connection) as queries:
        response = client_for(convenor).get(URL)
    sql = [query["sql"] for query in queries.captured_queries]

    # A server-side cursor costs three round trips where one query does.
    assert not [query for query in sql if query.startswith("DECLARE")]
    assert len([query for query in sql if 'FROM "members_focusarea"' in query]) == 1
    assert len([query for query in sql if 'FROM "members_nationalalliance"' in query]) == 1
    html = response.content.decode()
    assert '<option value="gender">Genre</option>' in html
    assert f'<option value="{uganda.slug}">{uganda.name}</option>' in html


def test_the_filter_lists_are_kept_from_page_to_page(client_for, convenor, uganda):
    client = client_for(convenor)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(URL, {"q": "Nairobi"}).content.decode()
    sql = [query["sql"] for query in queries.captured_queries]

    assert not [query for query in sql if 'FROM "members_focusarea"' in query]
    assert not [query for query in sql if 'FROM "members_nationalalliance"' in query]
    assert f'<option value="{uganda.slug}">{uganda.name}</option>' in html


def test_the_filter_lists_follow_a_renamed_alliance_and_a_deleted_focus_area(
    client_for, convenor, uganda
):
    land = FocusAreaFactory(slug="land", name="Land rights")
    client = client_for(convenor)
    assert '<option value="land">Land rights</option>' in client.get(URL).content.decode()

    uganda.name = "Uganda alliance, renamed"
    uganda.save()
    land.delete()

    html = client.get(URL).content.decode()
    assert f'<option value="{uganda.slug}">Uganda alliance, renamed</option>' in html
    assert 'value="land"' not in html


def test_the_filter_form_shows_each_view_its_own_values_errors_and_lists(client_for, convenor):
    client = client_for(convenor)
    client.get(URL, {"q": "Nairobi"})
    kenya = NationalAllianceFactory(country="KE", name="Kenya alliance")

    html = client.get(URL, {"q": "Nairobi"}).content.decode()
    assert f'<option value="{kenya.slug}">Kenya alliance</option>' in html
    assert 'value="Nairobi"' in html
    assert "field--invalid" not in html
    html = client.get(URL, {"kind": "pirates"}).content.decode()
    assert 'value="Nairobi"' not in html
    assert "field--invalid" in html


def test_htmx_request_gets_only_the_results(client_for, convenor, uganda_member):
    response = client_for(convenor).get(URL, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert uganda_member.name in html
    assert "<html" not in html


def test_status_filter_only_counts_memberships_the_viewer_may_see(
    client_for, personas, uganda_member, brazil
):
    # A Ugandan member that also applied to Brazil: only Brazil's coordinators (and
    # convenors) may learn of that application.
    MembershipFactory(
        organisation=uganda_member, national_alliance=brazil, status=Membership.Status.APPLIED
    )

    def applicants(persona):
        return names(client_for(personas[persona]).get(URL, {"status": "applied"}))

    assert applicants("convenor") == [uganda_member.name]
    assert applicants("superuser_convenor") == [uganda_member.name]
    assert applicants("brazil_coordinator") == [uganda_member.name]
    assert applicants("uganda_coordinator") == []
    assert applicants("representative") == [uganda_member.name]  # their own organisation
    assert applicants("outsider") == []
    assert applicants("anonymous") == []
    assert names(client_for(personas["outsider"]).get(URL, {"status": "approved"})) == [
        uganda_member.name
    ]


def test_what_a_person_reaches_is_read_in_one_query(
    uganda, brazil, uganda_coordinator, representative, outsider, uganda_member
):
    brazil.coordinators.add(representative)
    applicant = OrganisationFactory(name="Applicant")
    MembershipFactory(organisation=applicant, national_alliance=uganda, status="applied")
    ContactFactory(organisation=applicant, user=outsider)

    with CaptureQueriesContext(connection) as queries:
        reached = {
            persona: reach(user)
            for persona, user in [
                ("coordinator", uganda_coordinator),
                ("representative", representative),
                ("outsider", outsider),
            ]
        }

    assert len(queries) == 3
    assert reached["coordinator"] == ([uganda.pk], {})
    assert reached["representative"] == ([brazil.pk], {uganda_member.pk: True})
    assert reached["outsider"] == ([], {applicant.pk: False})


@pytest.mark.parametrize("status", [choice for choice, _label in Membership.Status.choices])
def test_visible_to_in_status_is_visible_to_filtered_by_status(
    personas, uganda_member, brazil_member, hidden_organisations, status
):
    for persona, user in personas.items():
        from django.contrib.auth.models import AnonymousUser

        user = user or AnonymousUser()
        expected = set(Membership.objects.visible_to(user).filter(status=status))

        assert set(Membership.objects.visible_to_in_status(user, status)) == expected, persona


def test_visibility_given_what_a_person_reaches_is_the_same_as_looked_up(
    personas, uganda_member, brazil_member, hidden_organisations, brazil
):
    # A page reads reach(user) once and passes it on; the answers must not change.
    from django.contrib.auth.models import AnonymousUser

    MembershipFactory(
        organisation=uganda_member, national_alliance=brazil, status=Membership.Status.APPLIED
    )
    for persona, user in personas.items():
        user = user or AnonymousUser()
        reached = reach(user) if user.is_authenticated else None

        assert set(Organisation.objects.visible_to(user, reached=reached)) == set(
            Organisation.objects.visible_to(user)
        ), persona
        assert set(Membership.objects.visible_to(user, reached=reached)) == set(
            Membership.objects.visible_to(user)
        ), persona
        for status, _label in Membership.Status.choices:
            assert set(
                Membership.objects.visible_to_in_status(user, status, reached=reached)
            ) == set(Membership.objects.visible_to(user).filter(status=status)), (persona, status)


def test_the_membership_filters_give_the_same_rows_as_visibility_and_the_membership_asked(
    personas, uganda, brazil, uganda_member, brazil_member, hidden_organisations
):
    # With an alliance or a status chosen the directory's query leaves out its own test
    # of visibility (the membership's says it): the rows must be those of both tests.
    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict

    MembershipFactory(
        organisation=uganda_member, national_alliance=brazil, status=Membership.Status.APPLIED
    )
    MembershipFactory(
        organisation=OrganisationFactory(name="International applicant", country="KE"),
        national_alliance=None,
        status=Membership.Status.APPLIED,
    )
    unlisted_brazil = OrganisationFactory(name="Unlisted Brazil", listed_publicly=False)
    MembershipFactory(organisation=unlisted_brazil, national_alliance=brazil)
    choices = [
        *({"status": status} for status, _label in Membership.Status.choices),
        *({"alliance": alliance.slug} for alliance in (uganda, brazil)),
        *(
            {"alliance": alliance.slug, "status": status}
            for alliance in (uganda, brazil)
            for status in ("approved", "applied", "declined")
        ),
    ]
    for persona, user in personas.items():
        user = user or AnonymousUser()
        for chosen in choices:
            memberships = Membership.objects.visible_to(user)
            if "status" in chosen:
                memberships = memberships.filter(status=chosen["status"])
            if "alliance" in chosen:
                memberships = memberships.filter(national_alliance__slug=chosen["alliance"])
            expected = set(
                Organisation.objects.visible_to(user).filter(
                    pk__in=memberships.values("organisation")
                )
            )
            data = QueryDict(mutable=True)
            data.update(chosen)

            assert set(directory.directory_filter(data, user).qs) == expected, (persona, chosen)


def test_filters_without_data_still_show_only_what_the_person_may_see(
    personas, uganda_member, brazil_member, hidden_organisations
):
    from django.contrib.auth.models import AnonymousUser

    for persona, user in personas.items():
        user = user or AnonymousUser()
        assert set(directory.directory_filter(None, user).qs) == set(
            Organisation.objects.visible_to(user)
        ), persona
