"""The tracking page's charts (statements.charts): their figures, drawn as SVG with the
same figures as a table, as CSV, in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from statements.charts import tracking_charts
from statements.models import Signature, SignOnRequest
from tests.factories import OrganisationFactory, SignatureFactory, SignOnRequestFactory
from tests.statements.test_permissions import CONVENOR_ONLY


@pytest.fixture
def signed(open_statement, uganda_member, brazil_member):
    """Three counted signatures over three days (one counted without its name), one
    waiting for moderation, one not needed; four organisations asked."""
    unaffiliated = OrganisationFactory(name="Comité Solidarité Paris", country="FR")
    today = timezone.now().replace(hour=12)
    rows = [
        (uganda_member, Signature.Status.CONFIRMED, True, 2),
        (brazil_member, Signature.Status.CONFIRMED, False, 2),
        (unaffiliated, Signature.Status.CONFIRMED, True, 0),
        (OrganisationFactory(country="UG"), Signature.Status.PENDING_MODERATION, True, 0),
        (uganda_member, Signature.Status.SUPERSEDED, True, 0),
    ]
    for organisation, status, listed, days_ago in rows:
        signature = SignatureFactory(
            statement=open_statement,
            organisation=organisation,
            status=status,
            listed_publicly=listed,
        )
        Signature.objects.filter(pk=signature.pk).update(
            created_at=today - dt.timedelta(days=days_ago)
        )
    for organisation, answer in [
        (uganda_member, SignOnRequest.Answer.SIGNED),
        (brazil_member, SignOnRequest.Answer.SIGNED),
        (OrganisationFactory(), SignOnRequest.Answer.DECLINED),
        (OrganisationFactory(), SignOnRequest.Answer.NO_REPLY),
    ]:
        SignOnRequestFactory(statement=open_statement, organisation=organisation, answer=answer)
    return open_statement, today.date()


def test_the_charts_count_confirmed_signatures(signed):
    statement, today = signed
    charts = {chart.key: chart for chart in tracking_charts(statement)}
    days = [(today - dt.timedelta(days=n)).isoformat() for n in (2, 1, 0)]
    assert charts["over-time"].rows == [(days[0], 2), (days[1], 0), (days[2], 1)]
    assert charts["over-time"].extras == [2, 2, 3]
    assert charts["by-region"].rows == [("Africa", 1), ("Americas", 1), ("Europe", 1)]
    assert charts["by-alliance"].rows == [
        ("Aliança Brasileira contra a Desigualdade", 1),
        ("Uganda Fight Inequality Alliance", 1),
        ("no national alliance", 1),
    ]
    assert charts["answers"].rows == [("signed", 2), ("declined", 1), ("no reply", 1)]


def test_the_time_chart_has_every_day_and_bars_as_tall_as_their_figures(signed):
    statement, _today = signed
    chart = tracking_charts(statement)[0]
    bars = chart.bars
    assert [bar.value for bar in bars] == [2, 0, 1]
    assert bars[0].height == 2 * bars[2].height and bars[1].height == 0


def test_the_tracking_page_draws_each_chart_beside_its_table(client_for, convenor, signed):
    statement, today = signed
    page = client_for(convenor).get(f"/statements/{statement.slug}/tracking/").content.decode()
    for key in ("over-time", "by-region", "by-alliance", "answers"):
        section = page.split(f'id="chart-{key}"', 1)[1].split("</section>", 1)[0]
        assert '<svg class="chart' in section and 'aria-hidden="true"' in section
        assert "<table" in section
    assert f'<th scope="row">{today.isoformat()}</th><td>1</td><td>3</td>' in page


def test_the_charts_csv(client_for, convenor, signed):
    statement, today = signed
    response = client_for(convenor).get(f"/statements/{statement.slug}/tracking/charts.csv")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "chart,label,figure,total_so_far"
    assert f"Signatures day by day,{today.isoformat()},1,3" in lines
    assert "Signatures by region,Africa,1" in lines
    assert "Organisations asked: answered or not,no reply,1" in lines


@pytest.mark.parametrize("persona", CONVENOR_ONLY)
def test_the_charts_csv_is_for_convenors(client_for, personas, open_statement, persona):
    response = client_for(personas[persona]).get(
        f"/statements/{open_statement.slug}/tracking/charts.csv"
    )
    expected = CONVENOR_ONLY[persona]
    # login_required's refusal of a logged-in user is a 403 as everywhere.
    assert response.status_code == expected


def test_the_tracking_page_reads_a_fixed_number_of_queries(client_for, convenor, signed):
    statement, _today = signed
    client = client_for(convenor)
    url = f"/statements/{statement.slug}/tracking/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    for _n in range(15):
        organisation = OrganisationFactory(country="BR")
        SignatureFactory(statement=statement, organisation=organisation)
        SignOnRequestFactory(statement=statement, organisation=organisation, answer="signed")
    assert queries() == before
