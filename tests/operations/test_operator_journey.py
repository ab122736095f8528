"""The IT volunteer's journey of docs/running/, scripted on this machine (no Docker here:
the same commands the compose services run, in the same order): a fresh PostgreSQL,
`migrate`, `collectstatic`, the first convenor with `createsuperuser`, production's
gunicorn behind nginx with TLS (a self-signed certificate) and production settings; a
backup; the database destroyed; the backup restored; and an upgrade: the database taken
back to the previous release's schema, then `migrate` by this release, answering again."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from alliance.releases import PREVIOUS_RELEASE, RELEASES
from tests.fixtures.nginx import Nginx
from tests.operations.test_backups import fresh_cluster  # noqa: F401 - a fixture
from tests.scaling.test_scale_out import Gunicorn

ROOT = Path(settings.BASE_DIR)
SECRET = "operator-journey-" + "k" * 50


def production_env(database: str, **more: str) -> dict:
    """What .env.example asks an operator for, on loopback."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "REDIS_", "EMAIL_"))
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "alliance.settings",
        "DEBUG": "0",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "BEHIND_PROXY": "1",
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": "smtp://127.0.0.1:1",
        **more,
    }


def run(*arguments: str, env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"manage.py {' '.join(arguments)}:\n{result.stderr[-3000:]}"
    return result


def recreate(database: str) -> None:
    admin = database.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    name = database.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_install_back_up_destroy_restore_and_upgrade(fresh_cluster, tmp_path):  # noqa: F811
    database = fresh_cluster("alliance")
    static_root = tmp_path / "staticfiles"
    env = production_env(database, STATIC_ROOT=str(static_root))

    # Install: migrate, collectstatic, the first convenor.
    run("migrate", "--noinput", env=env)
    run("collectstatic", "--noinput", "-v", "0", env=env)
    run(
        "createsuperuser",
        "--noinput",
        env={
            **env,
            "DJANGO_SUPERUSER_EMAIL": "convenor@alliance.example",
            "DJANGO_SUPERUSER_PASSWORD": "a-long-password-for-the-test",
        },
    )
    run(
        "shell",
        "--no-imports",
        "-c",
        (
            "from tests.factories import StatementFactory, SignatureFactory; "
            "from statements.models import Statement; from django.utils import timezone; "
            "s = StatementFactory(slug='davos', status=Statement.Status.PUBLISHED, "
            "published_at=timezone.now()); "
            "[SignatureFactory(statement=s) for _ in range(3)]"
        ),
        env=env,
    )

    web = Gunicorn(name="web", env=env, log_dir=tmp_path, workers=2)
    proxy = Nginx(upstream="", directory=tmp_path / "nginx", static_root=static_root)
    try:
        web.start()
        proxy.upstream = web.address
        proxy.start()
        env["SITE_URL"] = proxy.https_url("").rstrip("/")

        # Behind TLS: http redirects, https answers, the release is reported.
        redirect = proxy.request("GET", "/healthz", https=False)
        assert redirect.status in (301, 308)
        health = proxy.request("GET", "/healthz")
        assert health.status == 200 and '"status": "ok"' in health.text
        before = proxy.request("GET", "/statements/davos/")
        assert before.status == 200
        assert proxy.request("GET", "/accounts/login/").status == 200

        # A backup, then the database destroyed.
        backups = tmp_path / "backups"
        run("backup", "--to", str(backups), env=env)
        recreate(database)
        # Readers still get the page from nginx's cache; past it, the data is gone.
        assert proxy.request("GET", "/statements/davos/").status == 200
        uncached = proxy.request("GET", "/statements/davos/", headers={"Cookie": "sessionid=x"})
        assert uncached.status >= 500

        # Restored: the same page again.
        restored = run("restore", "--from", str(backups), env=env)
        assert "every row count matches" in restored.stdout
        web.stop()  # `docker compose up -d` after a restore starts the web processes anew
        web.start()
        after = proxy.request("GET", "/statements/davos/")
        assert after.status == 200
        assert strip_tokens(after.text) == strip_tokens(before.text)

        # The upgrade: a database of the previous release, migrated by this one.
        previous = " ".join(
            f"{label}={name or 'zero'}" for label, name in RELEASES[PREVIOUS_RELEASE].items()
        )
        run(
            "shell",
            "--no-imports",
            "-c",
            (
                "from django.core.management import call_command; "
                f"[call_command('migrate', label, name, verbosity=0) for label, name in "
                f"(pair.split('=') for pair in {previous!r}.split())]"
            ),
            env=env,
        )
        web.stop()  # the new release's processes start after its migrate
        run("migrate", "--noinput", env=env)
        web.start()
        upgraded = proxy.request("GET", "/statements/davos/")
        assert upgraded.status == 200
        assert strip_tokens(upgraded.text) == strip_tokens(before.text)
        assert proxy.request("GET", "/healthz").status == 200
    finally:
        proxy.stop()
        web.stop()


def strip_tokens(page: str) -> str:
    import re

    page = re.sub(r'nonce="[^"]+"', 'nonce=""', page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
