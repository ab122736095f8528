"""Backups proven by restoring them: a seeded PostgreSQL is backed up with
`manage.py backup`, restored with `manage.py restore` into a fresh cluster, and the
restored copy answers the same statement page, byte for byte apart from per-request
tokens, with the same rows in every table. Also to an S3-compatible bucket (moto's
server on loopback), and pruning by age with the clock moved."""

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from alliance.backups import PREFIX, names_to_keep
from statements.models import Signature, Statement
from tests.factories import OrganisationFactory, SignatureFactory, StatementFactory
from tests.fixtures.services import database_url, free_port

ROOT = Path(settings.BASE_DIR)


def manage(*arguments: str, database: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


# --- pruning ---------------------------------------------------------------------------


def name_at(moment: dt.datetime) -> str:
    return PREFIX + moment.strftime("%Y%m%dT%H%M%SZ")


def test_pruning_keeps_a_day_for_two_weeks_and_a_week_for_eight_weeks():
    now = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
    # Two backups a day (03:00 and 15:00) for 120 days.
    names = [name_at(now - dt.timedelta(hours=12 * step)) for step in range(240)]
    kept = names_to_keep(names, now=now)
    taken = sorted(dt.datetime.strptime(n.removeprefix(PREFIX), "%Y%m%dT%H%M%SZ") for n in kept)
    recent = [t for t in taken if now.replace(tzinfo=None) - t <= dt.timedelta(days=14)]
    assert len({t.date() for t in recent}) == len(recent) == 15  # one a day, today included
    older = [t for t in taken if t not in recent]
    assert all(now.replace(tzinfo=None) - t <= dt.timedelta(weeks=8) for t in older)
    assert len({t.isocalendar()[:2] for t in older}) == len(older)  # one a week
    assert 20 <= len(kept) <= 24
    assert max(names) in kept


def test_the_newest_backup_is_never_pruned_however_old():
    now = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
    old = [name_at(now - dt.timedelta(days=400)), name_at(now - dt.timedelta(days=500))]
    assert names_to_keep(old, now=now) == {max(old)}


# --- restoring into a fresh cluster ----------------------------------------------------


def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.skip("PostgreSQL's server programs are not installed")
    return found[-1].parent


def as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture
def fresh_cluster():
    """A PostgreSQL cluster of its own, as a new machine would have: nothing in it."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (make test)")
    # Not under pytest's temporary directory: the postgres user cannot enter root's.
    directory = Path(tempfile.mkdtemp(prefix="alliance-fresh-cluster-"))
    os.chmod(directory, 0o755)
    data = directory / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    bin_dir = postgres_bin()
    port = free_port()
    subprocess.run(
        as_postgres(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories='' -c fsync=off"
    )
    subprocess.run(
        as_postgres(
            [
                str(bin_dir / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(data / "server.log"),
            ]
        ),
        check=True,
        capture_output=True,
    )

    def new_database(name: str) -> str:
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True
        ) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return f"postgres://postgres@127.0.0.1:{port}/{name}"

    yield new_database
    subprocess.run(
        as_postgres([str(bin_dir / "pg_ctl"), "stop", "-m", "fast", "-D", str(data)]),
        capture_output=True,
    )
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def seeded(db):
    statement = StatementFactory(status=Statement.Status.PUBLISHED, published_at=timezone.now())
    for number in range(12):
        SignatureFactory(
            statement=statement,
            organisation=OrganisationFactory(name=f"Organisation número {number}"),
            listed_publicly=number % 3 != 0,
        )
    return statement


PER_REQUEST = [
    (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
]


def page(database: str, path: str) -> str:
    script = (
        "from django.test import Client; "
        f"r = Client().get({path!r}); print(r.status_code); print(r.content.decode())"
    )
    result = manage("shell", "--no-imports", "-c", script, database=database)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for pattern, replacement in PER_REQUEST:
        text = pattern.sub(replacement, text)
    return text


def table_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as database:
        tables = [
            row[0]
            for row in database.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: database.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for table in tables
        }


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_cluster_answers_the_same(seeded, fresh_cluster, tmp_path):
    source = database_url(connection.settings_dict)
    made = manage("backup", "--to", str(tmp_path / "backups"), database=source)
    assert made.returncode == 0, made.stderr
    (name,) = [entry.name for entry in (tmp_path / "backups").iterdir()]
    manifest = json.loads((tmp_path / "backups" / name / "manifest.json").read_text())
    assert set(manifest["files"]) == {"database.dump"}
    assert manifest["row_counts"]["statements_signature"] == 12

    target = fresh_cluster("restored")
    restored = manage("restore", "--from", str(tmp_path / "backups"), database=target)
    assert restored.returncode == 0, restored.stderr
    assert "every row count matches" in restored.stdout

    assert table_counts(target) == table_counts(source)
    assert page(target, "/healthz").startswith("200")
    detail = f"/statements/{seeded.slug}/"
    assert page(target, detail) == page(source, detail)
    assert page(target, detail).startswith("200")
    counted_only = Signature.objects.filter(statement=seeded, listed_publicly=False).count()
    assert counted_only == 4


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(seeded, tmp_path):
    source = database_url(connection.settings_dict)
    assert manage("backup", "--to", str(tmp_path), database=source).returncode == 0
    refused = manage("restore", "--from", str(tmp_path), database=source)
    assert refused.returncode != 0
    assert "the database is not empty" in refused.stderr
    assert Signature.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_restored(seeded, fresh_cluster, tmp_path):
    source = database_url(connection.settings_dict)
    assert manage("backup", "--to", str(tmp_path), database=source).returncode == 0
    (backup,) = [entry for entry in tmp_path.iterdir() if entry.name.startswith(PREFIX)]
    with open(backup / "database.dump", "r+b") as dump:
        dump.seek(200)
        dump.write(b"damage")
    target = fresh_cluster("damaged")
    refused = manage("restore", "--from", str(tmp_path), database=target)
    assert refused.returncode != 0
    assert "missing or damaged" in refused.stderr
    assert table_counts(target) == {}


@pytest.fixture
def s3_server(tmp_path):
    """moto's S3-compatible server on loopback, standing in for MinIO or AWS."""
    program = Path(sys.executable).parent / "moto_server"
    if not program.exists():
        pytest.skip("moto[server] is not installed (the dev extra has it)")
    port = free_port()
    process = subprocess.Popen(
        [str(program), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {
        "BACKUP_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=env["BACKUP_S3_ENDPOINT_URL"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            client.create_bucket(Bucket="alliance-backups")
            break
        except Exception:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.2)
    yield env
    process.terminate()
    process.wait(10)


@pytest.mark.django_db(transaction=True)
def test_a_backup_to_an_s3_bucket_restores(seeded, fresh_cluster, s3_server):
    source = database_url(connection.settings_dict)
    bucket = "s3://alliance-backups/nightly"
    made = manage("backup", "--to", bucket, database=source, **s3_server)
    assert made.returncode == 0, made.stderr
    listed = manage("backup", "--to", bucket, "--list", database=source, **s3_server)
    assert listed.stdout.strip().startswith(PREFIX)
    target = fresh_cluster("from_s3")
    restored = manage("restore", "--from", bucket, database=target, **s3_server)
    assert restored.returncode == 0, restored.stderr
    assert table_counts(target) == table_counts(source)
