"""Issue 3, principles: a convenor publishes version 2 in English and French; a member
representative follows the link in the email and endorses it."""

import re

import pytest
from playwright.sync_api import expect

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from members.models import Membership
from tests.browser.login import log_in
from tests.factories import PrinciplesFactory
from tests.mfa import TOTP_SECRET


@pytest.mark.django_db(transaction=True)
def test_convenor_publishes_a_version_and_a_member_endorses_it_from_the_email(
    live_server, page, screenshot_dir, convenor, representative, uganda_member
):
    PrinciplesFactory()
    log_in(page, live_server.url, convenor.email, totp_secret=TOTP_SECRET)

    page.goto(f"{live_server.url}/members/principles/")
    page.get_by_role("link", name="Publish a new version").click()
    page.get_by_label("Title (English)").fill("Our shared principles, 2026")
    page.get_by_label("Text (English)").fill("We fight inequality **together**, from below.")
    page.get_by_label("Title (French)").fill("Nos principes communs, 2026")
    page.get_by_label("Text (French)").fill("Nous combattons les inégalités **ensemble**.")
    page.get_by_label("What changed").fill("Adds a word on solidarity.")
    page.screenshot(path=screenshot_dir / "principles-publish.png", full_page=True)
    page.get_by_role("button", name="Publish and ask members to endorse").click()
    expect(page.get_by_role("heading", name="Our shared principles, 2026")).to_be_visible()
    expect(page.locator("#not-endorsed")).to_contain_text(uganda_member.name)
    page.screenshot(path=screenshot_dir / "principles-published.png", full_page=True)

    # The member, in a fresh session, follows the link in the email.
    page.context.clear_cookies()
    email = render(OutgoingMessage.objects.get(to_email=representative.email))
    path = re.search(r"/members/principles/endorse/[^/\s]+/", email.body).group(0)
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_text("We fight inequality together, from below.")).to_be_visible()
    page.get_by_role("button", name="Endorse version 2").click()
    expect(page.get_by_role("status").first).to_contain_text("endorses version 2")
    page.screenshot(path=screenshot_dir / "principles-endorsed.png", full_page=True)
    assert Membership.objects.get(organisation=uganda_member).principles.version == 2
