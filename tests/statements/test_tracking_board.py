"""The tracking board keeps its rows and charts drawn in Django's cache: what it shows is
never behind the database, nothing per request is drawn into a kept fragment, and the
lists that grow with the statement are bounded."""

import re
import time

from django.urls import reverse

from statements import tracking_board
from statements.models import Signature, SignOnRequest, StatementText, StatementVersion
from statements.tracking_board import LISTED_AT_MOST
from tests.factories import OrganisationFactory, SignatureFactory, SignOnRequestFactory
from tests.statements.conftest import DAVOS_EN, DAVOS_FR, rows_of


def test_a_signature_changed_after_a_read_shows_at_once(board):
    client, url, statement = board
    organisation = OrganisationFactory(name="Kampala Water Forum")
    SignOnRequestFactory(statement=statement, organisation=organisation, answer="signed")
    signature = SignatureFactory(
        statement=statement, organisation=organisation, signatory_name="Ruth Achieng"
    )
    assert "Ruth Achieng" in rows_of(client.get(url).content.decode())

    signature.signatory_name = "Ruth A. Achieng"
    signature.listed_publicly = False
    signature.save(update_fields=["signatory_name", "listed_publicly", "updated_at"])
    rows = rows_of(client.get(url).content.decode())

    assert "Ruth A. Achieng" in rows and "counted only" in rows


def test_a_renamed_organisation_and_a_new_answer_show_at_once(board):
    client, url, statement = board
    organisation = OrganisationFactory(name="Old Name Collective")
    SignOnRequestFactory(statement=statement, organisation=organisation)
    client.get(url)

    organisation.name = "New Name Collective"
    organisation.save()
    SignOnRequest.objects.filter(organisation=organisation).update(answer="declined")
    rows = rows_of(client.get(url).content.decode())

    assert "New Name Collective" in rows and "Old Name Collective" not in rows
    assert "badge--declined" in rows


def test_a_renamed_organisation_shows_once_the_kept_rows_expire(board, monkeypatch):
    """A rename is not a write the tracking version sees: the rows kept under it show
    the old name until they expire (ROWS_SECONDS, a minute)."""
    monkeypatch.setattr(tracking_board, "ROWS_SECONDS", 1)
    client, url, statement = board
    organisation = OrganisationFactory(name="Old Name Collective")
    SignOnRequestFactory(statement=statement, organisation=organisation)
    assert "Old Name Collective" in rows_of(client.get(url).content.decode())

    organisation.name = "New Name Collective"
    organisation.save()
    time.sleep(1.2)
    rows = rows_of(client.get(url).content.decode())

    assert "New Name Collective" in rows and "Old Name Collective" not in rows


def test_a_new_signature_shows_in_the_charts_at_once(board):
    client, url, statement = board
    SignatureFactory(statement=statement, organisation=OrganisationFactory(country="UG"))
    client.get(url)

    SignatureFactory(statement=statement, organisation=OrganisationFactory(country="BR"))
    html = client.get(url).content.decode()

    region = html.split('id="chart-by-region"', 1)[1].split("</section>", 1)[0]
    assert "Americas" in region and "Africa" in region


def test_each_read_carries_its_own_token_outside_the_kept_rows(board):
    client, url, statement = board
    organisation = OrganisationFactory(name="Gulu Youth Network")
    SignOnRequestFactory(statement=statement, organisation=organisation)

    first, second = (client.get(url).content.decode() for _ in range(2))

    tokens = [
        re.search(r'id="send-again"[^>]*>.*?name="token" value="([^"]+)"', html, re.S).group(1)
        for html in (first, second)
    ]
    assert tokens[0] != tokens[1]
    # The rows read from the cache the second time are the same, and hold no token.
    assert rows_of(first) == rows_of(second)
    assert "token" not in rows_of(second)
    send_again = reverse(
        "statements:send_again", kwargs={"slug": statement.slug, "organisation": organisation.pk}
    )
    assert f'form="send-again" formaction="{send_again}"' in rows_of(second)


def test_the_rows_are_drawn_in_each_readers_language(board, convenor):
    client, url, statement = board
    SignOnRequestFactory(statement=statement, organisation=OrganisationFactory(country="DE"))
    english = rows_of(client.get(url).content.decode())

    convenor.language = "fr"
    convenor.save(update_fields=["language"])
    french = rows_of(client.get(url).content.decode())

    assert "Germany" in english
    assert "Allemagne" in french


def test_the_moderation_list_shows_the_oldest_with_the_count_of_all(board):
    client, url, statement = board
    waiting = LISTED_AT_MOST + 3
    for n in range(waiting):
        SignatureFactory(
            statement=statement,
            organisation=OrganisationFactory(name=f"Waiting {n:03d}"),
            status=Signature.Status.PENDING_MODERATION,
        )

    html = client.get(url).content.decode()

    section = html.split('id="moderation"', 1)[1].split("</section>", 1)[0]
    assert section.count('class="statement-moderate"') == LISTED_AT_MOST
    assert f"of {waiting} signatures waiting" in section


def test_the_withdrawn_list_shows_the_latest_with_the_count_of_all(board):
    client, url, statement = board
    for n in range(LISTED_AT_MOST + 1):
        SignatureFactory(
            statement=statement,
            organisation=OrganisationFactory(name=f"Gone {n:03d}"),
            status=Signature.Status.WITHDRAWN,
        )

    html = client.get(url).content.decode()

    removed = html.split("Withdrawn and rejected signatures", 1)[1]
    assert removed.count("<li>") == LISTED_AT_MOST
    assert f"of {LISTED_AT_MOST + 1}." in removed


def test_the_title_is_the_current_versions_in_the_readers_language(board, convenor):
    """Read in one plain query: the reader's language, else the original, and
    always the current version's."""
    client, url, statement = board

    def lead() -> str:
        return client.get(url).content.decode().split('class="lead"', 1)[1].split("</p>")[0]

    assert DAVOS_EN in lead()

    convenor.language = "fr"
    convenor.save(update_fields=["language"])
    assert DAVOS_FR in lead()

    convenor.language = "es"
    convenor.save(update_fields=["language"])
    assert DAVOS_EN in lead()

    version = StatementVersion.objects.create(statement=statement, number=2)
    StatementText.objects.create(version=version, language="en", title="A second text", body=".")
    assert "A second text" in lead()
