"""The project's commands as the tests run them: `manage.py` in a process of its own, and
the test database migrated to given nodes."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_overrides=None, timeout=120) -> subprocess.CompletedProcess:
    """`python manage.py ARGS` from the repository, with production's settings module and
    none of this run's services: `env_overrides` says which the process gets."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE", "CELERY", "REDIS", "EMAIL", "HTTPS"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": "alliance.settings", **(env_overrides or {})})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def migrate(targets) -> None:
    """The test database migrated (forward or back) to `targets`, (app, migration) pairs."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
