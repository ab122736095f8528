"""Journeys 4 and 5 in Chromium: a convenor drafts a statement in English and French and
circulates it; a member representative signs from the email link without being listed;
the convenor publishes it; a visitor reads it in French with its signatories."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from statements.models import Signature, Statement
from tests.browser.login import log_in
from tests.factories import (
    ContactFactory,
    MembershipFactory,
    NationalAllianceFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.mfa import TOTP_SECRET, enrol_totp

PASSWORD = "fightinequality"
TITLE_EN = "Civil society steps up the fight on inequality"
TITLE_FR = "La société civile intensifie la lutte contre les inégalités"


@pytest.mark.django_db(transaction=True)
def test_statement_lifecycle_from_draft_to_public_page_in_french(
    live_server, page, browser, screenshot_dir, compiled_translations
):
    enrol_totp(UserFactory(email="convenor@alliance.test", password=PASSWORD, is_convenor=True))
    uganda = NationalAllianceFactory(country="UG", name="Uganda Fight Inequality Alliance")
    cooperative = OrganisationFactory(name="Kapchorwa Women Farmers Cooperative", country="UG")
    MembershipFactory(organisation=cooperative, national_alliance=uganda)
    ContactFactory(
        organisation=cooperative, name="Jean Okello", email="jean@kapchorwa.test", language="fr"
    )
    base = live_server.url

    # 1. Draft in English and French.
    log_in(page, base, "convenor@alliance.test", password=PASSWORD, totp_secret=TOTP_SECRET)
    page.goto(f"{base}/statements/new/")
    english = page.get_by_role("group", name="English")
    english.get_by_label("Title").fill(TITLE_EN)
    english.get_by_label("Summary").fill("As elites meet at Davos.")
    english.get_by_label("Text").fill("62 people own the same wealth as **half the world**.")
    french = page.get_by_role("group", name="French")
    french.get_by_label("Title").fill(TITLE_FR)
    french.get_by_label("Text").fill("62 personnes possèdent autant que **la moitié du monde**.")
    page.get_by_label("Sign-on closes (deadline)").fill("2030-01-15T12:00")
    page.get_by_label("Embargo until").fill("2030-01-20T06:00")
    page.screenshot(path=screenshot_dir / "statement-draft.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=TITLE_EN)).to_be_visible()
    expect(page.get_by_text("Not public yet")).to_be_visible()

    # 2. Circulate to the Uganda national alliance, seeing the counts first.
    page.get_by_role("link", name="Circulate for sign-on").click()
    page.get_by_label("National alliance").select_option(label=uganda.name)
    page.get_by_role("button", name="Count who will be asked").click()
    expect(page.locator("#to-ask")).to_contain_text("1 organisation will be asked to sign")
    expect(page.locator("#contacts")).to_contain_text("1 authorised contact will receive")
    page.get_by_role("button", name="Send the request to 1 organisation").click()
    expect(page.locator("#total-no-reply")).to_have_text("1")
    page.screenshot(path=screenshot_dir / "statement-tracking-before.png", full_page=True)

    # 3. The representative follows the link in the email, in French, without logging in.
    invitation = OutgoingMessage.objects.get(template="statement_invitation")
    assert invitation.language == "fr"
    email_body = render(invitation).body
    link = next(line for line in email_body.splitlines() if "/statements/s/" in line).strip()
    path = link.removeprefix("http://testserver")
    visitor = browser.new_context()
    signer = visitor.new_page()
    signer.goto(f"{base}{path}")
    expect(signer.get_by_role("heading", name=TITLE_FR)).to_be_visible()
    assert not Signature.objects.exists()  # opening the link changed nothing
    # The page is in the contact's language, French.
    expect(signer.locator("html")).to_have_attribute("lang", "fr")
    expect(signer.locator("#id_email")).to_have_value("jean@kapchorwa.test")
    expect(signer.locator("#id_signatory_name")).to_have_value("Jean Okello")
    signer.locator("#id_signatory_title").fill("Secrétaire général")
    signer.get_by_label("Comptée dans le total, sans son nom").check()
    signer.screenshot(path=screenshot_dir / "statement-sign-link.png", full_page=True)
    signer.get_by_role("button", name="Signer pour Kapchorwa").click()
    expect(signer.get_by_text("Jean Okello a signé pour")).to_be_visible()
    signature = Signature.objects.get()
    assert signature.listed_publicly is False
    assert signature.status == Signature.Status.CONFIRMED

    # 4. The convenor sees the answer and publishes.
    page.reload()
    expect(page.locator("#total-signed")).to_have_text("1")
    page.get_by_role("link", name="Civil society steps up").first.click()
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("published in all its languages")).to_be_visible()
    statement = Statement.objects.get()
    assert statement.status == Statement.Status.PUBLISHED
    assert statement.published_at <= timezone.now()

    # 5. A visitor reads the public page in French: counted, not named.
    signer.goto(f"{base}/statements/{statement.slug}/?lang=fr")
    expect(signer.locator("html")).to_have_attribute("lang", "fr")
    expect(signer.get_by_role("heading", name=TITLE_FR)).to_be_visible()
    expect(signer.locator(".signatories .stat__number")).to_have_text("1")
    expect(signer.get_by_text("Kapchorwa Women Farmers Cooperative")).to_have_count(0)
    signer.get_by_role("navigation", name="Langues de cette déclaration").get_by_role(
        "link", name="English"
    ).click()
    expect(signer.get_by_role("heading", name=TITLE_EN)).to_be_visible()
    signer.goto(f"{base}/statements/{statement.slug}/?lang=fr")
    signer.screenshot(path=screenshot_dir / "statement-public-fr.png", full_page=True)
    signer.emulate_media(media="print")
    signer.screenshot(path=screenshot_dir / "statement-public-fr-print.png", full_page=True)
    visitor.close()
