"""Production configuration: `check --deploy` is clean, connections persist, bad values
stop the process, and docker-compose.yml describes a runnable production."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.commands import run_manage

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k7-production-like-secret-" + "q3Zr8" * 12,
    "ALLOWED_HOSTS": "hub.example.org",
    "DATABASE_URL": "postgres://alliance:secret@db.internal:5432/alliance",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/1",
    "EMAIL_URL": "smtp://mail.internal:25",
    "SITE_URL": "https://hub.example.org",
}


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_keeps_database_connections_open():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        env_overrides=PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    engine, max_age, health_checks = result.stdout.strip().splitlines()[-1].split()
    assert engine == "django.db.backends.postgresql"
    assert int(max_age) >= 60
    assert health_checks == "True"


def test_missing_secret_key_stops_production_start():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    "secret_key",
    [
        "x",
        "k7-production-like-secret-q3Zr8q3Zr8q3Zr8q3Zr8q3Z",  # 49 characters
        "abcd" * 20,  # four different characters
        "django-insecure-" + "k7-production-like-secret-" + "q3Zr8" * 12,
    ],
)
def test_weak_secret_key_stops_production_start(secret_key):
    result = run_manage("check", env_overrides={**PRODUCTION_ENV, "SECRET_KEY": secret_key})
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for DEBUG off" in result.stderr


def test_weak_secret_key_is_not_repeated_in_the_error():
    secret_key = "weak-but-still-a-secret-" + "q3Zr8" * 4
    result = run_manage("check", env_overrides={**PRODUCTION_ENV, "SECRET_KEY": secret_key})
    assert "SECRET_KEY is too weak" in result.stderr
    assert secret_key not in result.stderr


def test_weak_secret_key_is_allowed_in_development():
    env = {**PRODUCTION_ENV, "DEBUG": "1", "SECRET_KEY": "x"}
    result = run_manage("check", env_overrides=env)
    assert result.returncode == 0, result.stderr


def test_key_the_benchmarks_make_starts_production():
    [line] = [
        line
        for line in (ROOT / "scripts" / "bench.sh").read_text().splitlines()
        if line.startswith("export SECRET_KEY=")
    ]
    made = subprocess.run(
        ["bash", "-c", f'{line}; printf %s "$SECRET_KEY"'],
        cwd=ROOT,
        env={**os.environ, "VENV": str(Path(sys.executable).parent.parent)},
        capture_output=True,
        text=True,
        check=True,
    )
    env = {**PRODUCTION_ENV, "SECRET_KEY": made.stdout}
    result = run_manage("check", env_overrides=env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "ture", "DEBUG='ture' is not a boolean"),
        ("CONN_MAX_AGE", "10s", "CONN_MAX_AGE='10s' is not an integer"),
        ("EMAIL_URL", "smpt://mail:25", "unknown scheme 'smpt'"),
        ("EMAIL_URL", "smtp://mail:twenty-five", "the port is not a number"),
    ],
)
def test_malformed_settings_fail_loudly(name, value, message):
    result = run_manage("check", env_overrides={**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert message in result.stderr


COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_describes_production():
    services = COMPOSE["services"]
    assert {"web", "worker", "beat", "db", "redis", "mail"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "alliance", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "alliance", "beat"]
    assert "noeviction" in services["redis"]["command"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DEBUG"] == "0"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")


def test_web_is_reached_only_through_nginx_with_the_repositorys_configuration():
    services = COMPOSE["services"]
    assert "ports" not in services["web"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")  # the official image
    assert sorted(proxy["ports"]) == ["443:443", "80:80"]
    assert (
        "./deploy/nginx/alliance.conf.template:/etc/nginx/templates/default.conf.template:ro"
        in proxy["volumes"]
    )
    assert proxy["environment"]["ALLIANCE_UPSTREAM"] == "web:8000"
    # nginx serves the files collectstatic wrote, from the volume they share.
    assert "static:/app/staticfiles" in services["collectstatic"]["volumes"]
    assert "static:/srv/static:ro" in proxy["volumes"]
    assert proxy["environment"]["ALLIANCE_STATIC_ROOT"] == "/srv/static"


def test_the_proxys_environment_fills_every_placeholder_of_the_template():
    from tests.fixtures.nginx import PLACEHOLDER, TEMPLATE

    placeholders = set(PLACEHOLDER.findall(TEMPLATE.read_text()))
    given = {
        name for name in COMPOSE["services"]["proxy"]["environment"] if name.startswith("ALLIANCE_")
    }
    assert placeholders == given


def test_production_limits_public_signing_to_30_a_minute_per_address():
    """The template leaves the rate to its environment so that the benchmark (one
    address for its whole crowd) can raise it; production's stays 30 a minute."""
    assert COMPOSE["services"]["proxy"]["environment"]["ALLIANCE_PUBLIC_SIGNING_RATE"] == "30r/m"


@pytest.mark.parametrize("service", ["web", "worker", "beat", "migrate", "collectstatic"])
def test_compose_commands_exist_in_this_project(service):
    """Every program a service runs is installed by the project's dependencies, and every
    module it names imports."""
    command = COMPOSE["services"][service]["command"]
    program = command[0]
    if program == "python":
        assert (ROOT / command[1]).exists()
    else:
        assert shutil.which(program, path=str(Path(sys.executable).parent)), program
    if program == "gunicorn":
        assert command[1] == "alliance.wsgi"
        assert (ROOT / "alliance" / "wsgi.py").exists()


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_compose_file_is_valid_for_docker_compose():
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env={**os.environ, "SECRET_KEY": "x", "POSTGRES_PASSWORD": "y"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_the_image_collects_static_files_for_production_compressed():
    # The Dockerfile's collectstatic, with the settings it runs under there: production's
    # manifest storage needs its manifest, and the compressed .br and .gz copies it writes
    # (brotli installed) are what WhiteNoise sends. (Running it takes minutes here.)
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = re.search(r"&& ((?:[A-Z_]+=\S+ )*)python manage.py collectstatic", dockerfile)
    assert command, "the Dockerfile runs collectstatic"
    build_env = dict(pair.split("=", 1) for pair in command.group(1).split())

    storage = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])",
        env_overrides=build_env,
    )

    assert storage.stdout.split()[-1] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert importlib.util.find_spec("brotli") is not None
