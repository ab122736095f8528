"""docs/running/settings.md is what scripts/settings_docs.py writes from alliance/settings.py
now: a setting added, removed or given another default fails here until the page is
regenerated (`make settings-docs`)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    path = ROOT / "scripts" / "settings_docs.py"
    spec = importlib.util.spec_from_file_location("settings_docs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_settings_page_is_what_the_script_makes_from_the_settings_module():
    script = load_script()
    assert (ROOT / "docs/running/settings.md").read_text() == script.page_text(), (
        "docs/running/settings.md is stale: run `make settings-docs`"
    )


def test_every_setting_read_from_the_environment_is_on_the_page():
    script = load_script()
    source = (ROOT / "alliance/settings.py").read_text()
    names = {setting.name for setting in script.read_settings(source, {})}
    assert {"SECRET_KEY", "EMAIL_URL", "RETENTION_PUBLIC_SIGNER_MONTHS", "METRICS_TOKEN"} <= names
    page = (ROOT / "docs/running/settings.md").read_text()
    assert [name for name in sorted(names) if f"| `{name}` |" not in page] == []


def test_a_new_setting_with_its_comment_and_default_is_written(tmp_path):
    script = load_script()
    source = (
        "# --- Widgets (alliance.widgets) ---\n"
        "# How many widgets a page shows.\n"
        'WIDGETS = env_int("WIDGETS_PER_PAGE", 12)\n'
        "LIMITS = {\n"
        "    # Per address.\n"
        '    "ip": env_int("WIDGET_LIMIT_PER_IP", 3),\n'
        "}\n"
    )
    settings = script.read_settings(source, {})
    page = script.render(settings)
    assert "## Widgets\n" in page
    assert "| `WIDGETS_PER_PAGE` | integer | `12` | How many widgets a page shows. |" in page
    assert "| `WIDGET_LIMIT_PER_IP` | integer | `3` | Per address. |" in page
