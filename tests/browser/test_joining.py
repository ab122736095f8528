"""Journey 2 in a real browser: a non-member organisation applies to join its national
alliance endorsing the principles, confirms its address from the emailed link, the
national coordinator approves, and the applicant is told by email."""

import pytest
from playwright.sync_api import expect

from alliance.core.outbox.models import OutgoingMessage
from members.models import Membership
from tests.browser.login import log_in
from tests.factories import PrinciplesFactory
from tests.mfa import TOTP_SECRET


@pytest.mark.django_db(transaction=True)
def test_applicant_joins_and_the_coordinator_approves(
    live_server, page, screenshot_dir, uganda_coordinator
):
    PrinciplesFactory(version=1, language="en", title="Our shared principles")

    page.goto(f"{live_server.url}/members/join/")
    expect(page.locator("legend", has_text="Our shared principles")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Tororo Youth Movement")
    page.get_by_label("Kind").select_option(label="social movement")
    page.get_by_label("Country").select_option(label="Uganda")
    page.get_by_label("City").fill("Tororo")
    page.get_by_label("Your name").fill("Okello James")
    page.get_by_label("Your email address").fill("okello@tororo.example")
    page.get_by_label("On behalf of our organisation, we endorse the principles above.").check()
    page.get_by_role("button", name="Send our application").click()
    expect(page.get_by_role("heading", name="Thank you: one more step")).to_be_visible()
    page.screenshot(path=screenshot_dir / "joining-applied.png", full_page=True)

    link = OutgoingMessage.objects.get(template="contact_verification").context["path"]
    page.goto(f"{live_server.url}{link}")
    assert Membership.objects.get().endorsed_by.email_verified_at is None  # GET: nothing
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("is confirmed")).to_be_visible()

    log_in(page, live_server.url, uganda_coordinator.email, totp_secret=TOTP_SECRET)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Applications").click()
    application = page.locator(".card", has_text="Tororo Youth Movement")
    expect(application).to_contain_text("Okello James")
    page.screenshot(path=screenshot_dir / "joining-review.png", full_page=True)
    application.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Tororo Youth Movement: approved.")).to_be_visible()

    membership = Membership.objects.get()
    assert membership.status == Membership.Status.APPROVED
    assert membership.decided_by == uganda_coordinator
    told = OutgoingMessage.objects.get(template="membership_approved")
    assert told.to_email == "okello@tororo.example"
