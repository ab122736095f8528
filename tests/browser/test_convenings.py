"""Journey 6 in a real browser: the Uganda coordinator schedules a national convening,
invites the alliance's members, moves it; an invitee answers through the link in the
email, which a real SMTP server received with its .ics."""

import re

import icalendar
import pytest
from playwright.sync_api import expect

from campaigns.models import Convening, Invitation
from tests.browser.login import log_in
from tests.mfa import TOTP_SECRET


def calendar_of(message) -> icalendar.Calendar:
    ((filename, content_type, content),) = message.attachments
    assert filename == "invite.ics"
    assert content_type == "text/calendar"
    return icalendar.Calendar.from_ical(content)


@pytest.mark.django_db(transaction=True)
def test_coordinator_schedules_invites_and_moves_and_invitee_answers_by_the_link(
    live_server, page, screenshot_dir, smtp_email, uganda, uganda_coordinator, representative
):
    log_in(page, live_server.url, uganda_coordinator.email, totp_secret=TOTP_SECRET)

    # Schedule a national convening.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Convenings").click()
    page.get_by_role("link", name="New convening").click()
    page.get_by_label("Title").fill("Uganda national assembly")
    page.get_by_label("National alliance").select_option(label=uganda.name)
    page.get_by_label("Format").select_option("hybrid")
    page.get_by_label("Time zone").fill("Africa/Kampala")
    page.get_by_label("Starts", exact=True).fill("2027-03-10T09:00")
    page.get_by_label("Ends", exact=True).fill("2027-03-10T17:00")
    page.get_by_label("Venue").fill("Kampala, Hotel Africana")
    page.get_by_label("Online link").fill("https://meet.example.org/uganda")
    page.get_by_label("Agenda").fill("1. Welcome\n2. **Tax justice**")
    page.get_by_label("RSVP deadline").fill("2027-03-01T17:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Uganda national assembly")).to_be_visible()
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Scheduled: you can now invite organisations.")).to_be_visible()
    expect(page.get_by_text("Tax justice")).to_be_visible()

    # Invite: filter, see the count, send.
    page.get_by_role("link", name="Invite organisations").click()
    page.get_by_label("National alliance").select_option(label=uganda.name)
    page.get_by_role("button", name="Count").click()
    expect(page.locator("#selection-count")).to_contain_text(
        "1 organisations, 1 contacts will receive the invitation."
    )
    page.screenshot(path=screenshot_dir / "convening-invite.png", full_page=True)
    page.get_by_role("button", name="Send the invitation to 1 organisation").click()
    expect(page.get_by_text("1 organisations invited")).to_be_visible()

    (invitation_email,) = smtp_email.wait_for(1)
    assert invitation_email.recipients == [representative.email]
    assert invitation_email.subject == "Invitation: Uganda national assembly"
    calendar = calendar_of(invitation_email)
    (event,) = calendar.walk("VEVENT")
    convening = Convening.objects.get()
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == convening.ics_uid
    assert int(event["SEQUENCE"]) == 0
    assert event["DTSTART"].params["TZID"] == "Africa/Kampala"
    assert event["DTSTART"].to_ical() == b"20270310T090000"

    # Move it by a day.
    page.get_by_role("link", name="Uganda national assembly").click()
    page.get_by_role("link", name="Edit or move").click()
    page.get_by_label("Starts", exact=True).fill("2027-03-11T09:00")
    page.get_by_label("Ends", exact=True).fill("2027-03-11T17:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Every invited organisation is being told.")).to_be_visible()
    expect(page.locator(".badge--moved").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "convening-moved.png", full_page=True)

    update = smtp_email.wait_for(2)[1]
    assert update.subject == "Moved: Uganda national assembly"
    (event,) = calendar_of(update).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == convening.ics_uid
    assert event["DTSTART"].to_ical() == b"20270311T090000"

    # The invitee follows the "yes" link: a page, not an answer.
    # The link names the contact it was sent to (?contact=), whose zone the page shows.
    link = re.search(r"https?://\S+/campaigns/rsvp/\S+[?&]answer=yes", update.body).group(0)
    path = link.split("/campaigns/", 1)[1]
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/campaigns/{path}")
    expect(page.locator("#current-answer")).to_have_text("no reply")
    assert Invitation.objects.get().answer == Invitation.Answer.NO_REPLY
    expect(page.get_by_label("Yes, we will attend")).to_be_checked()
    expect(page.get_by_text("https://meet.example.org/uganda")).to_have_count(0)
    page.get_by_label("Delegates").fill("Sarah Chebet\nJoseph Okello")
    page.get_by_role("button", name="Send our answer").click()

    expect(page.get_by_text("Thank you: your answer is recorded.")).to_be_visible()
    expect(page.locator("#current-answer")).to_have_text("yes")
    expect(page.get_by_role("link", name="https://meet.example.org/uganda")).to_be_visible()
    page.screenshot(path=screenshot_dir / "convening-rsvp.png", full_page=True)
    invitation = Invitation.objects.get()
    assert invitation.answer == Invitation.Answer.YES
    assert invitation.delegates == ["Sarah Chebet", "Joseph Okello"]
