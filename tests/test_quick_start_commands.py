"""The commands the quick start's docs give a newcomer work exactly as written there."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def documented_totp_command() -> str:
    text = (ROOT / "docs" / "quick-start.md").read_text()
    (command,) = re.findall(r"`([^`]*manage\.py demo_totp EMAIL)`", text)
    return command


def test_the_documented_demo_totp_command_prints_a_code():
    command = documented_totp_command().replace(".venv/bin/python", sys.executable)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "DATABASE_URL")
    }
    # As a newcomer's shell runs it, in the project's directory, with nothing exported.
    finished = subprocess.run(
        ["bash", "-c", command.replace("EMAIL", "convenor@demo.alliancehub.org")],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    assert re.fullmatch(r"\d{6}\n", finished.stdout)


@pytest.mark.django_db
def test_a_convening_page_marks_one_menu_link_as_the_current_page(client_for, convenor):
    from tests.factories import ConveningFactory

    convening = ConveningFactory()
    page = client_for(convenor).get(f"/campaigns/convenings/{convening.slug}/")
    assert page.status_code == 200
    assert page.content.decode().count('aria-current="page"') == 1
