"""What people read, as people write it: no date or time followed by a full stop (in
English the time itself ends in "a.m."), no empty or foreign names in the country filter,
and changes in the history as words, not Python lists."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import FocusAreaFactory

ROOT = Path(settings.BASE_DIR)
# The names the templates and the code give to formatted dates and times.
DATE_NAMES = r"(date|deadline|starts|ends|when|time|previous_starts|embargo)"
IN_TEMPLATES = re.compile(r"\{\{\s*" + DATE_NAMES + r"\s*\}\}\.")
IN_MESSAGES = re.compile(r"%\(" + DATE_NAMES + r"\)s\.")


def sources():
    for folder in ("templates", "members", "campaigns", "statements", "alliance"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".html", ".txt", ".py") and path.is_file():
                yield path


def test_no_date_or_time_is_followed_by_a_full_stop_in_the_code():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sources()
        for match in [
            *IN_TEMPLATES.finditer(path.read_text()),
            *IN_MESSAGES.finditer(path.read_text()),
        ]
    ]
    assert found == []


@pytest.mark.parametrize("language", ["fr", "es", "pt"])
def test_no_date_or_time_is_followed_by_a_full_stop_in_a_translation(language):
    catalogue = (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").read_text()
    # Entries still in the file whose English the code no longer uses are harmless only
    # if the code does not use them: check the translations of what the code says.
    used = {
        msgid
        for msgid, msgstr in re.findall(r'msgid "(.+)"\nmsgstr "(.*)"', catalogue)
        if IN_MESSAGES.search(msgstr) and not IN_MESSAGES.search(msgid)
    }
    assert used == set(), "a translation adds a full stop after a date"


def test_the_country_filter_has_one_empty_choice_and_names_nauru(client_for, convenor):
    page = client_for(convenor).get(reverse("members:directory")).content.decode()
    select = re.search(r'<select name="country".*?</select>', page, re.S).group(0)

    assert select.count('value=""') == 1
    assert ">Nauru<" in select
    assert "Naoero" not in select


@pytest.mark.django_db
def test_the_country_filter_in_french_names_guyana_and_the_marshall_islands(client_for, convenor):
    convenor.language = "fr"
    convenor.save(update_fields=["language"])
    with translation.override("fr"):
        page = client_for(convenor).get(reverse("members:directory"), HTTP_ACCEPT_LANGUAGE="fr")
    select = re.search(r'<select name="country".*?</select>', page.content.decode(), re.S)
    assert '<option value="GY">Guyana</option>' in select.group(0)
    assert '<option value="MH">Îles Marshall</option>' in select.group(0)


def test_history_shows_changes_as_a_person_reads_them(client_for, convenor, uganda_member):
    land = FocusAreaFactory(slug="land", name="Land")
    food = FocusAreaFactory(slug="food", name="Food sovereignty")
    uganda_member.focus_areas.set([food, land])
    client = client_for(convenor)
    edit = reverse("members:organisation_edit", kwargs={"slug": uganda_member.slug})
    data = {
        "name": uganda_member.name,
        "short_name": "",
        "kind": "movement",
        "country": "UG",
        "city": "Kapchorwa",
        "focus_areas": [land.pk],
        "website": "",
        "description": "",
        "languages": "",
        "listed_publicly": "on",
        "internal_notes": "",
    }

    response = client.post(edit, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response.url).content.decode()
    history = page[page.index('id="history"') :]
    history = history[: history.index("</ol>")]
    assert "Focus areas: Food sovereignty, Land → Land" in history
    assert "Kind: women&#x27;s rights organisation → social movement" in history
    assert "[" not in history
