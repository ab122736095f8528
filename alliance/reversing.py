"""reverse() for the paths a burst makes many times a second, with one part that varies."""

import functools
import re

from django.urls import get_script_prefix, reverse

# What reverse() leaves as it is, and every slug or str converter accepts.
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")
_HOLE = "H0LE"


def reverse_one(viewname: str, name: str, value: str) -> str:
    """reverse(viewname, kwargs={name: value}) for a URL with one slug or str part, made
    from the path reversed once per view, part and script prefix (reverse itself costs
    ~0.4 ms: a tenth of a public submission's processing, a twentieth of its request).
    A value with other characters than letters, digits, - and _ goes through reverse."""
    if not _URL_SAFE.fullmatch(value):
        return reverse(viewname, kwargs={name: value})
    before, after = _around(viewname, name, get_script_prefix())
    return f"{before}{value}{after}"


@functools.lru_cache(maxsize=64)
def _around(viewname: str, name: str, script_prefix: str) -> tuple[str, str]:
    before, _hole, after = reverse(viewname, kwargs={name: _HOLE}).rpartition(_HOLE)
    return before, after
