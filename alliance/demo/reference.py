"""Reference rows both `seed_demo` and `seed_bulk` stand on: focus areas, the principles
members endorse, and the national alliances. Each function creates only the rows that
are missing (found by natural key) and never changes one that exists: a convenor's edit of
an alliance or a focus area survives the next `make run`. Each returns the rows by key."""

from members.models import FocusArea, NationalAlliance, Principles

from . import data


def seed_focus_areas() -> dict[str, FocusArea]:
    focus_areas = {}
    for slug, name, translations in data.FOCUS_AREAS:
        focus_areas[slug], _ = FocusArea.objects.get_or_create(
            slug=slug, defaults={"name": name, "translations": translations}
        )
    return focus_areas


def seed_principles() -> dict[str, Principles]:
    """Version 1 of the principles, one row per language."""
    principles = {}
    for language, (title, text) in data.PRINCIPLES.items():
        principles[language], _ = Principles.objects.get_or_create(
            version=data.PRINCIPLES_VERSION,
            language=language,
            defaults={
                "title": title,
                "text": text,
                "published_at": data.PRINCIPLES_PUBLISHED_AT,
            },
        )
    return principles


def seed_national_alliances() -> dict[str, NationalAlliance]:
    alliances = {}
    for country, name, slug, status, description in data.NATIONAL_ALLIANCES:
        alliances[country], _ = NationalAlliance.objects.get_or_create(
            country=country,
            defaults={"name": name, "slug": slug, "status": status, "description": description},
        )
    return alliances
