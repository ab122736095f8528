"""Every English string of the interface has a French, Spanish and Portuguese translation,
and no page shows one in English to a reader of another language.

Three nets, each catching what the others cannot: the catalogues are complete (no empty
or fuzzy entry); every string marked in the code is in them (makemessages, run on a copy
of the project, finds nothing new); and every page of the site tour, opened in each
language, shows no English string of the catalogue that has a translation of its own.
"""

import ast
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from tests.fixtures.site_tour import MISSING_PAGE

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# As locale/*/LC_MESSAGES/django.po say they are made.
MAKEMESSAGES_IGNORE = [".venv", "node_modules", "tests", "bench", "staticfiles", "static"]


def catalogue(language: str):
    with open(ROOT / "locale" / language / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po)


def _ids(message) -> tuple:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message) -> tuple:
    return message.string if isinstance(message.string, tuple) else (message.string,)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_entry_is_translated(language):
    missing = [
        _ids(message)[0]
        for message in catalogue(language)
        if message.id and (message.fuzzy or not all(_strings(message)))
    ]
    assert missing == [], f"{len(missing)} entries without a translation in {language}"


def test_translation_functions_are_imported_under_names_makemessages_knows():
    """xgettext extracts `_(...)`, `gettext_lazy(...)`, `pgettext(...)` and the like, but
    not `_lazy(...)`: a string marked through another alias never reaches the catalogue,
    and shows in English whatever the language."""
    odd = []
    for path in _python_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                odd += [
                    f"{path.relative_to(ROOT)}: {alias.name} as {alias.asname}"
                    for alias in node.names
                    if alias.asname not in (None, "_")
                ]
    assert odd == []


def _python_sources():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] not in MAKEMESSAGES_IGNORE and "migrations" not in parts:
            yield path


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_marked_string_is_in_the_catalogues(tmp_path):
    """makemessages, run on a copy of the sources and catalogues, adds nothing."""
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(*MAKEMESSAGES_IGNORE, "test-results", "*.mo", ".git"),
    )
    made = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            *[f"--locale={language}" for language in LANGUAGES],
            *[f"--ignore={name}" for name in MAKEMESSAGES_IGNORE],
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "SECRET_KEY": "makemessages-" * 4},
    )
    assert made.returncode == 0, made.stderr
    for language in LANGUAGES:
        known = {_ids(message)[0] for message in catalogue(language) if message.id}
        with open(copy / "locale" / language / "LC_MESSAGES" / "django.po", "rb") as po:
            marked = {_ids(message)[0] for message in read_po(po) if message.id}
        assert sorted(marked - known) == [], f"marked in the code, missing from {language}"


# --- Every page, in every language --------------------------------------------------------

# What a reader reads: text, and the attributes that are read out or shown.
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
NOT_READ = {"script", "style", "code", "pre", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class ReadText(HTMLParser):
    """The texts of a page a reader of `language` reads: no script or code, nothing in
    an element marked as another language (a statement shown in its original, the
    language menu's "English")."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _skipping(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = attributes.get("lang")
        skipped = tag in NOT_READ or (lang is not None and not lang.startswith(self.language))
        if tag == "html":
            skipped = False
        if not skipped and not self._skipping():
            self.texts += [attributes[name] or "" for name in READ_ATTRIBUTES & set(attributes)]
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.texts.append(attributes.get("value") or "")
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self._skipping():
            self.texts.append(data)


def read_texts(html: str, language: str) -> set[str]:
    parser = ReadText(language)
    parser.feed(html)
    return {" ".join(text.split()) for text in parser.texts if text.strip()}


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


def english_strings(language: str) -> tuple[set[str], dict[str, re.Pattern]]:
    """The entries whose translation differs from the English: those without
    placeholders, and for the others a pattern that matches a whole text made from it."""
    messages = [message for message in catalogue(language) if message.id]
    # A word that reads the same in both languages in one context ("active" of an
    # alliance, in French) is not English on the page, whatever another context says.
    same = {
        english
        for message in messages
        for english, translated in zip(_ids(message), _strings(message), strict=False)
        if english == translated
    }
    plain, patterns = set(), {}
    for message in messages:
        for english, _translated in zip(_ids(message), _strings(message), strict=False):
            if english in same or len(re.sub(r"[^A-Za-z]", "", english)) < 3:
                continue
            english = " ".join(english.replace("%%", "%").split())
            parts = PLACEHOLDER.split(english)
            if len(parts) == 1:
                plain.add(english)
            else:
                pattern = ".+?".join(re.escape(part) for part in parts)
                patterns[english] = re.compile(pattern, re.DOTALL)
    return plain, patterns


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_shows_an_english_string_that_has_a_translation(
    client, site_tour, language, compiled_translations
):
    plain, patterns = english_strings(language)
    found = []
    for persona, tour in site_tour.items():
        client.logout()  # and forgets the cookies
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if tour.user is not None:
            client.force_login(tour.user)
        for path in tour.paths:
            if path.startswith("/admin/") or path == MISSING_PAGE:
                continue  # Django's own templates carry English of their own (alt="Search")
            response = client.get(path)
            assert response.status_code == 200, (persona, path)
            texts = read_texts(response.content.decode(), language)
            found += [f"{persona} {path}: {english!r}" for english in sorted(plain & texts)]
            found += [
                f"{persona} {path}: {text!r}"
                for text in texts
                for english, pattern in patterns.items()
                if english[0] == text[0] and pattern.fullmatch(text)
            ]
    assert found == [], "\n".join(found)
