"""The documentation builds strictly: MkDocs with the Material theme, as `make docs-build`
does, into a temporary directory. A broken link, a missing page or a page left out of the
nav fails the build, in English and in French. The built site loads nothing from another
site (no web fonts, no analytics)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MKDOCS = Path(sys.executable).with_name("mkdocs")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if not MKDOCS.exists():
        pytest.skip("mkdocs is not installed (pip install -e '.[dev]')")
    directory = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return directory


def test_the_docs_build_strictly_in_english_and_french(site):
    assert (site / "index.html").exists()
    assert (site / "fr" / "index.html").exists()
    for page in ("using/convenor", "running/install", "integrating/webhooks", "contributing"):
        assert (site / page / "index.html").exists(), page
        assert (site / "fr" / page / "index.html").exists(), page


def test_the_built_site_loads_nothing_from_another_site(site):
    loaded = re.compile(r"""<(?:script|link|img)\b[^>]*?(?:src|href)=["']?(https?:)?//""")
    offenders = [
        str(page.relative_to(site))
        for page in site.rglob("*.html")
        if loaded.search(page.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert "fonts.googleapis.com" not in (site / "index.html").read_text()


def test_a_broken_link_or_a_page_missing_from_the_nav_fails_the_build(tmp_path):
    """The strictness the first test relies on: the same configuration fails on a link to
    a page that does not exist, and on a nav entry whose page is gone."""
    if not MKDOCS.exists():
        pytest.skip("mkdocs is not installed (pip install -e '.[dev]')")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copy(ROOT / "CHANGELOG.md", tmp_path / "CHANGELOG.md")  # docs/running/changelog.md

    def build() -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(MKDOCS), "build", "--strict", "--site-dir", str(tmp_path / "site")],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            timeout=300,
        )

    page = tmp_path / "docs" / "running" / "upgrades.md"
    page.write_text(page.read_text() + "\nSee [the old guide](no-such-page.md).\n")
    broken = build()
    assert broken.returncode != 0
    assert "no-such-page.md" in broken.stdout + broken.stderr

    page.write_text(page.read_text().replace("See [the old guide](no-such-page.md).", ""))
    (tmp_path / "docs" / "running" / "security.md").unlink()
    missing = build()
    assert missing.returncode != 0
    assert "running/security.md" in missing.stdout + missing.stderr
