"""Journey 8's messages in Chromium, in English and in French: the convenor rewrites
the invitation, previews it as an organisation asked, saves it, and presses "remind now"
twice in a row (a double click): each contact is reminded once."""

import re

import pytest
from playwright.sync_api import expect

from alliance.core.messagetexts.models import MessageText
from alliance.core.outbox.models import OutgoingMessage
from tests.browser.login import log_in
from tests.browser.scenes import statement_asking_the_cooperative
from tests.factories import (
    UserFactory,
)
from tests.fixtures.services import RESULTS
from tests.mfa import TOTP_SECRET, enrol_totp
from tests.statements.conftest import DAVOS_EN, DAVOS_FR

SHOTS = RESULTS / "screenshots" / "messages"

WORDS = {
    "en": {
        "messages": "Edit the messages (invitation, reminder, thank-you)",
        "subject": "Subject",
        "text": "Text",
        "preview_as": "Preview as",
        "preview": "Preview",
        "save": "Save",
        "saved": "The message is saved.",
        "remind": re.compile("Remind now"),
        "on_its_way": "1 email is on its way.",
        "title": DAVOS_EN,
    },
    "fr": {
        "messages": "Modifier les messages (invitation, rappel, remerciement)",
        "subject": "Objet",
        "text": "Texte",
        "preview_as": "Aperçu pour",
        "preview": "Aperçu",
        "save": "Enregistrer",
        "saved": "Le message est enregistré.",
        "remind": re.compile("Relancer maintenant"),
        "on_its_way": "1 courriel est en route.",
        "title": DAVOS_FR,
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.django_db(transaction=True)
def test_convenor_edits_previews_and_reminds_now(
    live_server, page, compiled_translations, language
):
    words = WORDS[language]
    convenor = UserFactory(email="convenor@alliance.test", is_convenor=True, language=language)
    enrol_totp(convenor)
    statement, cooperative = statement_asking_the_cooperative()
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)

    log_in(page, base, convenor.email, totp_secret=TOTP_SECRET)
    page.goto(f"{base}/statements/{statement.slug}/tracking/")
    page.get_by_role("link", name=words["messages"]).click()
    expect(page).to_have_url(
        f"{base}/statements/{statement.slug}/messages/statement_invitation/{language}/"
    )

    page.get_by_label(words["subject"]).fill("{organisation}: {title}")
    page.get_by_label(words["text"], exact=True).fill(
        "Dear **{organisation}**, the deadline is {deadline}. [Sign here]({link})."
    )
    page.get_by_label(words["preview_as"]).select_option(label=cooperative.name)
    page.get_by_role("button", name=words["preview"], exact=True).click()
    expect(page.locator("#preview-subject")).to_have_text(f"{cooperative.name}: {words['title']}")
    expect(page.locator("#preview-html strong")).to_have_text(cooperative.name)
    expect(page.locator("#preview-html")).to_contain_text("Jean Okello")
    page.screenshot(path=SHOTS / f"editor-preview-{language}.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=SHOTS / f"editor-preview-{language}-360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.get_by_text(words["saved"])).to_be_visible()
    assert MessageText.objects.get().language == language

    page.goto(f"{base}/statements/{statement.slug}/tracking/")
    page.get_by_role("button", name=words["remind"]).dblclick()
    expect(page.get_by_text(words["on_its_way"])).to_be_visible()
    page.screenshot(path=SHOTS / f"tracking-reminded-{language}.png", full_page=True)
    reminders = OutgoingMessage.objects.filter(template="statement_reminder")
    assert list(reminders.values_list("to_email", flat=True)) == ["jean@kapchorwa.test"]
