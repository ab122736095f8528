"""Sharing a statement: the links to share its page, the tags that make a pasted link show
a preview (Open Graph, Twitter card), and the preview image itself, drawn here with
Pillow (title and count) and kept in Django's cache for as long as the statement does not
change.

Only a statement everyone may read is shared (Statement.seen_by_anyone), and only its
public figures go into a link or an image: the total count, never a name.
"""

import hashlib
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.cache import cache as django_cache
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from PIL import Image, ImageDraw, ImageFont

from statements.models import Statement

# Open Graph's and X's large preview: 1.91:1.
IMAGE_SIZE = (1200, 630)

# The statuses whose page invites sharing (the brief of issue #15: published or open).
SHARED_STATUSES = (Statement.Status.OPEN, Statement.Status.PUBLISHED)


def is_shared(statement: Statement) -> bool:
    """Whether the statement's page offers share links and a preview: it must be one
    everybody may read, or a link would lead to a login page."""
    return statement.status in SHARED_STATUSES and statement.seen_by_anyone


def absolute(path: str) -> str:
    """The public address of a path of this site (the one emails use)."""
    return f"{settings.SITE_URL}{path}"


def page_url(statement: Statement, language: str) -> str:
    return absolute(f"{statement.get_absolute_url()}?{urlencode({'lang': language})}")


def image_url(statement: Statement, language: str) -> str:
    path = reverse("statements:share_image", kwargs={"slug": statement.slug})
    return absolute(f"{path}?{urlencode({'lang': language})}")


def embed_url(statement: Statement, language: str) -> str:
    path = reverse("statements:embed", kwargs={"slug": statement.slug})
    return absolute(f"{path}?{urlencode({'lang': language})}")


@dataclass(frozen=True)
class ShareLink:
    label: str
    url: str
    network: str


def share_links(*, url: str, title: str) -> list[ShareLink]:
    """Plain links to each network's own sharing page: no script of theirs on ours. The
    networks' names are their own, in every language."""
    text = f"{title} {url}"
    quoted_url, quoted_title, quoted_text = quote(url, safe=""), quote(title), quote(text)
    return [
        ShareLink(
            pgettext("share link", "Email"),
            f"mailto:?subject={quoted_title}&body={quote(text, safe='')}",
            "email",
        ),
        ShareLink("WhatsApp", f"https://wa.me/?text={quoted_text}", "whatsapp"),
        ShareLink(
            "Telegram",
            f"https://t.me/share/url?url={quoted_url}&text={quoted_title}",
            "telegram",
        ),
        ShareLink(
            "X",
            f"https://x.com/intent/post?url={quoted_url}&text={quoted_title}",
            "x",
        ),
        ShareLink(
            "Facebook",
            f"https://www.facebook.com/sharer/sharer.php?u={quoted_url}",
            "facebook",
        ),
        ShareLink(
            "LinkedIn",
            f"https://www.linkedin.com/sharing/share-offsite/?url={quoted_url}",
            "linkedin",
        ),
    ]


def page_context(*, statement: Statement, text, language: str, total: int) -> dict:
    """What the statement page needs to offer sharing and embedding (nothing when the
    statement is not one everybody may read)."""
    if not is_shared(statement) or text is None:
        return {"sharing": None}
    url = page_url(statement, language)
    frame_url = embed_url(statement, language)
    with translation.override(language):
        description = text.summary or ngettext(
            "%(count)s organisation has signed.", "%(count)s organisations have signed.", total
        ) % {"count": total}
        frame_title = _("%(title)s: signatures") % {"title": text.title}
        links = share_links(url=url, title=text.title)
    return {
        "sharing": {
            "url": url,
            "title": text.title,
            "description": description,
            "image_url": image_url(statement, language),
            "image_alt": description,
            "links": links,
            "iframe_snippet": (
                f'<iframe src="{frame_url}" title="{escape(frame_title)}" width="100%" '
                f'height="520" style="border:0;max-width:100%" loading="lazy"></iframe>'
            ),
            "script_snippet": (
                f'<div data-alliance-embed="{frame_url}" data-title="{escape(frame_title)}">'
                f"</div>\n"
                f'<script src="{absolute(settings.STATIC_URL + EMBED_SCRIPT)}" async></script>'
            ),
        }
    }


# The script other sites include by its plain name: the hashed copy of the manifest
# changes with every release, a snippet pasted on someone's site does not.
EMBED_SCRIPT = "js/embed.js"


# --- The preview image ----------------------------------------------------------------

NOTO = Path("/usr/share/fonts/truetype/noto")
# Debian's fonts-noto-core: each script's Noto Sans; Latin (with its diacritics), Greek
# and Cyrillic are in Noto Sans itself.
SCRIPT_FONTS = [
    ((0x0600, 0x06FF), "NotoSansArabic"),
    ((0x0750, 0x077F), "NotoSansArabic"),
    ((0x0900, 0x097F), "NotoSansDevanagari"),
    ((0x0980, 0x09FF), "NotoSansBengali"),
]
LATIN_FONT = "NotoSans"

