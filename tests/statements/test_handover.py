"""The hand-over document: the PDF of a published statement, read back with pdftotext
(poppler-utils): text in the chosen languages, the date, the total, the listed
signatories grouped in the reader's language, the counted-only ones as a number only;
paper sizes and page numbers; built once per statement state; bad options refused."""

import re
import shutil
import subprocess

import pytest
from django.utils import timezone

from statements.models import HandoverDocument, Statement
from tests.factories import OrganisationFactory, SignatureFactory
from tests.statements.conftest import DAVOS_EN, DAVOS_FR

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext, pdfinfo)"
)

# Names in every script of the demo data.
LISTED = [
    ("Kapchorwa Women's Cooperative", "UG", "womens_rights"),
    ("Ação Cidadã São Paulo", "BR", "movement"),
    ("जन स्वास्थ्य अभियान", "IN", "movement"),
    ("নারীপক্ষ", "BD", "womens_rights"),
    ("جمعية التضامن", "EG", "union"),
]
COUNTED_ONLY = "Quiet Defenders of Kampala"


def pdf_text(content: bytes, tmp_path, *args: str) -> str:
    path = tmp_path / "handover.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def squeezed(text: str) -> str:
    """Without spaces and bidirectional marks: pdftotext puts some inside the clusters
    of Devanagari, and marks around Arabic."""
    return re.sub(r"[\s\u202a-\u202e\u200e\u200f]", "", text)


def pdf_info(content: bytes, tmp_path) -> str:
    path = tmp_path / "info.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def published(open_statement):
    for name, country, kind in LISTED:
        SignatureFactory(
            statement=open_statement,
            organisation=OrganisationFactory(name=name, country=country, kind=kind),
        )
    SignatureFactory(
        statement=open_statement,
        organisation=OrganisationFactory(name=COUNTED_ONLY, country="UG", kind="movement"),
        listed_publicly=False,
    )
    open_statement.status = Statement.Status.PUBLISHED
    open_statement.published_at = timezone.now()
    open_statement.save()
    return open_statement


def download(client, statement, **query):
    response = client.get(f"/statements/{statement.slug}/handover.pdf", query)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_anyone_downloads_the_published_statement_with_its_signatories_by_country(
    client, published, tmp_path
):
    text = pdf_text(download(client, published, lang="en"), tmp_path)

    assert DAVOS_EN in text
    assert DAVOS_FR not in text
    assert "half the world" in text
    assert "Published on" in text
    assert "6 organisations have signed" in text
    assert "and 1 organisation counted without its name" in text
    assert "Fight Inequality Alliance" in text
    for name, _country, _kind in LISTED:
        assert squeezed(name) in squeezed(text)
    for country in ["Bangladesh", "Brazil", "Egypt", "India", "Uganda"]:
        assert f"{country} (1)" in text
    # Countries in the order of their names.
    positions = [text.index(f"{c} (1)") for c in ["Bangladesh", "Brazil", "Egypt", "India"]]
    assert positions == sorted(positions)
    assert COUNTED_ONLY not in text
    assert re.search(r"^1 ?/ ?2$", text, re.MULTILINE)  # page numbers
    # The total is on page 1, before the text, for whoever receives only the first page.
    first_page = pdf_text(download(client, published, lang="en"), tmp_path, "-f", "1", "-l", "1")
    assert first_page.index("Signed by 6 organisations") < first_page.index(DAVOS_EN)


def test_every_script_of_the_names_has_its_font(client, published, tmp_path):
    path = tmp_path / "fonts.pdf"
    path.write_bytes(download(client, published))
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout

    for font in ["Noto-Sans-Devanagari", "Noto-Sans-Bengali", "Noto-Sans-Arabic"]:
        assert font in fonts
    assert "Serif" not in fonts and "DejaVu" not in fonts


def test_the_counted_only_organisation_leaves_no_trace_for_a_convenor_either(
    client_for, convenor, published, tmp_path
):
    client = client_for(convenor)
    for grouping in ["country", "kind"]:
        text = pdf_text(download(client, published, by=grouping, text="all"), tmp_path)
        assert COUNTED_ONLY not in text
        assert "and 1 organisation counted without its name" in text


def test_groups_by_kind_named_in_the_readers_language(client, published, tmp_path):
    text = pdf_text(download(client, published, by="kind", lang="fr"), tmp_path)

    # The reader's language names the groups and the document's words; the text itself
    # defaults to the reader's language too.
    assert DAVOS_FR in text
    assert "Syndicat (1)" in text or "syndicat (1)" in text.lower()
    assert "mouvement social (2)" in text.lower()
    assert "et 1 organisation comptée sans son nom" in text


def test_every_text_one_after_the_other(client, published, tmp_path):
    text = pdf_text(download(client, published, text="all"), tmp_path)

    assert text.index(DAVOS_EN) < text.index(DAVOS_FR)
    assert "la moitié du monde" in text


def test_letter_and_a4(client, published, tmp_path):
    assert "612 x 792 pts" in pdf_info(download(client, published, paper="letter"), tmp_path)
    assert "595.276 x 841.89 pts" in pdf_info(download(client, published), tmp_path)


@pytest.mark.parametrize(
    "query",
    [{"text": "de"}, {"by": "alliance"}, {"paper": "a3"}, {"text": "<script>"}],
)
def test_options_the_statement_cannot_have_are_refused_clearly(client, published, query):
    response = client.get(f"/statements/{published.slug}/handover.pdf", query)

    assert response.status_code == 400
    assert b"<h1" in response.content


def test_the_same_statement_state_is_built_once(client, published, tmp_path, monkeypatch):
    from statements import handover

    first = download(client, published)
    built = []
    monkeypatch.setattr(handover, "render_pdf", lambda *args, **kwargs: built.append(1) or b"%PDF-")
    assert download(client, published) == first
    assert built == []
    assert HandoverDocument.objects.count() == 1

    SignatureFactory(statement=published, organisation=OrganisationFactory(name="Late Signer"))
    download(client, published)
    assert built == [1]
    assert HandoverDocument.objects.count() == 1  # the earlier state's is not kept


def test_the_statement_page_prints_with_the_documents_stylesheet(client, published):
    page = client.get(f"/statements/{published.slug}/").content.decode()

    assert 'css/statement-print.css" media="print"' in page
    assert f"/statements/{published.slug}/handover.pdf?lang=en" in page


def test_a_server_without_pango_says_so_instead_of_failing(client, published, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def without_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_pango)
    response = client.get(f"/statements/{published.slug}/handover.pdf")

    assert response.status_code == 503
    assert "cannot make PDF documents yet" in response.content.decode()


def test_an_earlier_states_document_is_not_kept(client, published):
    download(client, published)
    SignatureFactory(statement=published, organisation=OrganisationFactory(name="Late Signer"))
    download(client, published)
    download(client, published, paper="letter")

    assert sorted(HandoverDocument.objects.values_list("paper", flat=True)) == ["a4", "letter"]


def test_the_document_reads_as_many_queries_for_many_signatories_as_for_few(
    client, published, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        download(client, published)
    for number in range(30):
        SignatureFactory(
            statement=published, organisation=OrganisationFactory(name=f"Signer {number}")
        )
    with CaptureQueriesContext(connection) as many:
        download(client, published)
    assert len(many) == len(few)
    with django_assert_max_num_queries(len(few)):
        download(client, published)  # stored: fewer still
