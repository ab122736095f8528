"""National alliance pages and the dashboard: who may open and do what (every persona),
what each page shows, and how many queries it costs."""

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.core.audit.models import AuditEntry
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from members.directory import filter_lists
from members.models import CompositionTarget, Membership, NationalAlliance
from tests.factories import (
    ConveningFactory,
    MembershipFactory,
    NationalAllianceFactory,
    OrganisationFactory,
    SignOnRequestFactory,
    StatementFactory,
    UserFactory,
)
from tests.fixtures.personas import CONVENORS

ALLOWED, FORBIDDEN, LOGIN = 200, 403, 302


def expect(matrix: dict, **overrides) -> dict:
    return {**matrix, **overrides}


# Who may open the whole alliance's dashboard (and its CSV).
DASHBOARD = {
    "convenor": ALLOWED,
    "superuser_convenor": ALLOWED,
    "uganda_coordinator": ALLOWED,
    "brazil_coordinator": ALLOWED,
    "representative": FORBIDDEN,
    "outsider": FORBIDDEN,
    "anonymous": LOGIN,
}
# Uganda's figures: its coordinators and convenors only.
UGANDA_DASHBOARD = expect(DASHBOARD, brazil_coordinator=FORBIDDEN)
CONVENOR_ONLY = {
    "convenor": ALLOWED,
    "superuser_convenor": ALLOWED,
    "uganda_coordinator": FORBIDDEN,
    "brazil_coordinator": FORBIDDEN,
    "representative": FORBIDDEN,
    "outsider": FORBIDDEN,
    "anonymous": LOGIN,
}
EVERYONE = dict.fromkeys(DASHBOARD, ALLOWED)


@pytest.mark.parametrize(
    ("url", "matrix"),
    [
        ("/members/alliances/", EVERYONE),
        ("/members/alliances/{uganda}/", EVERYONE),
        ("/members/alliances/new/", CONVENOR_ONLY),
        ("/members/alliances/{uganda}/edit/", UGANDA_DASHBOARD),
        ("/members/dashboard/", DASHBOARD),
        ("/members/dashboard/?alliance={uganda}", UGANDA_DASHBOARD),
        ("/members/dashboard/export.csv", DASHBOARD),
        ("/members/dashboard/export.csv?alliance={uganda}", UGANDA_DASHBOARD),
    ],
)
def test_who_may_open_each_page(personas, client_for, uganda, url, matrix):
    url = url.format(uganda=uganda.slug)
    for name, user in personas.items():
        response = client_for(user).get(url)
        assert response.status_code == matrix[name], (name, url, response.status_code)
        if matrix[name] == LOGIN:
            assert response["Location"].startswith("/accounts/login/")


def test_dashboard_of_an_unknown_alliance_is_not_found(client_for, convenor):
    assert client_for(convenor).get("/members/dashboard/?alliance=atlantis").status_code == 404


def test_who_may_create_a_national_alliance(personas, client_for):
    for name, user in personas.items():
        country = {"convenor": "KE", "superuser_convenor": "RW"}.get(name, "TZ")
        response = client_for(user).post(
            "/members/alliances/new/",
            {"name": f"Alliance by {name}", "country": country, "status": "forming"},
        )
        assert response.status_code == (302 if name in {*CONVENORS, "anonymous"} else 403), name
    created = NationalAlliance.objects.get(country="KE")
    assert list(NationalAlliance.objects.filter(country="TZ")) == []
    assert created.name == "Alliance by convenor"
    assert NationalAlliance.objects.get(country="RW").name == "Alliance by superuser_convenor"
    entry = AuditEntry.objects.filter(action="nationalalliance.created").earliest("pk")
    assert entry.object_id == str(created.pk) and entry.actor.email == "convenor@alliance.test"


def test_who_may_edit_an_alliance_and_the_change_is_audited(personas, client_for, uganda):
    may_edit = {*CONVENORS, "uganda_coordinator"}
    for name, user in personas.items():
        response = client_for(user).post(
            f"/members/alliances/{uganda.slug}/edit/",
            {"name": f"Uganda by {name}", "status": "dormant", "description": ""},
        )
        uganda.refresh_from_db()
        if name in may_edit:
            assert response["Location"] == f"/members/alliances/{uganda.slug}/"
            assert uganda.name == f"Uganda by {name}"
        elif user is None:
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 403, name
    assert uganda.name == "Uganda by uganda_coordinator" and uganda.country == "UG"
    entries = AuditEntry.objects.filter(action="nationalalliance.updated").order_by("pk")
    assert entries[0].changes == {
        "name": ["Uganda Fight Inequality Alliance", "Uganda by convenor"],
        "status": ["active", "dormant"],
    }
    assert entries[1].changes == {"name": ["Uganda by convenor", "Uganda by superuser_convenor"]}
    assert entries[2].changes == {
        "name": ["Uganda by superuser_convenor", "Uganda by uganda_coordinator"]
    }


