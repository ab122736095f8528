"""The Content-Security-Policy in a real browser: Chromium opens every page of each
persona's tour (tests/fixtures/site_tour.py), including the htmx directory, the admin with
its JavaScript and Swagger UI, and reports no violation; and an inline script or style
slipped into a page is refused, and reported by the same listener."""

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.site_tour import MISSING_PAGE
from tests.mfa import TOTP_SECRET

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's

# Registered in every document before its own scripts run (page.add_init_script is not
# subject to the page's policy): each violation goes to Python through the binding.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${location.pathname}: ${event.effectiveDirective} blocked ${event.blockedURI}`
    + ` at ${event.sourceFile}:${event.lineNumber} ${event.sample}`
  );
});
"""


class Violations:
    """What the browser reported, under the path the test had opened (a late report
    may land under the next one; an event's text starts with its document's path):
    `securitypolicyviolation` events and console messages naming the policy."""

    def __init__(self, page):
        self.path = None
        self.found: dict[str, list[str]] = {}
        page.expose_function("reportCspViolation", self._add)
        page.add_init_script(REPORT_VIOLATIONS)
        page.on(
            "console",
            lambda message: (
                self._add(message.text) if "Content Security Policy" in message.text else None
            ),
        )

    def _add(self, text: str) -> None:
        self.found.setdefault(self.path, []).append(text)


@pytest.fixture
def violations(page):
    return Violations(page)


def log_in(page, base_url, user):
    """Through the real form, with the second factor where the account has one (the
    convenor persona is enrolled: tests/mfa.py)."""
    from allauth.mfa.models import Authenticator

    from tests.browser.login import log_in as sign_in

    enrolled = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    sign_in(page, base_url, user.email, totp_secret=TOTP_SECRET if enrolled else None)


def exercise(page, path: str) -> None:
    """Make the scripted pages do their work: htmx swaps the directory's results,
    Swagger UI draws the operations and opens one, the admin's autocomplete opens."""
    if path == "/members/directory/":
        page.get_by_label("Search").press_sequentially("Kapchorwa")  # keyup: htmx
        expect(page).to_have_url(re.compile(r"q=Kapchorwa"))  # htmx pushed the URL
        expect(page.locator("#directory-results").get_by_role("row")).to_have_count(2)
    elif path == "/api/v1/docs/":
        operation = page.locator(".opblock-summary").first
        expect(operation).to_be_visible()
        operation.click()
        expect(page.locator(".opblock-body").first).to_be_visible()
    elif re.fullmatch(r"/admin/members/nationalalliance/\d+/change/", path):
        page.locator(".select2-selection").first.click()
        expect(page.locator(".select2-results__option").first).to_be_visible()


@pytest.mark.parametrize("persona", ["anonymous", "representative", "coordinator", "convenor"])
@pytest.mark.django_db(transaction=True)
def test_every_page_runs_within_the_policy(live_server, page, violations, site_tour, persona):
    tour = site_tour[persona]
    if tour.user is not None:
        violations.path = "/accounts/login/"
        log_in(page, live_server.url, tour.user)
    for path in tour.paths:
        violations.path = path
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == (404 if path == MISSING_PAGE else 200), path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        exercise(page, path)
    page.goto("about:blank")  # the last page's late reports arrive before the check

    assert violations.found == {}


@pytest.mark.django_db(transaction=True)
def test_an_inline_script_or_style_slipped_into_a_page_is_refused_and_reported(
    live_server, page, violations
):
    def inject(route):
        response = route.fetch()
        html = response.text().replace(
            "</main>",
            '<script>document.body.dataset.ran = "yes";</script>'
            '<p id="injected" style="color: rgb(255, 0, 0)">Injected</p></main>',
        )
        route.fulfill(response=response, body=html)

    page.route("**/members/principles/", inject)
    violations.path = "/members/principles/"
    page.goto(f"{live_server.url}/members/principles/")

    expect(page.locator("#injected")).to_be_visible()
    assert page.evaluate("document.body.dataset.ran") is None
    assert page.locator("#injected").evaluate("p => getComputedStyle(p).color") != (
        "rgb(255, 0, 0)"
    )
    reports = " | ".join(violations.found["/members/principles/"])
    assert "script-src" in reports
    assert "style-src" in reports
