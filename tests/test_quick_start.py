"""The settings `make run` starts with: only the broker URL differs from production's, and
from it follow a worker (not tasks in-process), a cache the processes share, and broker
options the SQLAlchemy transport accepts. tests/browser/test_quick_start.py runs the
whole quick start."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

READ_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "cache": settings.CACHES["default"],
    "transport_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "broker": settings.CELERY_BROKER_URL,
    "sqlite_options": settings.DATABASES["default"].get("OPTIONS", {}),
}))
"""


def settings_with(**environment: str) -> dict:
    """alliance.settings as a new process reads them with `environment` (and nothing of
    this test run's own settings or services)."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(DJANGO_SETTINGS_MODULE="alliance.settings", DEBUG="1", **environment)
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(){READ_SETTINGS}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.fixture
def quick_start_settings(tmp_path):
    return settings_with(
        DATABASE_URL=f"sqlite:///{tmp_path}/alliance.sqlite3",
        CELERY_BROKER_URL=f"sqla+sqlite:///{tmp_path}/broker.sqlite3",
        CACHE_DIR=str(tmp_path / "cache"),
    )


def test_with_the_quick_starts_broker_tasks_go_to_the_worker(quick_start_settings):
    assert quick_start_settings["eager"] is False


def test_with_the_quick_starts_broker_web_and_worker_share_a_file_cache(
    quick_start_settings, tmp_path
):
    # An import's progress is written by the worker and read by the page.
    assert quick_start_settings["cache"] == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path / "cache"),
    }


def test_the_quick_starts_database_lets_pages_read_while_the_worker_writes(
    quick_start_settings,
):
    assert "journal_mode=WAL" in quick_start_settings["sqlite_options"]["init_command"]


def test_the_sqlalchemy_transport_carries_a_message_with_the_settings_options(
    quick_start_settings,
):
    from kombu import Connection

    with Connection(
        quick_start_settings["broker"],
        transport_options=quick_start_settings["transport_options"],
    ) as connection:
        queue = connection.SimpleQueue("quick-start-test")
        queue.put({"hello": "worker"})
        message = queue.get(timeout=5)
        message.ack()
        queue.close()

    assert message.payload == {"hello": "worker"}


def test_production_keeps_redis_and_the_tests_without_a_broker_run_tasks_in_process():
    production = settings_with(
        CELERY_BROKER_URL="redis://redis:6379/1", REDIS_URL="redis://redis:6379/0"
    )
    assert production["eager"] is False
    assert production["cache"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert production["transport_options"]["visibility_timeout"] == 3600

    without_broker = settings_with()
    assert without_broker["eager"] is True
    assert without_broker["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
