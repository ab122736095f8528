"""Markdown written by people (statements, agendas, principles) turned into HTML that is
safe to show: Markdown renders, then nh3 keeps only harmless tags and attributes."""

import functools
import re
from html.parser import HTMLParser

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "b",
    "i",
    "blockquote",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "sup",
    "sub",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> SafeString:
    return _rendered(str(text or ""))


# A page read again and again renders the same text each time (a statement's body on its
# public page): the same text gives the same HTML, so each process keeps the latest ones.
@functools.lru_cache(maxsize=128)
def _rendered(text: str) -> SafeString:
    html = markdown_lib.markdown(text, extensions=["extra", "sane_lists"])
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


def markdown_to_text(text: str) -> str:
    """The Markdown as a person reads it in a plain-text email or a calendar: no `**` or
    `#`, paragraphs apart, list items on their own lines with a bullet or their number,
    a link's address after its text. Built from the sanitised HTML, so it says exactly
    what the HTML version says."""
    writer = _TextWriter()
    writer.feed(str(render_markdown(text)))
    writer.close()
    return writer.text()


class _TextWriter(HTMLParser):
    BLOCKS = {"p", "h2", "h3", "h4", "blockquote", "pre", "ul", "ol", "table", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, bool]] = []  # (text, joined to the previous by one line)
        self.line: list[str] = []
        self.tight = False
        self.lists: list[list] = []  # [tag, items so far] of each open list
        self.links: list[str] = []
        self.preformatted = 0
        self.rows = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS or tag in ("li", "tr"):
            self._end_line()
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li" and self.lists:
            current = self.lists[-1]
            current[1] += 1
            indent = "  " * (len(self.lists) - 1)
            bullet = f"{current[1]}." if current[0] == "ol" else "-"
            self.line.append(f"{indent}{bullet} ")
            # Items follow each other line by line; the first stands apart from the text above.
            self.tight = current[1] > 1 or len(self.lists) > 1
        elif tag == "table":
            self.rows = 0
        elif tag == "tr":
            self.rows += 1
            self.tight = self.rows > 1
        elif tag in ("td", "th") and "".join(self.line).strip():
            self.line = ["".join(self.line).rstrip(), " | "]
        elif tag == "br":
            self.line.append("\n")
        elif tag == "hr":
            self.blocks.append(("―" * 8, False))
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        elif tag == "pre":
            self.preformatted += 1

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href = self.links.pop()
            written = "".join(self.line).rsplit(" ", 1)[-1]
            if href and href not in written and href.removeprefix("mailto:") not in written:
                self.line.append(f" ({href})")
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "pre":
            self.preformatted -= 1
        if tag in self.BLOCKS or tag in ("li", "tr"):
            self._end_line()

    def handle_data(self, data):
        if not self.preformatted:
            data = re.sub(r"\s+", " ", data)
            written = "".join(self.line)
            if not written.strip() or written.endswith((" ", "\n")):
                data = data.lstrip()
        self.line.append(data)

    def _end_line(self):
        line = "".join(self.line)
        if not self.preformatted:
            line = "\n".join(part.rstrip() for part in line.split("\n"))
        if line.strip():
            self.blocks.append((line.rstrip(), self.tight))
        self.line = []
        self.tight = False

    def text(self) -> str:
        self._end_line()
        out = ""
        for index, (block, tight) in enumerate(self.blocks):
            if index:
                out += "\n" if tight else "\n\n"
            out += block
        return out
