"""Migration 0010 (the tracking version) goes forward and back: on PostgreSQL with its
triggers, on SQLite (the quick start) with the table only."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.commands import migrate, run_manage
from tests.factories import SignatureFactory, StatementFactory


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s", ["%tracking%"])
        return {name for (name,) in cursor.fetchall()}


def tables() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_it_installs_the_triggers_and_takes_them_away():
    leaves = latest()
    try:
        migrate([("statements", "0009_signature_listed_idx")])
        assert triggers() == set()
        assert "statements_trackingversion" not in tables()
        statement = StatementFactory()
        SignatureFactory(statement=statement)  # signing works without them

        migrate(leaves)
        assert len(triggers()) == 10  # three events on three tables, and the statement's
        SignatureFactory(statement=statement)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT version FROM statements_trackingversion WHERE statement_id = %s",
                [statement.pk],
            )
            assert cursor.fetchone() == (1,)
    finally:
        migrate(leaves)


def test_on_sqlite_it_goes_forward_and_back(tmp_path):
    sqlite = {
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/alliance.sqlite3",
        "CELERY_BROKER_URL": f"sqla+sqlite:///{tmp_path}/broker.sqlite3",
        "CACHE_DIR": str(tmp_path / "cache"),
    }

    def manage(*args) -> str:
        result = run_manage(*args, env_overrides=sqlite)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def has_table() -> bool:
        script = (
            "from django.db import connection; "
            "print('statements_trackingversion' in connection.introspection.table_names())"
        )
        return manage("shell", "--no-imports", "-c", script).strip() == "True"

    manage("migrate", "--noinput", "-v", "0")
    assert has_table()
    manage("migrate", "statements", "0009", "--noinput", "-v", "0")
    assert not has_table()
    manage("migrate", "--noinput", "-v", "0")
    assert has_table()