BACKGROUND = (92, 21, 59)
ACCENT = (255, 214, 102)
FOREGROUND = (255, 255, 255)
MUTED = (246, 233, 240)
MARGIN = 72


@cache
def _font(family: str, weight: str, size: int) -> ImageFont.FreeTypeFont:
    path = NOTO / f"{family}-{weight}.ttf"
    if not path.exists():  # a machine without fonts-noto-core still draws something
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def _family_of(character: str) -> str | None:
    code = ord(character)
    for (low, high), family in SCRIPT_FONTS:
        if low <= code <= high:
            return family
    if character.isalpha():
        return LATIN_FONT
    return None  # spaces, digits, punctuation: whatever font the text around them uses


def _runs(text: str) -> list[tuple[str, str]]:
    """The text cut where its script changes, each piece with the font family that covers
    it (Pillow draws a string in one font, with no fallback)."""
    runs: list[tuple[str, str]] = []
    for character in text:
        family = _family_of(character) or (runs[-1][0] if runs else None)
        if runs and (family is None or family == runs[-1][0]):
            runs[-1] = (runs[-1][0], runs[-1][1] + character)
        else:
            runs.append((family or LATIN_FONT, character))
    return runs


def _width(text: str, weight: str, size: int) -> float:
    return sum(_font(family, weight, size).getlength(run) for family, run in _runs(text))


def _wrap(text: str, weight: str, size: int, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and _width(candidate, weight, size) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _draw_line(draw, xy, text: str, weight: str, size: int, fill) -> None:
    x, y = xy
    for family, run in _runs(text):
        font = _font(family, weight, size)
        draw.text((x, y), run, font=font, fill=fill)
        x += font.getlength(run)


# The title's box: from below the alliance's name to above the count.
TITLE_TOP = 130
TITLE_HEIGHT = 300
LINE_HEIGHT = 1.3  # Devanagari and Bengali reach far above and below Latin


def _fitted_title(title: str, width: int) -> tuple[list[str], int]:
    """The title in the largest size at which it fits its box; cut short beyond."""
    for size in (72, 64, 56, 48, 42):
        lines = _wrap(title, "Bold", size, width)
        if len(lines) * size * LINE_HEIGHT <= TITLE_HEIGHT:
            return lines, size
    size = 42
    lines = _wrap(title, "Bold", size, width)[: int(TITLE_HEIGHT // (size * LINE_HEIGHT))]
    words = lines[-1].split()
    while len(words) > 1 and _width(" ".join(words) + " …", "Bold", size) > width:
        words.pop()
    lines[-1] = " ".join(words) + " …"
    return lines, size


def render_image(*, title: str, total: int, language: str) -> bytes:
    """The 1200×630 PNG of a statement's preview: the alliance's name, the title, and
    how many organisations signed, in `language`."""
    image = Image.new("RGB", IMAGE_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    width = IMAGE_SIZE[0] - 2 * MARGIN
    with translation.override(language):
        brand = _("Alliance Hub")
        count_label = ngettext("organisation has signed", "organisations have signed", total)
        call = _("Joint statement")
    draw.rectangle((0, 0, IMAGE_SIZE[0], 12), fill=ACCENT)
    _draw_line(draw, (MARGIN, 56), f"{brand} · {call}", "Regular", 30, MUTED)
    lines, size = _fitted_title(title, width)
    y = TITLE_TOP
    for line in lines:
        _draw_line(draw, (MARGIN, y), line, "Bold", size, FOREGROUND)
        y += int(size * LINE_HEIGHT)
    figure = f"{total:,}".replace(",", "\u202f")
    baseline = IMAGE_SIZE[1] - MARGIN - 80
    _draw_line(draw, (MARGIN, baseline), figure, "Bold", 80, ACCENT)
    figure_width = _width(figure, "Bold", 80)
    _draw_line(
        draw, (MARGIN + figure_width + 24, baseline + 36), count_label, "Regular", 36, FOREGROUND
    )
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


# A rendered image is kept this long at most; its key changes with whatever it shows.
IMAGE_CACHE_SECONDS = 24 * 3600


def share_image(*, statement: Statement, title: str, total: int, language: str) -> bytes:
    """The statement's preview, drawn once for each state it shows (title, count,
    language) and then read from the cache."""
    digest = hashlib.sha256(title.encode()).hexdigest()[:16]
    key = f"statements:share-image:v1:{statement.pk}:{language}:{total}:{digest}"
    image = django_cache.get(key)
    if image is None:
        image = render_image(title=title, total=total, language=language)
        django_cache.set(key, image, IMAGE_CACHE_SECONDS)
    return image
