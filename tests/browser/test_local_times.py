"""Times on anonymous pages, in Chromium set to another time zone: the server writes the
convening's own zone (and names it), static/js/local-times.js rewrites it into the
browser's, named too; a page opened from an email keeps the recipient's zone."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from campaigns.models import Convening
from tests.factories import ContactFactory, ConveningFactory, InvitationFactory, OrganisationFactory

# 14:00 UTC: 17:00 in Kampala, 11:00 in São Paulo, 23:00 in Tokyo (formatted in the
# page's language, English).
STARTS = dt.datetime(2031, 3, 12, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def tokyo_page(browser):
    context = browser.new_context(timezone_id="Asia/Tokyo")
    yield context.new_page()
    context.close()


@pytest.fixture
def invitation(db):
    convening = ConveningFactory(
        title="Uganda national assembly",
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=3),
        time_zone="Africa/Kampala",
        status=Convening.Status.SCHEDULED,
    )
    return InvitationFactory(convening=convening, organisation=OrganisationFactory())


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_page_shows_times_in_the_browsers_zone(
    live_server, tokyo_page, invitation, screenshot_dir
):
    errors = []
    tokyo_page.on("pageerror", lambda error: errors.append(str(error)))
    tokyo_page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and errors.append(message.text),
    )

    tokyo_page.goto(f"{live_server.url}/campaigns/rsvp/{invitation.token}/")

    when = tokyo_page.locator("dd").first
    expect(when).to_contain_text("March 12, 2031 at 11:00 PM (Asia/Tokyo)")
    expect(when.locator("time").first).to_have_attribute(
        "title", "March 12, 2031, 5 p.m. (Africa/Kampala)"
    )
    # "Local time there" is the convening's, whoever reads it.
    there = tokyo_page.locator("dd").nth(1)
    expect(there).to_contain_text("March 12, 2031, 5 p.m. (Africa/Kampala)")
    tokyo_page.screenshot(path=screenshot_dir / "rsvp-anonymous-tokyo.png", full_page=True)
    assert errors == []  # nothing refused by the Content-Security-Policy, no error


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_page_keeps_the_conveninings_zone(live_server, browser, invitation):
    context = browser.new_context(timezone_id="Asia/Tokyo", java_script_enabled=False)
    page = context.new_page()

    page.goto(f"{live_server.url}/campaigns/rsvp/{invitation.token}/")

    expect(page.locator("dd").first).to_contain_text("March 12, 2031, 5 p.m. (Africa/Kampala)")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_page_from_an_email_keeps_the_recipients_zone(live_server, tokyo_page, invitation):
    maria = ContactFactory(organisation=invitation.organisation, time_zone="America/Sao_Paulo")
    invitation.contacts.add(maria)

    tokyo_page.goto(f"{live_server.url}/campaigns/rsvp/{invitation.token}/?contact={maria.pk}")

    expect(tokyo_page.locator("dd").first).to_contain_text(
        "March 12, 2031, 11 a.m. (America/Sao_Paulo)"
    )
    expect(tokyo_page.locator("body")).not_to_contain_text("Asia/Tokyo")
