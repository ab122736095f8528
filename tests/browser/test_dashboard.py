"""The dashboard in a real browser: a convenor opens it from the national alliances,
sees the map and the tables, sets a target and sees it against the actual figure."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.login import log_in
from tests.factories import MembershipFactory, NationalAllianceFactory, OrganisationFactory
from tests.mfa import TOTP_SECRET


@pytest.mark.django_db(transaction=True)
def test_convenor_sees_the_map_and_tables_and_sets_a_target(
    live_server, page, screenshot_dir, convenor, uganda, brazil
):
    kinds = ["womens_rights", "grassroots", "union", "movement", "research"]
    places = [
        ("UG", uganda),
        ("UG", uganda),
        ("KE", None),
        ("BR", brazil),
        ("IN", None),
        ("FR", None),
        ("ZA", None),
    ]
    for n in range(35):
        country, alliance = places[n % len(places)]
        MembershipFactory(
            organisation=OrganisationFactory(kind=kinds[n % len(kinds)], country=country),
            national_alliance=alliance,
            joined_at=timezone.now() - dt.timedelta(days=20 * (n % 18)),
        )
    NationalAllianceFactory(country="KE", name="Kenya Fight Inequality Alliance")

    log_in(page, live_server.url, convenor.email, totp_secret=TOTP_SECRET)

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="National alliances"
    ).click()
    expect(page.locator(f"#alliance-{uganda.slug}")).to_contain_text("10")
    page.get_by_role("link", name=uganda.name).click()
    expect(page.get_by_role("heading", name="Members by kind")).to_be_visible()
    page.screenshot(path=screenshot_dir / "alliance-uganda.png", full_page=True)
    page.get_by_role("link", name="Composition dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Composition of {uganda.name}")
    expect(page.locator("#stat-total .stat__number")).to_have_text("10")

    page.get_by_label("Figures for").select_option("")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Composition of the alliance")
    expect(page.get_by_role("img", name="Map of members by country")).to_be_visible()
    expect(page.locator('path[data-country="UG"]')).to_have_class("map__country map__country--5")
    expect(page.locator('#countries-table tr[data-country="KE"] td').first).to_have_text("5")
    expect(page.locator("#stat-total .stat__number")).to_have_text("35")
    # 30 of 35 from the global south (France is not).
    expect(page.locator("#stat-global-south .stat__number")).to_have_text("85.7%")

    # The target form reads as one row: its labels on one line, its fields and button level.
    form = page.locator(".dashboard-target-form")
    labels = [form.locator("label").nth(i).bounding_box()["y"] for i in range(3)]
    fields = [
        form.locator("select, input:not([type=hidden])").nth(i).bounding_box() for i in range(3)
    ]
    button = form.get_by_role("button", name="Set target").bounding_box()
    assert max(labels) - min(labels) < 2, labels
    assert max(f["y"] for f in fields) - min(f["y"] for f in fields) < 2, fields
    assert (
        abs((button["y"] + button["height"] / 2) - (fields[0]["y"] + fields[0]["height"] / 2)) < 6
    )

    page.get_by_label("Measure").select_option("womens_rights")
    page.get_by_label("Target (%)").fill("30")
    page.get_by_role("button", name="Set target").click()
    expect(page.get_by_text("Target saved.")).to_be_visible()
    expect(page.locator("#stat-womens-rights")).to_contain_text("target 30%")
    expect(page.locator("#targets-table")).to_contain_text("below target")  # 7 of 35: 20%
    page.screenshot(path=screenshot_dir / "dashboard.png", full_page=True)

    # On a phone the figures sit two by two, not one card per screenful.
    page.set_viewport_size({"width": 360, "height": 800})
    cards = [page.locator(".stats > *").nth(i).bounding_box() for i in range(2)]
    assert abs(cards[0]["y"] - cards[1]["y"]) < 2 and cards[1]["x"] > cards[0]["x"], cards
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=screenshot_dir / "dashboard-360.png", full_page=True)
