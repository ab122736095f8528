"""Journey 1 in a real browser: a convenor searches the directory, filters it, opens an
organisation, edits it, and sees the change in its history."""

import pytest
from playwright.sync_api import expect

from alliance.core.audit.models import AuditEntry
from tests.browser.login import log_in
from tests.factories import MembershipFactory, OrganisationFactory
from tests.mfa import TOTP_SECRET


@pytest.mark.django_db(transaction=True)
def test_convenor_finds_opens_edits_and_sees_the_history(
    live_server, page, screenshot_dir, convenor, uganda, brazil, brazil_member
):
    for n in range(60):
        MembershipFactory(
            organisation=OrganisationFactory(name=f"Kampala group {n:02}", country="UG"),
            national_alliance=uganda,
        )
    OrganisationFactory(name="Recife Trade Union", kind="union", country="BR", city="Recife")
    log_in(page, live_server.url, convenor.email, totp_secret=TOTP_SECRET)

    # The directory pages by 50, and the filters travel with the pager.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    page.get_by_label("Country").select_option("UG")
    page.get_by_role("button", name="Show").click()
    results = page.locator("#directory-results")
    expect(results.get_by_role("row")).to_have_count(51)  # with the header
    page.screenshot(path=screenshot_dir / "directory-uganda.png", full_page=True)
    results.get_by_role("link", name="Next").click()
    expect(results.get_by_role("link", name="Kampala group 59")).to_be_visible()
    assert "country=UG" in page.url and "after=" in page.url
    results.get_by_role("link", name="Previous").click()
    expect(results.get_by_role("link", name="Kampala group 00")).to_be_visible()

    # Search (accent-insensitive on Postgres; the city is typed without its accent there).
    page.goto(f"{live_server.url}/members/directory/")
    search = "Sao Paulo" if _on_postgres() else "São Paulo"
    page.get_by_label("Search").fill(search)
    page.get_by_role("button", name="Show").click()
    expect(results.get_by_role("link", name=brazil_member.name)).to_be_visible()
    expect(results.get_by_role("link", name="Recife Trade Union")).to_have_count(0)

    # Filter by kind and alliance, then open it.
    page.get_by_label("Search").fill("")
    page.get_by_label("Kind").select_option("movement")
    page.get_by_label("National alliance").select_option(brazil.slug)
    page.get_by_role("button", name="Show").click()
    expect(results.get_by_role("link", name=brazil_member.name)).to_be_visible()
    expect(results.get_by_role("link", name="Kampala group 00")).to_have_count(0)
    results.get_by_role("link", name=brazil_member.name).click()
    expect(page.get_by_role("heading", name=brazil_member.name)).to_be_visible()

    # Edit: the change is saved and shows in the history.
    page.get_by_role("link", name="Edit profile").click()
    page.get_by_label("City").fill("Campinas")
    page.get_by_label("Short name").fill("MPA")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: the change is in the history.")).to_be_visible()
    history = page.locator("ol.history")
    expect(history).to_contain_text("Profile changed")
    expect(history).to_contain_text("São Paulo → Campinas")
    expect(history).to_contain_text(convenor.name)
    page.screenshot(path=screenshot_dir / "organisation-history.png", full_page=True)

    entry = AuditEntry.objects.get(action="organisation.updated")
    assert entry.actor == convenor
    assert entry.changes["short_name"] == ["", "MPA"]


def _on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"