def test_second_alliance_for_a_country_is_refused(client_for, convenor, uganda):
    response = client_for(convenor).post(
        "/members/alliances/new/", {"name": "Another", "country": "UG", "status": "active"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert NationalAlliance.objects.filter(country="UG").count() == 1


def test_who_may_appoint_and_remove_coordinators(personas, client_for, uganda, outsider):
    newcomer = UserFactory(email="newcomer@alliance.test")
    for name, user in personas.items():
        client = client_for(user)
        appointed = client.post(
            f"/members/alliances/{uganda.slug}/coordinators/", {"email": newcomer.email}
        )
        removed = client.post(
            f"/members/alliances/{uganda.slug}/coordinators/{outsider.pk}/remove/"
        )
        expected = 302 if name in {*CONVENORS, "anonymous"} else 403
        assert (appointed.status_code, removed.status_code) == (expected, expected), name
    assert uganda.coordinators.filter(pk=newcomer.pk).exists()
    assert AuditEntry.objects.filter(action="nationalalliance.coordinator_appointed").count() == 1


def test_appointed_coordinator_gets_an_email_in_their_language(client_for, convenor, uganda):
    newcomer = UserFactory(email="nouveau@alliance.test", name="Awa Diallo", language="fr")

    client_for(convenor).post(
        f"/members/alliances/{uganda.slug}/coordinators/", {"email": "NOUVEAU@alliance.test"}
    )

    message = OutgoingMessage.objects.get(template="coordinator_appointed")
    assert (message.to_email, message.language) == (newcomer.email, "fr")
    rendered = render(message)
    assert f"/members/alliances/{uganda.slug}/" in rendered.body
    assert "Clara Convenor" in rendered.body and uganda.name in rendered.subject
    # Appointing them again changes nothing and sends nothing.
    client_for(convenor).post(
        f"/members/alliances/{uganda.slug}/coordinators/", {"email": newcomer.email}
    )
    assert OutgoingMessage.objects.filter(template="coordinator_appointed").count() == 1
    assert uganda.coordinators.count() == 1


def test_convenor_removes_a_coordinator_who_then_loses_the_alliance_dashboard(
    client_for, convenor, uganda, uganda_coordinator
):
    client_for(convenor).post(
        f"/members/alliances/{uganda.slug}/coordinators/{uganda_coordinator.pk}/remove/"
    )

    assert not uganda.coordinators.filter(pk=uganda_coordinator.pk).exists()
    entry = AuditEntry.objects.get(action="nationalalliance.coordinator_removed")
    assert entry.changes == {"coordinators": [uganda_coordinator.email, None]}
    response = client_for(uganda_coordinator).get(f"/members/dashboard/?alliance={uganda.slug}")
    assert response.status_code == 403


def test_appointing_an_unknown_address_changes_nothing(client_for, convenor, uganda):
    response = client_for(convenor).post(
        f"/members/alliances/{uganda.slug}/coordinators/",
        {"email": "nobody@nowhere.test"},
        follow=True,
    )
    assert "No active account uses this address" in response.content.decode()
    assert not uganda.coordinators.exists()


@pytest.mark.parametrize(
    ("name", "may_set"),
    [
        ("convenor", True),
        ("superuser_convenor", True),
        ("uganda_coordinator", False),
        ("brazil_coordinator", False),
        ("representative", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_may_set_a_target(personas, client_for, uganda, name, may_set):
    response = client_for(personas[name]).post(
        "/members/dashboard/targets/",
        {"measure": "global_south", "percent": "60", "alliance": uganda.slug},
    )
    assert CompositionTarget.objects.filter(national_alliance=uganda).exists() is may_set
    if may_set:
        assert response["Location"] == f"/members/dashboard/?alliance={uganda.slug}"
    elif personas[name] is None:
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 403


def test_target_above_100_percent_is_refused(client_for, convenor):
    client = client_for(convenor)
    response = client.post(
        "/members/dashboard/targets/", {"measure": "global_south", "percent": "101"}, follow=True
    )
    assert "a percentage from 0 to 100" in response.content.decode()
    assert not CompositionTarget.objects.exists()


def test_dashboard_shows_figures_targets_map_and_tables(client_for, convenor, uganda_member):
    kenya = OrganisationFactory(kind="union", country="KE")
    MembershipFactory(organisation=kenya, national_alliance=None)
    CompositionTarget.objects.create(measure="global_south", percent=60)
    CompositionTarget.objects.create(measure="womens_rights", percent=75)

    page = client_for(convenor).get("/members/dashboard/").content.decode()

    assert "Composition of the alliance" in page
    assert '<svg class="map"' in page and 'data-country="UG"' in page
    assert "<title>Uganda: 1</title>" in page
    assert '<tr data-country="KE"><th scope="row">Kenya</th><td>1</td><td>50.0%</td></tr>' in page
    assert "target 60%" in page and "target 75%" in page
    assert "below target" in page  # women's rights: 50% of 75%
    assert 'id="growth-table"' in page and 'class="chart__line chart__line--total"' in page
    assert "CC BY 4.0" in page


def test_coordinator_is_offered_only_their_own_alliance(
    client_for, uganda_coordinator, uganda, brazil
):
    page = client_for(uganda_coordinator).get("/members/dashboard/").content.decode()

    assert f'<option value="{uganda.slug}"' in page
    assert f'<option value="{brazil.slug}"' not in page
    assert "Set target" not in page


def test_the_convenors_dashboard_reads_the_national_alliances_once(
    client_for, convenor, uganda, brazil
):
    with CaptureQueriesContext(connection) as captured:
        page = client_for(convenor).get(f"/members/dashboard/?alliance={brazil.slug}")
    table = 'FROM "members_nationalalliance"'
    reads = [query["sql"] for query in captured if table in query["sql"]]

    # The alliance in ?alliance=, then every alliance: for the scope and the target form.
    assert len(reads) == 2
    target_form = page.content.decode().split('id="id_alliance"')[1].split("</select>")[0]
    assert f'<option value="{uganda.slug}">{uganda.name}</option>' in target_form
    assert f'<option value="{brazil.slug}" selected>{brazil.name}</option>' in target_form


def test_dashboard_csv_has_every_figure(client_for, convenor, uganda, uganda_member):
    CompositionTarget.objects.create(measure="womens_rights", percent=40)

    response = client_for(convenor).get(f"/members/dashboard/export.csv?alliance={uganda.slug}")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"composition-{uganda.slug}-" in response["Content-Disposition"]
    content = response.getvalue().decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    by_section = {(row["section"], row["key"]): row for row in rows if not row["month"]}
    assert by_section[("total", "")]["members"] == "1"
    womens = by_section[("share", "womens_rights")]
    assert (womens["members"], womens["percent"], womens["target_percent"]) == ("1", "100.0", "40")
    assert by_section[("kind", "womens_rights")]["label"] == "women's rights organisation"
    assert by_section[("region", "africa")]["members"] == "1"
    assert by_section[("country", "UG")]["label"] == "Uganda"
    this_month = timezone.now().strftime("%Y-%m")
    growth = {(row["section"], row["key"]): row for row in rows if row["month"] == this_month}
    assert growth[("growth", "joined")]["members"] == "1"
    assert growth[("growth_country", "UG")]["members"] == "1"
    assert growth[("growth_kind", "womens_rights")]["members"] == "1"


def _members(count: int, alliance, start: int = 0):
    kinds = ["grassroots", "womens_rights", "union", "research"]
    countries = ["UG", "KE", "BR", "FR", "IN"]
    for n in range(start, start + count):
        MembershipFactory(
            organisation=OrganisationFactory(kind=kinds[n % 4], country=countries[n % 5]),
            national_alliance=alliance,
            joined_at=timezone.now() - dt.timedelta(days=31 * (n % 20)),
        )


def test_dashboard_queries_do_not_grow_with_the_members(
    client_for, convenor, uganda, django_assert_num_queries
):
    client = client_for(convenor)
    _members(3, uganda)
    client.get("/members/dashboard/")  # the session, once
    cache.clear()
    # The session is read from Redis (SESSION_ENGINE cached_db), which cache.clear() also
    # emptied: put its copy back, as a signed-in person's is.
    client.session.save()
    # The alliances offered come from the directory's kept lists, as on any page after the
    # first: kept here too, so that only the groups' cache is cold.
    filter_lists()
    with CaptureQueriesContext(connection) as small:
        client.get("/members/dashboard/")
    _members(40, uganda, start=3)
    _members(10, None, start=43)
    with django_assert_num_queries(len(small)):
        response = client.get("/members/dashboard/")
    assert response.context["figures"].total == 53
    # Unchanged memberships: the groups come from the cache, one query fewer.
    with django_assert_num_queries(len(small) - 1):
        response = client.get("/members/dashboard/")
    assert response.context["figures"].total == 53
    with django_assert_num_queries(len(small) + 1):  # the alliance in ?alliance=
        client.get(f"/members/dashboard/?alliance={uganda.slug}")
    assert len(small) <= 8


def test_dashboard_figures_follow_a_new_decision_at_once(client_for, convenor, uganda):
    applied = MembershipFactory(
        national_alliance=uganda, status=Membership.Status.APPLIED, joined_at=None
    )
    client = client_for(convenor)
    assert client.get("/members/dashboard/").context["figures"].total == 0

    applied.status, applied.decided_at = Membership.Status.APPROVED, timezone.now()
    applied.joined_at = applied.decided_at
    applied.save()

    assert client.get("/members/dashboard/").context["figures"].total == 1


def test_alliance_list_queries_do_not_grow_with_the_alliances(
    client_for, convenor, django_assert_max_num_queries
):
    for code in ("KE", "TZ", "GH", "SN", "IN", "BR", "PE", "NP"):
        alliance = NationalAllianceFactory(country=code)
        alliance.coordinators.add(UserFactory())
        _members(2, alliance)
    client = client_for(convenor)
    with django_assert_max_num_queries(7):
        page = client.get("/members/alliances/").content.decode()
    assert page.count('<tr id="alliance-') == 8


def test_alliance_page_shows_private_parts_to_who_may_see_them(
    personas, client_for, uganda, uganda_coordinator, uganda_member
):
    applicant = OrganisationFactory(name="Lira Youth Applicants", country="UG")
    MembershipFactory(
        organisation=applicant,
        national_alliance=uganda,
        status=Membership.Status.APPLIED,
        joined_at=None,
    )
    ConveningFactory(title="Kampala assembly", national_alliance=uganda)
    ConveningFactory(
        title="Old meeting",
        national_alliance=uganda,
        starts_at=timezone.now() - dt.timedelta(days=30),
        ends_at=timezone.now() - dt.timedelta(days=29),
    )
    sees_private = {*CONVENORS, "uganda_coordinator"}
    sees_convening = {*CONVENORS, "uganda_coordinator"}
    for name, user in personas.items():
        page = client_for(user).get(f"/members/alliances/{uganda.slug}/").content.decode()
        assert ("Lira Youth Applicants" in page) is (name in sees_private), name
        assert ("Kampala assembly" in page) is (name in sees_convening), name
        assert "Old meeting" not in page
        assert uganda_coordinator.name in page  # who coordinates is public
        assert ("Appoint coordinator" in page) is (name in CONVENORS), name
        assert "kind=womens_rights" in page  # members by kind: public counts


def test_alliance_page_lists_open_statements_its_members_may_sign(
    client_for, convenor, uganda, brazil, uganda_member, brazil_member
):
    asked = StatementFactory(text__title="Tax the richest now")
    SignOnRequestFactory(statement=asked, organisation=uganda_member)
    elsewhere = StatementFactory(text__title="Only for Brazil")
    SignOnRequestFactory(statement=elsewhere, organisation=brazil_member)
    StatementFactory(text__title="Members everywhere", audience="members")
    StatementFactory(text__title="Still a draft", status="draft", audience="members")

    page = client_for(convenor).get(f"/members/alliances/{uganda.slug}/").content.decode()

    assert "Tax the richest now" in page and "Members everywhere" in page
    assert "Only for Brazil" not in page and "Still a draft" not in page


def test_alliance_page_queries_are_fixed(
    client_for, convenor, uganda, uganda_member, django_assert_max_num_queries
):
    for n in range(5):
        statement = StatementFactory(text__title=f"Statement {n}", audience="members")
        SignOnRequestFactory(statement=statement, organisation=uganda_member)
        ConveningFactory(national_alliance=uganda)
    _members(10, uganda)
    client = client_for(convenor)
    client.get(f"/members/alliances/{uganda.slug}/")  # the session, once
    with django_assert_max_num_queries(13):
        page = client.get(f"/members/alliances/{uganda.slug}/").content.decode()
    assert "Statement 4" in page
