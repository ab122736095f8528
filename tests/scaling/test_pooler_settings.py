"""DATABASE_POOLER=pgbouncer: what Django and psycopg need behind PgBouncer in
transaction mode, and a clear refusal of what cannot work."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from alliance.database import configure_for_pooler

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "alliance", "OPTIONS": {}}


def test_pgbouncer_turns_off_server_side_cursors_and_prepared_statements():
    database = {**POSTGRES, "OPTIONS": {"sslmode": "require"}}
    configure_for_pooler(database, "pgbouncer")
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert database["OPTIONS"] == {"sslmode": "require", "prepare_threshold": None}


def test_without_a_pooler_nothing_changes():
    database = {**POSTGRES, "OPTIONS": {}}
    configure_for_pooler(database, "")
    assert database == POSTGRES


def test_an_unknown_pooler_is_refused():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_POOLER='pgpool' is not known"):
        configure_for_pooler(dict(POSTGRES), "pgpool")


def test_pgbouncer_in_front_of_sqlite_is_refused():
    with pytest.raises(ImproperlyConfigured, match="needs a PostgreSQL DATABASE_URL"):
        configure_for_pooler({"ENGINE": "django.db.backends.sqlite3"}, "pgbouncer")


def test_a_process_started_with_the_setting_connects_that_way():
    code = (
        "import django; django.setup(); from django.db import connection;"
        " print(connection.settings_dict['DISABLE_SERVER_SIDE_CURSORS'],"
        " connection.get_connection_params()['prepare_threshold'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": "postgres://alliance@127.0.0.1:6432/alliance",
            "DATABASE_POOLER": "pgbouncer",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "None"]


def test_no_session_level_state_in_the_code():
    """Transaction mode lends a server connection for one transaction: a session advisory
    lock, LISTEN or a temporary table would stay behind on it (the transaction-scoped
    pg_advisory_xact_lock is fine)."""
    forbidden = (
        "pg_advisory_lock",
        "pg_try_advisory_lock",
        "LISTEN ",
        "TEMPORARY TABLE",
        "TEMP TABLE",
        "SET SESSION",
    )
    found = []
    for app in ("alliance", "members", "statements", "campaigns"):
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            found += [f"{path.relative_to(ROOT)}: {word}" for word in forbidden if word in text]
    assert found == []
