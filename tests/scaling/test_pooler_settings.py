"""DATABASE_POOLER=pgbouncer: what Django and psycopg need behind PgBouncer in
transaction mode, and a clear refusal of what cannot work."""

import os
import re
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


# --- through a real PgBouncer ------------------------------------------------------------

ITERATE = (
    "import django; django.setup();"
    " from django.contrib.contenttypes.models import ContentType;"
    " rows = list(ContentType.objects.order_by('pk').iterator(chunk_size=5));"
    " print(len(rows))"
)


@pytest.fixture
def bouncer(db):
    """PgBouncer in front of the test database, its server connections all open (so
    that it lends a different one to each transaction)."""
    from django.db import connection

    from tests.fixtures.services import require_services
    from tests.scaling import pgbouncer

    database = connection.settings_dict
    if connection.vendor != "postgresql":
        require_services("PostgreSQL (DATABASE_URL)")
    if not pgbouncer.installed():
        require_services("pgbouncer (apt-get install pgbouncer)")
    bouncer = pgbouncer.PgBouncer(
        host=database["HOST"] or "127.0.0.1", port=int(database["PORT"] or 5432)
    ).start(user=database["USER"], database=database["NAME"])
    try:
        bouncer.url_for_tests = bouncer.url(user=database["USER"], database=database["NAME"])
        bouncer.open_every_server_connection(database["NAME"])
        yield bouncer
    finally:
        bouncer.stop()


def run_through(
    bouncer, code: str, *, pooler: str, parallel_workers: str = "0"
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": bouncer.url_for_tests,
            "DATABASE_POOLER": pooler,
            "DATABASE_PARALLEL_WORKERS": parallel_workers,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.django_db
def test_iterating_through_pgbouncer_needs_the_setting(bouncer):
    # Without it Django declares a server-side cursor in one transaction and fetches from
    # it in the next, on another server connection, where it does not exist. (Nothing in
    # the startup options, or PgBouncer would refuse the connection first: the next test.)
    without = run_through(bouncer, ITERATE, pooler="", parallel_workers="")
    assert without.returncode != 0
    assert re.search(r"(cursor|portal) \"_django_curs_[^\"]+\" does not exist", without.stderr), (
        without.stderr
    )
    # With it the rows are fetched by the client.
    pooled = run_through(bouncer, ITERATE, pooler="pgbouncer")
    assert pooled.returncode == 0, pooled.stderr
    assert int(pooled.stdout) > 10


@pytest.mark.django_db
def test_without_the_setting_pgbouncer_refuses_the_connection_at_once(bouncer):
    # The app's startup option (DATABASE_PARALLEL_WORKERS) is sent only without a pooler;
    # PgBouncer refuses it, so a forgotten DATABASE_POOLER fails at the first query
    # instead of losing rows later.
    without = run_through(bouncer, ITERATE, pooler="")
    assert without.returncode != 0
    assert "unsupported startup parameter" in without.stderr, without.stderr
