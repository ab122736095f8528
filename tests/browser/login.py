"""Signing in through the real form, with the second factor when the account has one."""

import re

from playwright.sync_api import expect

from alliance.core.accounts.models import User
from tests.mfa import fresh_code

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def log_in(page, base_url, email, *, password=PASSWORD, totp_secret=None, lands_on="/"):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign In").click()
    if totp_secret:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        user = User.objects.get(email=email)
        page.get_by_label("Code").fill(fresh_code(user, totp_secret))
        page.locator("main").get_by_role("button", name="Sign In").click()
    if lands_on is not None:
        expect(page).to_have_url(f"{base_url}{lands_on}")
