"""The directory says how many organisations match: exactly up to a bound, "more than"
beyond it, counted among the organisations the viewer may see, in one query."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import directory
from members.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory

URL = reverse("members:directory")


def count_line(response) -> str:
    html = response.content.decode()
    start = html.index('id="directory-count">') + len('id="directory-count">')
    return html[start : html.index("</p>", start)]


@pytest.fixture
def ugandan_groups(uganda):
    """Three approved members in Uganda, one of them at risk (not listed publicly), and
    an applicant."""
    for name in ("Gulu Group", "Lira Group"):
        MembershipFactory(organisation=OrganisationFactory(name=name), national_alliance=uganda)
    MembershipFactory(
        organisation=OrganisationFactory(name="Hidden Group", listed_publicly=False),
        national_alliance=uganda,
    )
    MembershipFactory(
        organisation=OrganisationFactory(name="Applicant Group"),
        national_alliance=uganda,
        status=Membership.Status.APPLIED,
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", 4),
        ("uganda_coordinator", 4),
        # Members see one another, listed publicly or not, but not another alliance's
        # applicants.
        ("brazil_coordinator", 3),
        ("anonymous", 2),
    ],
)
def test_the_count_is_of_the_organisations_the_viewer_may_see(
    personas, client_for, ugandan_groups, persona, expected
):
    response = client_for(personas[persona]).get(URL, {"q": "group"})

    assert len(response.context["page"].organisations) == expected
    # In the viewer's language: the number leads.
    assert count_line(response).split()[0] == str(expected)


def test_one_match_is_one_organisation(client_for, convenor, ugandan_groups):
    response = client_for(convenor).get(URL, {"q": "lira"})

    assert count_line(response) == "1 organisation"


def test_beyond_the_bound_the_count_says_more_than(
    client_for, convenor, ugandan_groups, monkeypatch
):
    monkeypatch.setattr(directory, "COUNT_BOUND", 3)
    client = client_for(convenor)

    assert count_line(client.get(URL, {"q": "group"})) == "More than 3 organisations"
    assert count_line(client.get(URL, {"q": "gulu"})) == "1 organisation"


def test_the_count_is_written_in_the_language_of_the_page(
    client_for, convenor, ugandan_groups, monkeypatch
):
    monkeypatch.setattr(directory, "COUNT_BOUND", 3)
    convenor.language = "fr"
    convenor.save(update_fields=["language"])
    client = client_for(convenor)

    assert count_line(client.get(URL, {"q": "group"})) == "Plus de 3 organisations"
    assert count_line(client.get(URL, {"q": "lira"})) == "1 organisation"


def test_the_first_page_counts_its_own_rows_and_the_next_ones_count_in_one_query(
    client_for, convenor
):
    """The first page reads up to the bound and one more rows, which count the results
    as well: no second search. A page further on counts in one bounded query."""
    for n in range(55):
        OrganisationFactory(name=f"Group {n:02}")
    client = client_for(convenor)

    with CaptureQueriesContext(connection) as queries:
        first = client.get(URL, {"q": "group"})
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [query for query in sql if "COUNT(" in query]
    (rows,) = [query for query in sql if 'FROM "members_organisation"' in query]
    assert f"LIMIT {directory.COUNT_BOUND + 1}" in rows
    assert count_line(first) == "55 organisations"

    link = re.search(r'rel="next" href="\?([^"]+)"', first.content.decode()).group(1)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(f"{URL}?{link.replace('&amp;', '&')}")
    counting = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counting) == 1
    assert f"LIMIT {directory.COUNT_BOUND + 1}" in counting[0]
    assert count_line(second) == "55 organisations"
