"""The hand-over document in Chromium: a visitor downloads it from the published
statement's page (in French: the groups named in French); a convenor downloads it from
the tracking page of a statement still open for sign-on. Both files are read back."""

import shutil
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from statements.models import Statement, StatementText
from tests.browser.login import log_in
from tests.factories import OrganisationFactory, SignatureFactory, StatementFactory, UserFactory
from tests.mfa import TOTP_SECRET, enrol_totp

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

TITLE_EN = "Civil society steps up the fight on inequality"
TITLE_FR = "La société civile intensifie la lutte contre les inégalités"


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def signed_statement(status):
    statement = StatementFactory(text=False, status=status)
    version = statement.versions.create(number=1)
    StatementText.objects.create(version=version, language="en", title=TITLE_EN, body="Text.")
    StatementText.objects.create(version=version, language="fr", title=TITLE_FR, body="Texte.")
    SignatureFactory(
        statement=statement,
        organisation=OrganisationFactory(name="Uganda Land Alliance", country="UG"),
    )
    SignatureFactory(
        statement=statement,
        organisation=OrganisationFactory(name="Quiet Defenders", country="BD"),
        listed_publicly=False,
    )
    return statement


@pytest.mark.django_db(transaction=True)
def test_a_visitor_downloads_the_published_statement_in_french(
    live_server, page, screenshot_dir, compiled_translations, tmp_path
):
    statement = signed_statement(Statement.Status.PUBLISHED)
    statement.published_at = timezone.now()
    statement.save()

    page.goto(f"{live_server.url}/statements/{statement.slug}/?lang=fr")
    link = page.get_by_role("link", name="Télécharger le document de remise")
    expect(link).to_be_visible()
    with page.expect_download() as downloading:
        link.click()
    path = tmp_path / "public.pdf"
    downloading.value.save_as(path)

    text = pdf_text(path)
    assert TITLE_FR in text
    assert "Ouganda (1)" in text
    assert "et 1 organisation comptée sans son nom" in text
    assert "Quiet Defenders" not in text and "Bangladesh" not in text


@pytest.mark.django_db(transaction=True)
def test_a_convenor_downloads_it_from_the_tracking_page_before_publication(
    live_server, page, tmp_path
):
    enrol_totp(UserFactory(email="convenor@alliance.test", is_convenor=True))
    statement = signed_statement(Statement.Status.OPEN)

    log_in(page, live_server.url, "convenor@alliance.test", totp_secret=TOTP_SECRET)
    page.goto(f"{live_server.url}/statements/{statement.slug}/tracking/")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the hand-over document").click()
    path = tmp_path / "tracking.pdf"
    downloading.value.save_as(path)

    text = pdf_text(path)
    assert TITLE_EN in text
    assert "Not published yet" in text
    assert "Uganda Land Alliance" in text
    assert "Quiet Defenders" not in text
