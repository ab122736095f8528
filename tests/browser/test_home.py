"""The demo convenor's first minutes, in a real browser: log in, read the counts, switch
the interface to French."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from alliance.demo import data
from tests.browser.login import log_in


@pytest.mark.django_db(transaction=True)
def test_convenor_logs_in_sees_counts_and_switches_to_french(
    live_server, page, screenshot_dir, compiled_translations
):
    call_command("seed_demo", verbosity=0)

    # The demo convenor's authenticator app is `manage.py demo_totp`: its fixed secret.
    log_in(
        page,
        live_server.url,
        data.CONVENOR.email,
        password=data.DEMO_PASSWORD,
        totp_secret=data.CONVENOR.totp_secret,
    )
    counts = page.get_by_role("region", name="Across the alliance")
    expect(counts).to_be_visible()
    expect(counts.get_by_text("Member organisations")).to_be_visible()
    expect(counts.get_by_text("National alliances")).to_be_visible()
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Admin")).to_be_visible()
    page.screenshot(path=screenshot_dir / "home-convenor-en.png", full_page=True)

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    navigation = page.get_by_role("navigation", name="Menu principal")
    expect(navigation.get_by_role("link", name="Accueil")).to_be_visible()
    expect(navigation.get_by_role("link", name="Administration")).to_be_visible()
    expect(page.get_by_role("heading", name="Dans toute l’alliance")).to_be_visible()
    page.screenshot(path=screenshot_dir / "home-convenor-fr.png", full_page=True)
