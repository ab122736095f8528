"""Parts of a page drawn once and kept: rendered HTML in Django's cache under a digest
of everything it shows, so that a change of the data, the language or the time zone
makes a new key and a page is never behind what it read. The data is still read on
every request; only the drawing is reused."""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


def digest(*shown) -> str:
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def kept_html(
    name: str, shown, template: str, context: Callable[[], dict], *, seconds: int
) -> SafeString:
    """`template` rendered with `context()`, kept for `seconds` under `name` and a
    digest of `shown` (all that the HTML depends on); `context` is called only when the
    HTML is not kept."""
    key = f"{name}:{digest(shown)}"
    html = cache.get(key)
    if html is None:
        # A plain str, so that no pickled class outlives a change of the code.
        html = str(render_to_string(template, context()))
        cache.set(key, html, seconds)
    # Written by the template, which escapes every value.
    return mark_safe(html)  # noqa: S308
