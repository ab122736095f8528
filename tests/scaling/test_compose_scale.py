"""deploy/compose.scale.yml, the compose override for several machines: parsed and merged
over docker-compose.yml as compose merges them (and checked by `docker compose config`
where it is installed)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BASE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
OVERRIDE = yaml.safe_load((ROOT / "deploy" / "compose.scale.yml").read_text())
DEFAULT = re.compile(r"\$\{([A-Z_]+)(?::-([^}]*)|:\?[^}]*)?\}")
APPLICATION = ("web", "worker", "mailer", "beat")


def merged(name: str) -> dict:
    """A service as compose sees it with the override: mappings merged key by key, the
    override's lists and values in place of the base's (ports and volumes are added)."""
    service = dict(BASE["services"].get(name, {}))
    for key, value in OVERRIDE["services"][name].items():
        if isinstance(value, dict) and isinstance(service.get(key), dict):
            service[key] = {**service[key], **value}
        elif key == "volumes":
            service[key] = [*service.get(key, []), *value]
        else:
            service[key] = value
    return service


def with_defaults(value: str) -> str:
    """${NAME:-default} as compose fills it with nothing set; ${NAME:?...} as NAME."""
    return DEFAULT.sub(lambda match: match.group(2) or match.group(1).lower(), str(value))


def test_it_overrides_only_services_of_the_production_file_and_adds_pgbouncer():
    assert set(OVERRIDE["services"]) - set(BASE["services"]) == {"pgbouncer"}


def test_several_web_replicas_run_production_gunicorn_behind_the_proxy():
    web = merged("web")
    assert int(with_defaults(web["deploy"]["replicas"])) >= 2
    command = [with_defaults(part) for part in web["command"]]
    base = BASE["services"]["web"]["command"]
    workers = command.index("--workers") + 1
    # The same command as production's, only the number of processes may be chosen.
    assert command[:workers] + command[workers + 1 :] == base[:workers] + base[workers + 1 :]
    assert int(command[workers]) >= 1
    # The proxy reaches every replica by the name `web`, and other machines by upstream.d.
    assert BASE["services"]["proxy"]["environment"]["ALLIANCE_UPSTREAM"] == "web:8000"
    assert "./deploy/nginx/upstream.d:/etc/nginx/upstream.d:ro" in merged("proxy")["volumes"]
    template = (ROOT / "deploy" / "nginx" / "alliance.conf.template").read_text()
    assert "include upstream.d/*.conf;" in template
    assert (ROOT / "deploy" / "nginx" / "upstream.d").is_dir()


@pytest.mark.parametrize("name", ["worker", "mailer"])
def test_workers_are_replicated_with_a_concurrency_per_host(name):
    worker = merged(name)
    assert int(with_defaults(worker["deploy"]["replicas"])) >= 1
    # Set per host; unset (empty), one pool process per core of the machine.
    assert worker["environment"]["CELERY_WORKER_CONCURRENCY"] == "${CELERY_WORKER_CONCURRENCY:-}"
    assert worker["command"] == BASE["services"][name]["command"]


def test_an_empty_concurrency_means_one_pool_process_per_core(monkeypatch):
    from alliance.env import env_int

    monkeypatch.setenv("CELERY_WORKER_CONCURRENCY", "")
    assert env_int("CELERY_WORKER_CONCURRENCY", os.cpu_count()) == os.cpu_count()


def test_exactly_one_beat():
    beat = merged("beat")
    assert beat["deploy"]["replicas"] == 1
    assert beat["command"] == BASE["services"]["beat"]["command"]


@pytest.mark.parametrize("name", APPLICATION)
def test_the_application_goes_through_pgbouncer_with_the_pooler_setting(name):
    environment = merged(name)["environment"]
    assert environment["DATABASE_POOLER"] == "pgbouncer"
    assert with_defaults(environment["DATABASE_URL"]).startswith(
        "postgres://alliance:postgres_password@pgbouncer:5432/alliance"
    )
    # Everything else of production's environment is still there.
    assert environment["SECRET_KEY"] == BASE["services"]["web"]["environment"]["SECRET_KEY"]
    assert "pgbouncer" in merged(name)["depends_on"]


@pytest.mark.parametrize("name", ["migrate", "backup"])
def test_migrations_and_backups_go_straight_to_postgresql(name):
    environment = merged(name)["environment"]
    assert "DATABASE_POOLER" not in environment
    assert with_defaults(environment["DATABASE_URL"]).startswith(
        "postgres://alliance:postgres_password@db:5432/alliance"
    )


def test_pgbouncer_pools_transactions_in_front_of_the_database():
    pgbouncer = OVERRIDE["services"]["pgbouncer"]
    environment = pgbouncer["environment"]
    assert environment["POOL_MODE"] == "transaction"
    assert with_defaults(environment["DB_HOST"]) == "db"  # or DATABASE_HOST: a managed one
    assert environment["DB_NAME"] == "alliance" and environment["DB_USER"] == "alliance"
    assert int(with_defaults(environment["DEFAULT_POOL_SIZE"])) >= 1
    assert "ports" not in pgbouncer  # reached on the internal network only


def compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


@pytest.mark.skipif(compose_command() is None, reason="docker compose is not installed")
def test_compose_accepts_the_override():
    result = subprocess.run(
        [*compose_command(), "-f", str(ROOT / "docker-compose.yml")]
        + ["-f", str(ROOT / "deploy" / "compose.scale.yml"), "config", "-q"],
        env={**os.environ, "SECRET_KEY": "x", "POSTGRES_PASSWORD": "y"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
