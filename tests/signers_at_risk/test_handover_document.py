"""The hand-over document is a channel: it counts an organisation that signed without
its name, and never names it, whoever downloads it (a convenor too: the document is
handed to the statement's addressees), whatever the grouping, language or paper; nor
does a group of its own (its country, its kind) give it away."""

import shutil
import subprocess

import pytest
from django.utils import timezone

from statements.models import Statement
from tests.factories import OrganisationFactory, SignatureFactory, StatementFactory

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "handover.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def signed_quietly(at_risk):
    statement = StatementFactory(status=Statement.Status.OPEN)
    SignatureFactory(
        statement=statement,
        organisation=OrganisationFactory(name="Uganda Land Alliance", country="UG", kind="network"),
    )
    SignatureFactory(
        statement=statement,
        organisation=at_risk,
        signatory_name="Shirin Akter",
        listed_publicly=False,
    )
    return statement


@pytest.mark.parametrize("persona", ["anonymous", "representative", "convenor"])
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"by": "kind"},
        {"lang": "fr", "text": "all"},
        {"lang": "pt", "paper": "letter"},
    ],
)
def test_the_document_counts_a_counted_only_signer_without_naming_it(
    client_for, personas, signed_quietly, at_risk, persona, query, tmp_path
):
    signed_quietly.status = Statement.Status.PUBLISHED
    signed_quietly.published_at = timezone.now()
    signed_quietly.save()

    response = client_for(personas[persona]).get(
        f"/statements/{signed_quietly.slug}/handover.pdf", query
    )

    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "Uganda Land Alliance" in text
    for trace in [at_risk.name, "Bangladesh", "Shirin", "shirin@", "Akter"]:
        assert trace not in text
    assert "2" in text  # the total counts it


def test_a_convenors_document_of_an_open_statement_does_not_name_it_either(
    client_for, convenor, signed_quietly, at_risk, tmp_path
):
    response = client_for(convenor).get(f"/statements/{signed_quietly.slug}/handover.pdf")

    text = pdf_text(response.content, tmp_path)
    assert at_risk.name not in text
    assert "and 1 organisation counted without its name" in text
