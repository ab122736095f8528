"""The widget in Chromium, framed by a page of another site (a small HTTP server of the
test's own, on another address and port): the snippet's script puts the frame in and
fits it to the widget, and an anonymous visitor signs through it, in English and in
French, on a laptop and on a phone, with no cookie of ours set."""

import http.server
import re
import threading

import pytest
from playwright.sync_api import expect

from statements.models import PublicSubmission, Statement, StatementText
from tests.factories import StatementFactory
from tests.fixtures.services import free_port

TITLE = "Civil society steps up the fight on inequality"
TITLE_FR = "La société civile intensifie la lutte contre les inégalités"


@pytest.fixture
def other_site():
    """A site of someone else's on 127.0.0.1 (the live server is on localhost): serves
    whatever HTML the test puts in `pages[path]`."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def open_to_anyone(db):
    statement = StatementFactory(
        text=False, status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE
    )
    version = statement.versions.create(number=1)
    for language, title in (("en", TITLE), ("fr", TITLE_FR)):
        StatementText.objects.create(
            version=version, language=language, title=title, summary="Davos.", body="62."
        )
    return statement


def campaign_page(live_server, statement, language: str, *, script: bool) -> str:
    embed = f"{live_server.url}/statements/{statement.slug}/embed/?lang={language}"
    if script:
        widget = (
            f'<div data-alliance-embed="{embed}" data-title="Signatures"></div>'
            f'<script src="{live_server.url}/static/js/embed.js" async></script>'
        )
    else:
        widget = f'<iframe src="{embed}" title="Signatures" width="100%" height="520"></iframe>'
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Our campaign</title></head><body><h1>Our campaign</h1>{widget}</body></html>"
    )


@pytest.mark.parametrize(
    ("language", "viewport", "script"),
    [
        ("en", {"width": 1280, "height": 900}, True),
        ("fr", {"width": 360, "height": 740}, False),
    ],
    ids=["english-laptop-script", "french-phone-iframe"],
)
@pytest.mark.django_db(transaction=True)
def test_an_anonymous_visitor_signs_through_the_widget_on_another_site(
    live_server,
    page,
    screenshot_dir,
    compiled_translations,
    other_site,
    open_to_anyone,
    language,
    viewport,
    script,
):
    origin, pages = other_site
    pages["/campaign.html"] = campaign_page(live_server, open_to_anyone, language, script=script)
    page.set_viewport_size(viewport)
    page.goto(f"{origin}/campaign.html")

    frame = page.frame_locator("iframe")
    title = TITLE if language == "en" else TITLE_FR
    expect(frame.get_by_role("heading", name=title)).to_be_visible()
    if script:  # the script fits the frame to the widget, taller than its first 520 px
        expect(page.locator("iframe")).not_to_have_attribute("style", re.compile(r"520px"))
        assert page.locator("iframe").bounding_box()["height"] > 900
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot = f"{language}-{viewport['width']}.png"
    page.screenshot(path=screenshot_dir / f"embed-{shot}", full_page=True)

    words = {
        "en": ("Organisation", "Country", "Kind of organisation", "Your name"),
        "fr": ("Organisation", "Pays", "Type d’organisation", "Votre nom"),
    }[language]
    frame.get_by_label(words[0], exact=True).fill("Accra Budget Watch")
    frame.get_by_label(words[1], exact=True).select_option("GH")
    frame.get_by_label(words[2]).select_option("research")
    frame.get_by_label(words[3]).fill("Kofi Mensah")
    frame.locator("input[type=email]").fill("kofi@budgetwatch.example")
    frame.locator("input[name=visibility]").first.check()
    frame.locator("button[type=submit]").click()

    expect(frame.get_by_role("status")).to_contain_text("kofi@budgetwatch.example")
    page.screenshot(path=screenshot_dir / f"embed-sent-{shot}", full_page=True)
    submission = PublicSubmission.objects.get()
    assert (submission.organisation_name, submission.language) == ("Accra Budget Watch", language)
    assert page.context.cookies() == []  # the widget set no cookie, of ours or anyone's


@pytest.mark.django_db(transaction=True)
def test_the_statement_page_offers_share_links_and_the_widgets_code(
    live_server, page, screenshot_dir, compiled_translations, open_to_anyone
):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}{open_to_anyone.get_absolute_url()}?lang=fr")
    share = page.get_by_role("region", name="Partager cette déclaration")
    expect(share.get_by_role("link", name=re.compile("^WhatsApp"))).to_have_attribute(
        "href", re.compile(r"^https://wa\.me/\?text=")
    )
    expect(share.get_by_label("Lien vers cette déclaration")).to_have_value(
        re.compile(rf"/statements/{open_to_anyone.slug}/\?lang=fr$")
    )
    expect(share.get_by_role("button", name="Copier").first).to_be_visible()  # copy.js
    share.get_by_text("L’afficher sur votre site web").click()
    expect(share.get_by_label("Code du cadre")).to_have_value(re.compile(r"^<iframe src="))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=screenshot_dir / "statement-share-fr-360.png", full_page=True)
