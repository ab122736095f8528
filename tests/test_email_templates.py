"""Every email template, in every language: the subject is plain text (no HTML entity for an
apostrophe or an ampersand), the text body too, and the HTML body declares the recipient's
language. Names people write ("Workers' Union", "Lima & Co") are what breaks them."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, queue_email, render_parts

pytestmark = pytest.mark.django_db

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
TEMPLATES = sorted(path.name for path in EMAILS.iterdir() if (path / "subject.txt").exists())
# Values that count (a plural's counter) must be numbers; every other one is a name.
NUMBERS = {"delegates_per_organisation": 2, "failures": 5, "version": 3, "subscription_id": 7}
NAME = "Kampala Domestic Workers' Union & <Friends>"
ENTITY = re.compile(r"&(#x?[0-9a-fA-F]+|[a-z]+);")


def variables() -> set[str]:
    """Every variable a template of emails/ prints."""
    names: set[str] = set()
    for path in EMAILS.rglob("*"):
        if path.is_file():
            names |= set(re.findall(r"\{\{\s*(\w+)", path.read_text()))
            names |= set(re.findall(r"\{%\s*if\s+(\w+)", path.read_text()))
    return names


def message(template: str, language: str) -> OutgoingMessage:
    context = {**dict.fromkeys(variables(), NAME), **NUMBERS}
    context["agenda_html"] = "<p>HTML sanitised when the email was written</p>"
    context["moved"] = True
    message_id = queue_email(
        Email(
            key=f"{template}:{language}",
            to_email="ana@example.org",
            to_name="Ana d'Almeida",
            template=template,
            language=language,
            context=context,
            personal={"organisation": NAME},
        )
    )
    return OutgoingMessage.objects.get(pk=message_id)


def test_every_email_template_is_checked():
    assert len(TEMPLATES) >= 20
    assert "statement_invitation" in TEMPLATES


@pytest.mark.parametrize("language", ["en", "fr", "es", "pt"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_subject_and_text_are_plain_text_and_html_is_in_the_recipients_language(template, language):
    parts = render_parts(message(template, language))

    assert not ENTITY.search(parts.subject), parts.subject
    assert not ENTITY.search(parts.text), parts.text
    if parts.html and template != "prerendered":
        assert f'<html lang="{language}">' in parts.html
        assert "<Friends>" not in parts.html, "the HTML body still escapes what it prints"


def test_a_name_with_an_apostrophe_reaches_the_subject_as_written():
    parts = render_parts(message("statement_invitation", "fr"))

    assert NAME in parts.subject
    assert NAME in parts.text
