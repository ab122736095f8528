"""The pages of docs/using/ show only screenshots that tests/docs/test_screenshots.py takes
(and `make screenshots` rewrites), so that none can drift from the product: every image
they reference is a shot of tests/docs/shots.py in the page's language, every shot is in
the repository, at its width, and referenced by some page."""

import re
from pathlib import Path

from PIL import Image

from tests.docs.shots import SHOTS, image_path

USING = Path(__file__).resolve().parents[2] / "docs" / "using"
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*([^)\s]+)")


def language_of(page: Path) -> str:
    # mkdocs-static-i18n's suffix layout: convenor.fr.md beside convenor.md.
    parts = page.name.split(".")
    return parts[-2] if len(parts) == 3 else "en"


def referenced() -> dict[Path, list[str]]:
    return {page: IMAGE.findall(page.read_text()) for page in sorted(USING.glob("*.md"))}


def test_every_image_the_pages_show_is_a_shot_the_script_takes():
    taken = {image_path(language, shot) for shot in SHOTS for language in shot.languages}
    strays = [
        (page.name, target)
        for page, targets in referenced().items()
        for target in targets
        if target not in taken
    ]
    assert strays == []


def test_every_page_shows_images_of_its_own_language_only():
    for page, targets in referenced().items():
        for target in targets:
            shot_name = Path(target).stem
            shot = next(shot for shot in SHOTS if shot.name == shot_name)
            wanted = language_of(page) if language_of(page) in shot.languages else "en"
            assert target == image_path(wanted, shot), (page.name, target)


def test_every_shot_is_in_the_repository_at_its_width_and_shown_somewhere():
    shown = {target for targets in referenced().values() for target in targets}
    for shot in SHOTS:
        for language in shot.languages:
            path = USING / image_path(language, shot)
            assert path.exists(), f"{path.name}: run make screenshots"
            with Image.open(path) as image:
                assert image.width == shot.width, path
            assert image_path(language, shot) in shown, f"{language}/{shot.name} is shown nowhere"
