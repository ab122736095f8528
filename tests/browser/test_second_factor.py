"""A national coordinator's second factor, in Chromium: set up on their one sign-in without
it, then asked for at every sign-in (a code from the app, or a recovery code), and a
wrong code or no code signs nobody in."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.login import PASSWORD, log_in
from tests.factories import UserFactory
from tests.mfa import fresh_code

EMAIL = "new.coordinator@alliance.test"


def sign_out(page):
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Sign out").click()


def password_step(page, base_url):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{base_url}/accounts/2fa/authenticate/")


def code_step(page, code):
    page.get_by_label("Code").fill(code)
    page.locator("main").get_by_role("button", name="Sign In").click()


@pytest.mark.django_db(transaction=True)
def test_coordinator_sets_up_an_app_then_signs_in_with_a_code_or_a_recovery_code(
    live_server, page, screenshot_dir, uganda
):
    coordinator = UserFactory(email=EMAIL, name="Grace Uganda")
    uganda.coordinators.add(coordinator)
    base = live_server.url
    refused = []
    page.on("console", lambda message: refused.append(message.text))

    # The one sign-in without a second factor: every page leads to setting one up.
    log_in(page, base, EMAIL, lands_on="/accounts/2fa/")
    expect(
        page.get_by_role("heading", name="Set up two-factor authentication to continue")
    ).to_be_visible()
    page.goto(f"{base}/members/applications/")
    expect(page).to_have_url(f"{base}/accounts/2fa/")
    page.screenshot(path=screenshot_dir / "second-factor-required.png", full_page=True)

    page.locator("main").get_by_role("link", name="Activate").click()
    page.get_by_label("Password").fill(PASSWORD)  # allauth asks for it again
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{base}/accounts/2fa/totp/activate/")
    # The QR code is drawn, within the site's Content-Security-Policy.
    expect(page.locator(".totp-qr svg")).to_be_visible()
    assert not [text for text in refused if "Content Security Policy" in text]
    page.screenshot(path=screenshot_dir / "second-factor-activate.png", full_page=True)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(fresh_code(coordinator, secret))
    page.locator("main").get_by_role("button", name="Activate").click()

    expect(page).to_have_url(f"{base}/accounts/2fa/recovery-codes/")
    recovery_codes = page.locator("#recovery_codes").input_value().split()
    assert len(recovery_codes) == 10
    page.goto(f"{base}/members/applications/")
    expect(page).to_have_url(f"{base}/members/applications/")
    sign_out(page)

    # Every later sign-in asks for a code from the app...
    log_in(page, base, EMAIL, totp_secret=secret)
    page.goto(f"{base}/members/applications/")
    expect(page).to_have_url(f"{base}/members/applications/")
    sign_out(page)

    # ... or, with the phone lost, one of the recovery codes.
    password_step(page, base)
    page.screenshot(path=screenshot_dir / "second-factor-code.png", full_page=True)
    code_step(page, recovery_codes[0])
    expect(page).to_have_url(f"{base}/")
    sign_out(page)

    # A wrong code, or none, signs nobody in: the pages still ask for the code.
    password_step(page, base)
    code_step(page, "123456")
    expect(page.get_by_text("Incorrect code.", exact=True)).to_be_visible()
    page.goto(f"{base}/members/applications/")
    expect(page).to_have_url(f"{base}/accounts/2fa/authenticate/")
    page.get_by_role("button", name="Cancel").click()
    page.goto(f"{base}/members/applications/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))


@pytest.mark.django_db(transaction=True)
def test_second_sign_in_without_a_second_factor_is_refused(live_server, page, uganda):
    uganda.coordinators.add(UserFactory(email=EMAIL))
    log_in(page, live_server.url, EMAIL, lands_on="/accounts/2fa/")
    sign_out(page)

    log_in(page, live_server.url, EMAIL, lands_on=None)

    expect(page.get_by_role("heading", name="Two-factor authentication required")).to_be_visible()
    page.goto(f"{live_server.url}/members/applications/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))


@pytest.mark.django_db(transaction=True)
def test_convenor_adds_a_security_key_and_signs_in_with_it(
    live_server, page, screenshot_dir, settings
):
    # The test server is plain http on localhost, as the quick start is.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    UserFactory(email=EMAIL, is_convenor=True)
    # Chromium's virtual authenticator stands for the key on the keyring.
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    base = live_server.url

    log_in(page, base, EMAIL, lands_on="/accounts/2fa/")
    page.locator("main").get_by_role("link", name="Add").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{base}/accounts/2fa/webauthn/add/")
    # The button works through allauth's script, which must have loaded: clicked before
    # that, the form goes without a key and the page comes back as it was.
    page.wait_for_load_state("load")
    page.locator("main").get_by_role("button", name="Add").click()
    expect(page).to_have_url(f"{base}/accounts/2fa/recovery-codes/")
    page.goto(f"{base}/members/directory/")
    expect(page).to_have_url(f"{base}/members/directory/")
    sign_out(page)

    password_step(page, base)
    page.get_by_role("button", name="Use a security key").click()
    expect(page).to_have_url(f"{base}/")
    page.goto(f"{base}/members/directory/")
    expect(page).to_have_url(f"{base}/members/directory/")
