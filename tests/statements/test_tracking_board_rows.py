"""The tracking board's table of organisations: rendered once per content, language and
time zone (statements.tracking_board), and never behind the database: any change of what
a row shows (a signature withdrawn, a name, a person's title) shows on the next view."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from statements.models import Signature
from tests.factories import OrganisationFactory, SignatureFactory, SignOnRequestFactory


@pytest.fixture
def board(client, convenor, open_statement):
    for n in range(3):
        organisation = OrganisationFactory(name=f"Signatory {n:03d}", country="KE")
        SignOnRequestFactory(statement=open_statement, organisation=organisation, answer="signed")
        SignatureFactory(
            statement=open_statement,
            organisation=organisation,
            signatory_name=f"Person {n}",
            signatory_title="",
            status=Signature.Status.CONFIRMED,
        )
    client.force_login(convenor)
    return client, reverse("statements:tracking", kwargs={"slug": open_statement.slug})


def rows_of(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return len(captured), html.split('id="organisations"')[1].split("</table>")[0]


def test_the_rows_read_again_are_the_same_without_rendering_and_queries(board):
    client, url = board
    queries, first = rows_of(client, url)
    again_queries, again = rows_of(client, url)
    assert again == first
    assert "Signatory 002" in first and "Person 2" in first and "Kenya" in first
    # The rows are read on every view; only the count per alliance comes from the cache.
    assert again_queries == queries - 1


def test_a_withdrawn_signature_shows_on_the_next_view(board, open_statement):
    client, url = board
    _, before = rows_of(client, url)
    assert "Person 1 · confirmed" in before
    Signature.objects.filter(signatory_name="Person 1").update(status=Signature.Status.WITHDRAWN)

    _, after = rows_of(client, url)

    assert "Person 1 · withdrawn" in after


def test_a_new_title_and_a_new_name_show_on_the_next_view(board, open_statement):
    client, url = board
    rows_of(client, url)
    Signature.objects.filter(signatory_name="Person 0").update(signatory_title="Director")
    OrganisationFactory._meta.model.objects.filter(name="Signatory 002").update(
        name="Renamed Collective"
    )

    _, after = rows_of(client, url)

    assert "Person 0, Director" in after
    assert "Renamed Collective" in after and "Signatory 002" not in after


def test_each_language_gets_its_own_rows(board):
    client, url = board
    _, english = rows_of(client, url)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    _, french = rows_of(client, url)
    assert "Kenya" in english and "confirmed" in english
    assert "confirmed" not in french
    assert french != english
