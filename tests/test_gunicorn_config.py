"""The web service's gunicorn settings (gunicorn.conf.py): prometheus-client's hooks, and
each worker's loaded program frozen out of the garbage collector's full passes."""

import gc
import runpy
from pathlib import Path

import pytest
import yaml

from alliance.monitoring import gunicorn as monitoring_hooks

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"


@pytest.fixture
def settings_module():
    settings = runpy.run_path(str(CONFIG))
    yield settings
    gc.unfreeze()


@pytest.mark.parametrize("compose_file", ["docker-compose.yml", "deploy/compose.scale.yml"])
def test_the_web_service_runs_gunicorn_with_the_repositorys_settings(compose_file):
    services = yaml.safe_load((ROOT / compose_file).read_text())["services"]
    command = services["web"]["command"]
    assert command[command.index("--config") + 1] == "gunicorn.conf.py"


def test_the_settings_keep_the_metrics_hooks(settings_module):
    assert settings_module["on_starting"] is monitoring_hooks.on_starting
    assert settings_module["child_exit"] is monitoring_hooks.child_exit


def test_a_loaded_worker_freezes_its_views_out_of_garbage_collection(settings_module):
    gc.unfreeze()

    settings_module["post_worker_init"](worker=None)

    assert gc.get_freeze_count() > 0
    # The views were imported before the freeze, so they are among the frozen objects.
    from members.api.views import OrganisationList

    assert not any(obj is OrganisationList for obj in gc.get_objects())
