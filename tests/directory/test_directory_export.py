"""The directory as CSV: the same filters as the page, streamed, for convenors and
coordinators only."""

import csv
import io
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import FocusAreaFactory, MembershipFactory, OrganisationFactory

URL = reverse("members:directory_export")


def read_csv(response) -> list[dict]:
    assert response.streaming
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", 200),
        ("superuser_convenor", 200),
        ("uganda_coordinator", 200),
        ("brazil_coordinator", 200),
        ("representative", 403),
        ("outsider", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_export_the_directory(personas, client_for, uganda_member, persona, expected):
    assert client_for(personas[persona]).get(URL).status_code == expected


def test_export_applies_the_filters_of_the_page(client_for, convenor, uganda, uganda_member):
    OrganisationFactory(name="Berlin Research", country="DE")
    gender = FocusAreaFactory(slug="gender", name="Gender")
    uganda_member.focus_areas.add(gender)

    response = client_for(convenor).get(URL, {"country": "UG"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert [row["name"] for row in rows] == [uganda_member.name]
    assert rows[0]["focus_areas"] == "gender"
    assert rows[0]["memberships"] == f"{uganda}: approved"
    assert rows[0]["global_south"] == "yes"


def test_coordinator_exports_only_what_they_may_see(
    client_for, brazil_coordinator, uganda, brazil_member
):
    applicant = OrganisationFactory(name="Ugandan applicant", country="UG")
    MembershipFactory(organisation=applicant, national_alliance=uganda, status="applied")

    rows = read_csv(client_for(brazil_coordinator).get(URL))

    assert [row["name"] for row in rows] == [brazil_member.name]


def test_formulas_are_defused(client_for, convenor):
    OrganisationFactory(name='=HYPERLINK("http://evil.test")', country="UG")

    rows = read_csv(client_for(convenor).get(URL))

    assert rows[0]["name"].startswith("'=")


def test_export_reads_rows_in_chunks_with_a_fixed_number_of_queries(client_for, convenor, uganda):
    for n in range(30):
        MembershipFactory(
            organisation=OrganisationFactory(name=f"Group {n:02}"), national_alliance=uganda
        )
    client = client_for(convenor)
    response = client.get(URL)

    with CaptureQueriesContext(connection) as queries:
        rows = read_csv(response)

    assert len(rows) == 30
    # Rows, focus areas and memberships: one query each per chunk of 2,000 rows.
    assert len(queries) <= 3 + 3  # (+ cursor commands on Postgres)


def test_rows_across_chunk_boundaries_keep_their_focus_areas(
    client_for, convenor, uganda, monkeypatch
):
    from members import organisation_views

    monkeypatch.setattr(organisation_views, "EXPORT_CHUNK", 4)
    land = FocusAreaFactory(slug="land", name="Land")
    for n in range(10):
        organisation = OrganisationFactory(name=f"Group {n:02}")
        if n % 3 == 0:
            organisation.focus_areas.add(land)

    rows = read_csv(client_for(convenor).get(URL))

    assert [row["name"] for row in rows] == [f"Group {n:02}" for n in range(10)]
    assert [row["focus_areas"] for row in rows] == ["land" if n % 3 == 0 else "" for n in range(10)]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", {"international: applied", "Brazil: declined", "Uganda: approved"}),
        ("superuser_convenor", {"international: applied", "Brazil: declined", "Uganda: approved"}),
        ("uganda_coordinator", {"Uganda: approved"}),
        ("brazil_coordinator", {"Brazil: declined", "Uganda: approved"}),
    ],
)
def test_export_shows_the_memberships_the_page_shows(
    client_for, personas, uganda, brazil, persona, expected
):
    uganda.name, brazil.name = "Uganda", "Brazil"
    uganda.save()
    brazil.save()
    organisation = OrganisationFactory(name="Kampala Tax Justice Network", country="UG")
    MembershipFactory(organisation=organisation, national_alliance=uganda)
    MembershipFactory(organisation=organisation, national_alliance=brazil, status="declined")
    MembershipFactory(organisation=organisation, national_alliance=None, status="applied")
    client = client_for(personas[persona])

    (row,) = [row for row in read_csv(client.get(URL)) if row["name"] == organisation.name]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the page's words as the CSV's
    html = client.get(reverse("members:directory")).content.decode()
    shown_row = html.split(f'id="organisation-{organisation.pk}"')[1].split("</tr>")[0]
    badges = re.findall(r'<span class="badge badge--\w+">([^<]+)</span>', shown_row)

    exported = set(row["memberships"].split("; "))
    assert exported == expected
    assert exported == {
        badge.replace("the international alliance", "international") for badge in badges
    }
