"""Who may download a statement's hand-over document: everyone once it is published;
before that, whoever sees the tracking page (convenors). Those who may not see the
statement at all are told nothing exists; those who see it are refused the document."""

import pytest
from django.utils import timezone

from statements.models import HandoverDocument, Statement
from tests.factories import SignOnRequestFactory

PERSONAS = [
    "convenor",
    "superuser_convenor",
    "uganda_coordinator",
    "brazil_coordinator",
    "representative",
    "outsider",
    "anonymous",
]
DRAFT = {"convenor": 200, "superuser_convenor": 200}
# Open for sign-on, asked of the representative's organisation (a Ugandan member): its
# people and their coordinator see the statement, but not the document yet.
OPEN = {**DRAFT, "uganda_coordinator": 403, "representative": 403}


@pytest.fixture
def asked(open_statement, uganda_member):
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member)
    return open_statement


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_draft_statements_document_is_for_convenors(client_for, personas, draft, persona):
    response = client_for(personas[persona]).get(f"/statements/{draft.slug}/handover.pdf")
    assert response.status_code == DRAFT.get(persona, 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_open_statements_document_is_for_convenors(client_for, personas, asked, persona):
    response = client_for(personas[persona]).get(f"/statements/{asked.slug}/handover.pdf")
    assert response.status_code == OPEN.get(persona, 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_published_statements_document_is_everyones(client_for, personas, asked, persona):
    asked.status = Statement.Status.PUBLISHED
    asked.published_at = timezone.now()
    asked.save()
    response = client_for(personas[persona]).get(f"/statements/{asked.slug}/handover.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_progress_page_of_a_drafts_document_is_for_convenors(
    client_for, personas, draft, persona
):
    document = HandoverDocument.objects.create(
        statement=draft,
        state="x",
        text_language="en",
        grouping="country",
        paper="a4",
        reader_language="en",
    )
    response = client_for(personas[persona]).get(
        f"/statements/{draft.slug}/handover/{document.pk}/"
    )
    assert response.status_code == DRAFT.get(persona, 404)
