"""Every page of each persona's tour (tests/fixtures/site_tour.py) in Chromium, on a phone
and on a laptop: nothing sticks out sideways at 360 px, axe-core finds no serious or
critical accessibility violation, and the public statement page stays light."""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from statements.models import Statement
from tests.factories import OrganisationFactory, SignatureFactory, StatementFactory
from tests.fixtures.browser import ROOT
from tests.fixtures.site_tour import MISSING_PAGE

PERSONAS = ["anonymous", "representative", "coordinator", "convenor"]
PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
# axe-core is a development dependency (package.json): `npm ci` in scripts/assets.sh
# installs it, and the tests inject it into each page. Nothing serves it to readers.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
STATEMENT_PAGE_BUDGET = 40_000  # bytes transferred, headers included


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which the page's policy rightly refuses;
    # tests/browser/test_content_security_policy.py checks the pages within the policy.
    return {**browser_context_args, "viewport": PHONE, "bypass_csp": True}


@pytest.fixture(scope="session")
def axe_source() -> Path:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/assets.sh (npm ci) first")
    return AXE


def log_in(page, base_url, user):
    """Through the real form, with the second factor where the account has one (the
    convenor and coordinator personas are enrolled: tests/mfa.py)."""
    from allauth.mfa.models import Authenticator

    from tests.browser.login import log_in as sign_in
    from tests.mfa import TOTP_SECRET

    enrolled = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    sign_in(page, base_url, user.email, totp_secret=TOTP_SECRET if enrolled else None)


def walk(page, base_url, tour):
    """Open each page of the tour as its persona; yield its path once it has loaded."""
    if tour.user is not None:
        log_in(page, base_url, tour.user)
    for path in tour.paths:
        response = page.goto(f"{base_url}{path}")
        assert response.status == (404 if path == MISSING_PAGE else 200), path
        yield path


# Widgets drawn by the libraries behind the admin and the API docs, whose markup this
# project does not write: Django admin's tabular inlines and split date-time inputs (no
# label per cell), its select2 autocompletes and filter_horizontal boxes, and Swagger UI's
# operation headers (a button inside a button). Everything around them is checked.
THIRD_PARTY_WIDGETS = [
    ".inline-group .tabular",
    ".datetime",
    ".select2-container",
    ".selector",
    ".swagger-ui .opblock-summary",
]


def serious_violations(page, axe_source: Path) -> list[str]:
    """axe-core's serious and critical violations on the page: rule and first elements."""
    page.add_script_tag(path=str(axe_source))
    violations = page.evaluate(
        """async (exclude) => (await axe.run(
            {include: [document], exclude: exclude.map((selector) => [selector])}
        )).violations""",
        THIRD_PARTY_WIDGETS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): "
        + " | ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        for violation in violations
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.django_db(transaction=True)
def test_no_page_is_wider_than_a_360_px_phone(live_server, page, site_tour, persona):
    too_wide = {}
    for path in walk(page, live_server.url, site_tour[persona]):
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width

    assert too_wide == {}


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.django_db(transaction=True)
def test_no_page_has_a_serious_accessibility_violation(
    live_server, page, axe_source, site_tour, persona, viewport
):
    page.set_viewport_size(viewport)
    found = {}
    for path in walk(page, live_server.url, site_tour[persona]):
        violations = serious_violations(page, axe_source)
        if violations:
            found[path] = violations

    assert found == {}


@pytest.mark.django_db(transaction=True)
def test_the_collapsed_menu_opens_and_leads_to_a_page(live_server, page, site_tour):
    # On a phone the convenor's long menu folds behind one button; it works without
    # JavaScript (a <details> element) and leaves the page's title on the first screen.
    log_in(page, live_server.url, site_tour["convenor"].user)
    page.goto(f"{live_server.url}/members/dashboard/")
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="National alliances")).to_be_hidden()
    heading = page.get_by_role("heading", level=1)
    assert heading.bounding_box()["y"] < PHONE["height"] / 2

    page.locator(".main-nav summary").click()
    menu.get_by_role("link", name="National alliances").click()

    expect(page).to_have_url(re.compile(r"/members/alliances/$"))
    page.set_viewport_size(LAPTOP)
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")
    ).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_public_statement_page_loads_under_40_kb_and_only_its_copy_buttons_script(
    live_server, page
):
    # A launch-day page: a long text and fifty-six named signatories.
    statement = StatementFactory(
        status=Statement.Status.PUBLISHED,
        published_at=timezone.now(),
        text__title="Civil society steps up the fight on inequality",
        text__body="\n\n".join(
            f"Paragraph {n}: " + "the richest must pay. " * 40 for n in range(8)
        ),
    )
    for n in range(56):
        SignatureFactory(
            statement=statement,
            organisation=OrganisationFactory(name=f"Organisation number {n} against inequality"),
        )
    page.set_viewport_size(LAPTOP)
    page.set_extra_http_headers({"Accept-Encoding": "gzip"})
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(request))

    response = page.goto(f"{live_server.url}{statement.get_absolute_url()}")
    page.wait_for_load_state("networkidle")

    assert response.status == 200
    expect(page.locator(".signatories__list li")).to_have_count(56)
    assert response.headers.get("content-encoding") == "gzip"
    transferred = {
        request.url: request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]
        for request in loaded
    }
    # The share section's copy buttons (static/js/copy.js), and no other script.
    assert [url for url in transferred if url.endswith(".js")] == [
        f"{live_server.url}/static/js/copy.js"
    ]
    assert sum(transferred.values()) < STATEMENT_PAGE_BUDGET, transferred
