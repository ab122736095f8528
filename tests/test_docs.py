"""The README and docs/ name only what a clone has: every relative link resolves to a file
in the repository, and nothing points outside it (the docs may be built with MkDocs, which
needs relative links between the pages of docs/)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# [text](target) and [text](target "title"); images too. Not inside `code`.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
EXTERNAL = ("http://", "https://", "mailto:")


def relative_links(document: Path) -> list[str]:
    text = CODE.sub("", document.read_text())
    return [
        target
        for target in LINK.findall(text)
        if not target.startswith(EXTERNAL) and not target.startswith("#")
    ]


def test_the_docs_exist_with_an_index():
    assert {path.name for path in DOCUMENTS} >= {
        "README.md",
        "index.md",
        "product.md",
        "how-it-works.md",
        "quick-start.md",
    }


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_resolves_to_a_file_in_the_repository(document):
    broken = []
    for target in relative_links(document):
        path = (document.parent / target.split("#")[0]).resolve()
        if not path.is_relative_to(ROOT) or not path.exists():
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_nothing_points_outside_the_repository(document):
    text = document.read_text()
    assert "../shared" not in text
    assert "shared/PRODUCT" not in text


def test_the_docs_are_linked_from_the_readme_and_the_index():
    readme = relative_links(ROOT / "README.md")
    index = relative_links(ROOT / "docs" / "index.md")
    for page in ("product.md", "how-it-works.md", "quick-start.md"):
        assert f"docs/{page}" in readme
        assert page in index
