"""Names in the order a reader of a language expects: "Éducation" beside "Education",
"abc" before "Zed", whatever the case or the accents (a byte order puts every capital
before every small letter and every accented letter after "z").

PostgreSQL sorts with its ICU collation for the language ("fr-x-icu"); SQLite (the quick
start) with a collation registered on each connection from `sort_key`, which folds case
and accents as the root collation does for Latin scripts."""

import unicodedata

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate

SQLITE_COLLATION = "alliance_text"


def sort_key(text: str) -> tuple[str, str]:
    """For sorting in Python: the text without accents and case, then as written (so
    that equal keys still come in one order)."""
    decomposed = unicodedata.normalize("NFKD", text)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return (base, text)


def _compare(left: str, right: str) -> int:
    left_key, right_key = sort_key(left), sort_key(right)
    return (left_key > right_key) - (left_key < right_key)


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """connection_created: give each SQLite connection the collation `collated` names."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _compare)


def collated(field: str, language: str):
    """`field` to order by as readers of `language` expect (an ORM expression)."""
    if connection.vendor == "sqlite":
        return Collate(F(field), SQLITE_COLLATION)
    if connection.vendor == "postgresql":
        # PostgreSQL built with ICU (Debian's, the official images) has one per language.
        return Collate(F(field), f"{language.split('-')[0]}-x-icu")
    return F(field)
