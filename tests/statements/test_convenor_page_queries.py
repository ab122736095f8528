"""The statement page and its tracking board, as a convenor reads them: the same number
of queries whatever the number of signatures, and the signatories kept in Django's cache
for readers who all see the same list, never beyond a new count nor across readers who
see different lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from statements.counting import recount_signatures
from statements.models import Statement
from tests.factories import OrganisationFactory, SignatureFactory, SignOnRequestFactory


def sign(statement, how_many: int, *, start: int = 0, **fields) -> None:
    for n in range(start, start + how_many):
        organisation = OrganisationFactory(
            name=f"Signatory {n:03d}", country=["UG", "KE", "BR"][n % 3]
        )
        SignOnRequestFactory(statement=statement, organisation=organisation, answer="signed")
        SignatureFactory(statement=statement, organisation=organisation, **fields)


def queries_of(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.fixture
def as_convenor(client, convenor):
    client.force_login(convenor)
    return client


def test_the_statement_page_runs_the_same_queries_for_3_or_60_signatures(
    as_convenor, open_statement
):
    url = open_statement.get_absolute_url()
    sign(open_statement, 3)
    recount_signatures()
    few, html = queries_of(as_convenor, url)
    assert "Signatory 002" in html

    sign(open_statement, 57, start=3)
    recount_signatures()
    many, html = queries_of(as_convenor, url)
    assert "Signatory 059" in html

    assert few == many
    # Read again before the next count: the signatories (their groups' counts and the
    # page of names, two queries) come from the cache.
    again, html = queries_of(as_convenor, url)
    assert "Signatory 059" in html
    assert again == many - 2


def test_the_tracking_board_runs_the_same_queries_for_3_or_60_answers(
    as_convenor, open_statement, uganda
):
    url = reverse("statements:tracking", kwargs={"slug": open_statement.slug})
    sign(open_statement, 3)
    few, html = queries_of(as_convenor, url)
    assert '<span class="stat__number" id="total-signed">3</span>' in html

    sign(open_statement, 57, start=3)
    many, html = queries_of(as_convenor, url)
    assert '<span class="stat__number" id="total-signed">60</span>' in html

    assert few == many
    # Unchanged answers and signatures (the same tracking version): the whole board comes
    # from the cache, and the page reads only the user, the statement with its version
    # and its title.
    again, html = queries_of(as_convenor, url)
    assert again == 3
    assert "Signatory 059" in html


def test_a_new_answer_shows_on_the_tracking_board_at_once(as_convenor, open_statement):
    url = reverse("statements:tracking", kwargs={"slug": open_statement.slug})
    sign(open_statement, 2)
    queries_of(as_convenor, url)
    SignOnRequestFactory(statement=open_statement, answer="declined")

    _, html = queries_of(as_convenor, url)

    assert '<span class="stat__number" id="total-declined">1</span>' in html
    assert "<td>1</td>" in html.split('id="by-alliance-title"')[1]


def test_a_signatory_counted_only_from_now_on_leaves_the_page_with_the_next_count(
    as_convenor, open_statement
):
    url = open_statement.get_absolute_url()
    sign(open_statement, 3)
    recount_signatures()
    _, html = queries_of(as_convenor, url)
    assert "Signatory 001" in html
    signature = open_statement.signatures.get(organisation__name="Signatory 001")
    signature.listed_publicly = False
    signature.save(update_fields=["listed_publicly"])

    recount_signatures()
    _, html = queries_of(as_convenor, url)

    assert "Signatory 001" not in html


def test_an_anonymous_reader_never_gets_the_list_a_convenor_sees(client, convenor, open_statement):
    """Open to any organisation, not yet published: the convenor sees the names, an
    anonymous reader the count only, though the convenor's list is in the cache."""
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save(update_fields=["audience"])
    sign(open_statement, 3)
    recount_signatures()
    url = open_statement.get_absolute_url()
    client.force_login(convenor)
    assert "Signatory 001" in client.get(url).content.decode()

    client.logout()
    html = client.get(url).content.decode()

    assert '<span class="stat__number">3</span>' in html
    assert "Signatory 001" not in html


def test_the_statement_page_reads_a_representatives_contact_once(
    client, representative, uganda_member, open_statement
):
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member)
    client.force_login(representative)
    url = open_statement.get_absolute_url()
    client.get(url)  # the session, once

    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()

    # The signing form and the navigation's link to the organisation both need it: it
    # comes with the user's own query (alliance.auth_backends). The permission checks ask
    # other questions of the contacts, with EXISTS, which select none of its columns.
    reads = [query["sql"] for query in captured if '"members_contact"."name"' in query["sql"]]
    assert len(reads) == 1
    assert 'FROM "accounts_user"' in reads[0]
    assert 'value="Sarah Chebet"' in html
