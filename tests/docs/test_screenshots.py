"""The screenshots of docs/using/, taken in a real Chromium from the demo data: every
shot of tests/docs/shots.py, in English and French, by its persona (logged in through
the real form, with the demo's second factor). `make screenshots` runs this with
DOCS_SCREENSHOTS_DIR=docs/using/img to rewrite the images; otherwise they go to a
temporary directory and the test checks that every one was taken, at its width."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from PIL import Image

from alliance.demo import data
from tests.browser.login import log_in
from tests.docs.shots import HEIGHT, LANGUAGES, SHOTS
from tests.mfa import forget_used_codes

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def save_small(source: Path, target: Path) -> None:
    """A palette PNG, optimised: a page's screenshot shrinks to a fraction, text intact."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=256).save(target, optimize=True)


@pytest.mark.django_db(transaction=True)
def test_every_documented_screenshot_is_taken_in_english_and_french(
    live_server, page, tmp_path, compiled_translations, settings
):
    # `page` (not `browser`) so that the test skips with the other browser tests under
    # `-p no:playwright`; each persona and width gets a context of its own below.
    browser = page.context.browser
    # The addresses the pages show (share links, the widget's code), as on a real hub.
    settings.SITE_URL = "https://hub.example.org"
    call_command("seed_demo", verbosity=0)
    forget_used_codes()
    out = Path(os.environ.get("DOCS_SCREENSHOTS_DIR") or tmp_path)
    if not out.is_absolute():
        out = ROOT / out
    personas = {shot.persona for shot in SHOTS}
    for persona in personas:
        for width in sorted({shot.width for shot in SHOTS if shot.persona is persona}):
            context = browser.new_context(
                viewport={"width": width, "height": HEIGHT[width]}, locale="en-GB"
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            if persona is not None:
                log_in(
                    page,
                    live_server.url,
                    persona.email,
                    password=data.DEMO_PASSWORD,
                    totp_secret=persona.totp_secret or None,
                )
            for language in LANGUAGES:
                # The language switcher's cookie: what a person choosing French sets.
                context.add_cookies(
                    [{"name": "django_language", "value": language, "url": live_server.url}]
                )
                for shot in SHOTS:
                    if (
                        shot.persona is not persona
                        or shot.width != width
                        or language not in shot.languages
                    ):
                        continue
                    # A path may depend on the language (the message editor's, say).
                    with translation.override(language):
                        path = shot.path()
                    response = page.goto(live_server.url + path)
                    assert response.status == 200, (shot.name, response.status)
                    page.wait_for_load_state("networkidle")
                    if shot.open_details:
                        page.locator(shot.open_details).evaluate("details => details.open = true")
                    assert page.locator("html").get_attribute("lang").startswith(language), (
                        shot.name
                    )
                    raw = tmp_path / "raw" / language / f"{shot.name}.png"
                    raw.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=raw)
                    save_small(raw, out / language / f"{shot.name}.png")
            context.close()

    for shot in SHOTS:
        for language in shot.languages:
            with Image.open(out / language / f"{shot.name}.png") as image:
                assert image.width == shot.width, shot.name
