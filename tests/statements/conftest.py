"""Fixtures of the statements tests: a statement in English and French, and Ugandan and
Brazilian member organisations with authorised contacts."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from statements.models import Statement, StatementText, StatementVersion
from tests.factories import ContactFactory, StatementFactory

DAVOS_EN = "Civil society steps up the fight on inequality"
# What a visitor types into the public form, listed by name.
ACCRA_SUBMISSION = {
    "organisation_name": "Accra Budget Watch",
    "country": "GH",
    "kind": "research",
    "signatory_name": "Kofi Mensah",
    "email": "kofi@budgetwatch.example",
    "visibility": "listed",
}
DAVOS_FR = "La société civile intensifie la lutte contre les inégalités"


@pytest.fixture(autouse=True)
def fresh_rate_counters(monkeypatch):
    # Counters of public signing live in the cache (Redis under make test) and outlive a
    # test; a prefix per test keeps one test's submissions from counting in the next.
    from statements.services import public_signing

    monkeypatch.setattr(public_signing, "RATE_KEY_PREFIX", f"test-rate:{uuid.uuid4().hex}")


def add_texts(statement: Statement, *, number: int = 1) -> StatementVersion:
    version = StatementVersion.objects.create(statement=statement, number=number)
    StatementText.objects.create(
        version=version,
        language="en",
        title=DAVOS_EN,
        summary="As elites meet at Davos.",
        body="62 people own the same wealth as **half the world**.",
    )
    StatementText.objects.create(
        version=version,
        language="fr",
        title=DAVOS_FR,
        summary="Pendant que les élites se réunissent à Davos.",
        body="62 personnes possèdent autant que **la moitié du monde**.",
    )
    return version


@pytest.fixture
def draft(convenor):
    statement = StatementFactory(
        text=False, status=Statement.Status.DRAFT, created_by=convenor, slug="davos-2026"
    )
    add_texts(statement)
    return statement


@pytest.fixture
def open_statement(draft):
    draft.status = Statement.Status.OPEN
    draft.embargo_until = draft.signon_closes_at + dt.timedelta(hours=1)
    draft.save()
    return draft


@pytest.fixture
def uganda_contacts(uganda_member):
    """Two authorised contacts (English and French) and one who may not sign."""
    return [
        ContactFactory(
            organisation=uganda_member,
            name="Amina Nakato",
            email="amina@kapchorwa.test",
            language="en",
            time_zone="Africa/Kampala",
        ),
        ContactFactory(
            organisation=uganda_member,
            name="Jean Okello",
            email="jean@kapchorwa.test",
            language="fr",
            time_zone="Africa/Kampala",
        ),
        ContactFactory(
            organisation=uganda_member,
            name="Not Authorised",
            email="intern@kapchorwa.test",
            authorised_to_sign=False,
        ),
    ]


@pytest.fixture
def brazil_contact(brazil_member):
    return ContactFactory(
        organisation=brazil_member,
        name="Maria Silva",
        email="maria@mpa.test",
        language="pt",
        time_zone="America/Sao_Paulo",
    )


def in_days(days: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


@pytest.fixture
def board(client, convenor, open_statement):
    """A convenor's client, the tracking page of the open statement, and the statement."""
    client.force_login(convenor)
    url = reverse("statements:tracking", kwargs={"slug": open_statement.slug})
    return client, url, open_statement


def rows_of(html: str) -> str:
    """The tracking page's table of organisations."""
    return html.split('id="organisations"', 1)[1].split("</table>", 1)[0]
