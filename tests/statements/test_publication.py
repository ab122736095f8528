"""Step 5: publication at the embargo (or at once), the public page per language, the
list of statements and the convenors' CSV export."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from alliance.core.audit.models import AuditEntry
from statements import services, tasks
from statements.models import Statement
from tests.factories import OrganisationFactory, SignatureFactory, StatementFactory
from tests.statements.conftest import DAVOS_EN, DAVOS_FR


@pytest.fixture
def published(open_statement):
    services.publish(statement=open_statement)
    return open_statement


@pytest.fixture
def signatories(open_statement, uganda_member, brazil_member):
    """Two listed signatories in two countries, one at risk counted only, one withdrawn."""
    SignatureFactory(statement=open_statement, organisation=uganda_member)
    SignatureFactory(statement=open_statement, organisation=brazil_member)
    SignatureFactory(
        statement=open_statement,
        organisation=OrganisationFactory(name="Hidden Defenders Collective", country="UG"),
        listed_publicly=False,
    )
    SignatureFactory(
        statement=open_statement,
        organisation=OrganisationFactory(name="Changed Its Mind", country="UG"),
        status="withdrawn",
    )


def test_the_periodic_task_publishes_statements_whose_embargo_has_passed(open_statement):
    future = StatementFactory(embargo_until=timezone.now() + dt.timedelta(hours=1))
    draft = StatementFactory(status="draft", embargo_until=timezone.now() - dt.timedelta(hours=1))
    open_statement.embargo_until = timezone.now() - dt.timedelta(minutes=1)
    open_statement.save()
    tasks.publish_due_statements.delay()
    open_statement.refresh_from_db()
    assert open_statement.status == Statement.Status.PUBLISHED
    assert open_statement.published_at is not None
    assert Statement.objects.get(pk=future.pk).status == Statement.Status.OPEN
    assert Statement.objects.get(pk=draft.pk).status == Statement.Status.DRAFT
    assert AuditEntry.objects.get(action="statement.published").actor_label == "embargo"


def test_publishing_twice_publishes_once(open_statement):
    open_statement.embargo_until = timezone.now() - dt.timedelta(minutes=1)
    open_statement.save()
    assert services.publish_due_statements() == [open_statement.pk]
    assert services.publish_due_statements() == []
    assert AuditEntry.objects.filter(action="statement.published").count() == 1


def test_the_convenor_publishes_now(client, convenor, open_statement):
    client.force_login(convenor)
    response = client.post(f"/statements/{open_statement.slug}/publish/")
    assert response.status_code == 302
    open_statement.refresh_from_db()
    assert open_statement.status == Statement.Status.PUBLISHED
    assert AuditEntry.objects.get(action="statement.published").actor == convenor


def test_the_public_page_shows_the_text_in_the_language_asked_for(client, published):
    html = client.get(f"/statements/{published.slug}/?lang=fr").content.decode()
    assert DAVOS_FR in html
    assert "<strong>la moitié du monde</strong>" in html
    assert '<html lang="fr"' in html
    assert 'href="?lang=en"' in html  # the switcher


def test_the_public_page_follows_the_visitors_language_without_a_query(client, published):
    html = client.get(f"/statements/{published.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content
    assert DAVOS_FR in html.decode()


def test_a_language_the_statement_lacks_falls_back_to_the_original(client, published):
    html = client.get(f"/statements/{published.slug}/?lang=pt").content.decode()
    assert DAVOS_EN in html


def test_signatories_are_grouped_by_country_and_the_unlisted_only_counted(
    client, published, signatories
):
    html = client.get(f"/statements/{published.slug}/?lang=en").content.decode()
    assert '<span class="stat__number">3</span>' in html
    assert "1 of them is counted without its name" in html
    brazil_at, uganda_at = (
        html.index('<h3 class="signatories__country">Brazil'),
        html.index('<h3 class="signatories__country">Uganda'),
    )
    assert brazil_at < html.index("Movimento dos Pequenos Agricultores") < uganda_at
    assert uganda_at < html.index("Kapchorwa Women Farmers Cooperative")
    assert "Hidden Defenders Collective" not in html
    assert "Changed Its Mind" not in html


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "brazil_coordinator"])
def test_unlisted_names_never_reach_anyone_but_convenors(
    client_for, personas, published, signatories, persona
):
    client = client_for(personas[persona])
    for url in (
        f"/statements/{published.slug}/",
        f"/statements/{published.slug}/?lang=fr",
        f"/statements/{published.slug}/signatories.csv",
        "/statements/",
    ):
        assert "Hidden Defenders" not in client.get(url).content.decode()


def test_convenors_export_every_signature_with_its_visibility(
    client, convenor, published, signatories
):
    client.force_login(convenor)
    response = client.get(f"/statements/{published.slug}/signatories.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    by_name = {row["organisation"]: row for row in rows}
    assert by_name["Hidden Defenders Collective"]["listed_publicly"] == "no"
    assert by_name["Changed Its Mind"]["status"] == "withdrawn"
    assert len(rows) == 4


def test_signatories_csv_defuses_formulas_typed_by_anonymous_signers(
    client_for, convenor, published
):
    SignatureFactory(
        statement=published,
        organisation=OrganisationFactory(name="-2+3", country="UG"),
        signatory_name='=HYPERLINK("http://x")',
        signatory_title="+cmd",
        source="web",
    )

    (row,) = read_csv(client_for(convenor).get(f"/statements/{published.slug}/signatories.csv"))

    assert row["signatory"] == '\'=HYPERLINK("http://x")'
    assert row["title"] == "'+cmd"
    assert row["organisation"] == "'-2+3"


def read_csv(response) -> list[dict]:
    content = response.getvalue().decode()
    return list(csv.DictReader(io.StringIO(content)))


def test_anonymous_visitors_never_see_a_draft_or_an_open_statement(client, draft):
    assert client.get(f"/statements/{draft.slug}/").status_code == 404
    assert DAVOS_EN not in client.get("/statements/").content.decode()
    draft.status = "open"
    draft.save()
    assert client.get(f"/statements/{draft.slug}/").status_code == 404
    assert DAVOS_EN not in client.get("/statements/").content.decode()


def test_the_list_shows_published_statements_to_everyone_and_all_to_convenors(
    client, convenor, published
):
    StatementFactory(status="draft", text__title="A draft in progress")
    html = client.get("/statements/").content.decode()
    assert DAVOS_EN in html and "A draft in progress" not in html
    client.force_login(convenor)
    html = client.get("/statements/").content.decode()
    assert DAVOS_EN in html and "A draft in progress" in html


def test_the_list_makes_a_fixed_number_of_queries(client, convenor, django_assert_max_num_queries):
    for n in range(15):
        statement = StatementFactory(status="published", text__title=f"Statement {n}")
        SignatureFactory(statement=statement)
    client.force_login(convenor)
    # 9 since the list has its search form (its campaign and focus-area choices).
    with django_assert_max_num_queries(9):
        response = client.get("/statements/")
    assert "Statement 14" in response.content.decode()


def test_the_public_page_makes_a_fixed_number_of_queries(
    client, published, django_assert_max_num_queries
):
    for n in range(40):
        SignatureFactory(statement=published, organisation__country=["UG", "BR", "KE"][n % 3])
    with django_assert_max_num_queries(8):
        response = client.get(f"/statements/{published.slug}/")
    assert response.status_code == 200


def test_the_public_page_has_a_print_stylesheet_and_works_without_javascript(client, published):
    html = client.get(f"/statements/{published.slug}/").content.decode()
    assert "css/statements.css" in html
    assert 'media="print"' in html
    assert "<script" not in html.split("<main", 1)[1]
