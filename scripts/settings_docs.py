"""Write docs/running/settings.md from alliance/settings.py: every environment variable the
settings module reads (env_str, env_int, env_bool, env_list), its default as the code
writes it, and the comment above it.

    python scripts/settings_docs.py           # rewrite the page
    python scripts/settings_docs.py --check   # exit 1 if the page is not what this writes

The page is never edited by hand: tests/docs/test_settings_page.py fails when it differs
from what this script makes from the settings module as it is now.
"""

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "alliance" / "settings.py"
PAGE = ROOT / "docs" / "running" / "settings.md"
READERS = {"env_str": "text", "env_int": "integer", "env_bool": "boolean", "env_list": "list"}
# "# --- Backups (alliance.backups; docs/running/backups.md) -------": a section of its own.
SECTION = re.compile(r"^#\s*---\s*(?P<title>.*?)\s*(\(.*\))?\s*-*\s*$")
ENV_EXAMPLE = ROOT / ".env.example"

INTRODUCTION = """\
# Every setting

<!-- Written by scripts/settings_docs.py from alliance/settings.py: do not edit by hand.
     Run `python scripts/settings_docs.py` after changing a setting. -->

Alliance Hub reads its settings from environment variables (in production, the `.env`
file beside `docker-compose.yml`; `.env.example` is a start). A malformed value stops the
process at start-up with a message naming the variable: a boolean is one of `1`/`0`,
`true`/`false`, `yes`/`no`; a list is comma-separated.

This page is generated from `alliance/settings.py`: each variable below is one the
settings module reads, with its default as the code writes it (an expression when it
depends on another setting) and the comment the code has above it (or, when it has none,
the one `.env.example` has).
"""


@dataclass
class Setting:
    name: str
    kind: str
    default: str
    comment: str
    section: str


def comment_above(lines: list[str], lineno: int) -> str:
    """The run of comment lines right above line `lineno` (1-based), without a section
    banner, joined into one paragraph."""
    collected = []
    index = lineno - 2
    while index >= 0:
        text = lines[index].strip()
        if not text.startswith("#") or SECTION.match(text):
            break
        collected.append(text.lstrip("#").strip())
        index -= 1
    return " ".join(reversed(collected))


def section_of(lines: list[str], lineno: int) -> str:
    for index in range(lineno - 1, -1, -1):
        banner = SECTION.match(lines[index].strip())
        if banner:
            return banner.group("title")
    return "General"


def example_comments(text: str) -> dict[str, str]:
    """.env.example's comment above each variable it sets (or shows commented out): the
    words for a setting whose line in the settings module has none."""
    assignment = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=")
    lines = text.splitlines()
    comments = {}
    for number, line in enumerate(lines):
        found = assignment.match(line)
        if not found or comments.get(found.group(1)):
            continue
        # The comment lines right above, up to a blank line or another (commented-out)
        # variable.
        above = []
        for previous in reversed(lines[:number]):
            if not previous.startswith("#") or assignment.match(previous):
                break
            above.append(previous.lstrip("#").strip())
        comments[found.group(1)] = " ".join(reversed(above))
    return comments


def read_settings(source: str, examples: dict[str, str]) -> list[Setting]:
    lines = source.splitlines()
    tree = ast.parse(source)
    found: dict[str, Setting] = {}
    for statement in tree.body:
        for node in ast.walk(statement):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in READERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                continue
            name = node.args[0].value
            if name in found:
                continue
            default = ast.get_source_segment(source, node.args[1]) if len(node.args) > 1 else ""
            # The comment on the call's own line block first (an entry of a dict), then
            # the one above the whole statement.
            comment = comment_above(lines, node.lineno) or comment_above(lines, statement.lineno)
            found[name] = Setting(
                name=name,
                kind=READERS[node.func.id],
                default=" ".join((default or "").split()),
                comment=comment or examples.get(name, ""),
                section=section_of(lines, statement.lineno),
            )
    return list(found.values())


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(settings: list[Setting]) -> str:
    out = [INTRODUCTION]
    sections: dict[str, list[Setting]] = {}
    for setting in settings:
        sections.setdefault(setting.section, []).append(setting)
    for title, members in sections.items():
        out.append(f"\n## {title}\n\n")
        out.append("| variable | type | default | what it does |\n| --- | --- | --- | --- |\n")
        for setting in members:
            default = f"`{cell(setting.default)}`" if setting.default else "(none)"
            words = cell(setting.comment) or "-"
            out.append(f"| `{setting.name}` | {setting.kind} | {default} | {words} |\n")
    return "".join(out)


def page_text() -> str:
    examples = example_comments(ENV_EXAMPLE.read_text()) if ENV_EXAMPLE.exists() else {}
    return render(read_settings(SETTINGS.read_text(), examples))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    arguments = parser.parse_args()
    wanted = page_text()
    if arguments.check:
        if not PAGE.exists() or PAGE.read_text() != wanted:
            print(f"{PAGE.relative_to(ROOT)} is stale: run python scripts/settings_docs.py")
            return 1
        return 0
    PAGE.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
