"""The statement list: search by the words of the title or the text (any language or
version), filters by campaign, focus area, status and year, over what the viewer may see;
a fixed number of queries; bad parameters are a clear 400."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from statements.models import Statement, StatementText
from tests.factories import CampaignFactory, FocusAreaFactory, StatementFactory

LIST = reverse("statements:list")


def titles(response) -> set[str]:
    return {s.text.title for _, statements in response.context["sections"] for s in statements}


@pytest.fixture
def statements(db):
    fight = CampaignFactory(title="Fight Inequality", slug="fight-inequality")
    tax = FocusAreaFactory(slug="tax-justice", name="Tax justice")
    davos = StatementFactory(
        status=Statement.Status.PUBLISHED,
        published_at=dt.datetime(2016, 1, 18, tzinfo=dt.UTC),
        campaign=fight,
        text__title="An economy for the 99%",
        text__body="62 people own the same wealth as half the world.",
    )
    StatementText.objects.create(
        version=davos.versions.get(),
        language="fr",
        title="Une économie au service des 99 %",
        body="62 personnes possèdent autant que la moitié du monde.",
    )
    davos.focus_areas.add(tax)
    StatementFactory(
        status=Statement.Status.PUBLISHED,
        published_at=timezone.now(),
        text__title="Public services, not private profit",
        text__body="Health and education for everyone.",
    )
    StatementFactory(
        status=Statement.Status.DRAFT,
        campaign=fight,
        text__title="Tax the richest (draft)",
        text__body="A wealth tax now.",
    )
    return {"campaign": fight, "focus": tax}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "wealth"}, {"An economy for the 99%"}),
        ({"q": "PUBLIC services"}, {"Public services, not private profit"}),
        ({"q": "possèdent moitié"}, {"An economy for the 99%"}),  # the French text
        ({"q": "nothing like this"}, set()),
        ({"campaign": "fight-inequality"}, {"An economy for the 99%"}),
        ({"focus": "tax-justice"}, {"An economy for the 99%"}),
        ({"status": "published", "year": "2016"}, {"An economy for the 99%"}),
        ({"year": str(timezone.now().year)}, {"Public services, not private profit"}),
    ],
)
def test_anyone_searches_and_filters_the_published_statements(client, statements, params, expected):
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert titles(response) == expected


def test_a_draft_is_found_by_convenors_only(client_for, convenor, representative, statements):
    assert titles(client_for(convenor).get(LIST, {"q": "wealth tax"})) == {
        "Tax the richest (draft)"
    }
    assert titles(client_for(convenor).get(LIST, {"status": "draft"})) == {
        "Tax the richest (draft)"
    }
    for user in (representative, None):
        response = client_for(user).get(LIST, {"q": "wealth tax"})
        assert titles(response) == set()
        assert "Tax the richest" not in response.content.decode()
        # Nobody else may even ask for the drafts.
        assert client_for(user).get(LIST, {"status": "draft"}).status_code == 400


def test_the_years_offered_are_those_of_the_statements_the_viewer_sees(
    client_for, convenor, statements
):
    Statement.objects.filter(status="draft").update(
        created_at=dt.datetime(2012, 5, 1, tzinfo=dt.UTC)
    )
    public_years = dict(client_for(None).get(LIST).context["filters"].form.fields["year"].choices)
    convenor_years = dict(
        client_for(convenor).get(LIST).context["filters"].form.fields["year"].choices
    )
    assert "2016" in public_years and "2012" not in public_years
    assert "2012" in convenor_years


@pytest.mark.parametrize(
    "params",
    [{"campaign": "no-such-campaign"}, {"focus": "nope"}, {"status": "x"}, {"year": "abc"}],
)
def test_bad_parameters_are_a_clear_400(client, statements, params):
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert b"field__errors" in response.content


def test_the_list_runs_the_same_queries_for_3_or_30_statements(client_for, convenor, statements):
    client = client_for(convenor)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST, {"q": "e", "campaign": "fight-inequality"}).status_code == 200
        return len(queries)

    few = count()
    for n in range(27):
        StatementFactory(
            campaign=statements["campaign"], text__title=f"Statement {n}", text__body="e"
        )
    assert count() == few
