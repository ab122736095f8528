"""PostgreSQL starts no parallel workers for the app's queries unless
DATABASE_PARALLEL_WORKERS says so (alliance.database.configure_parallel_workers)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from alliance.database import configure_parallel_workers

POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "alliance"}


@pytest.mark.django_db
def test_the_apps_connection_asks_for_no_parallel_workers():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)


def test_the_urls_own_startup_options_are_kept():
    database = {**POSTGRES, "OPTIONS": {"options": "-c statement_timeout=5000"}}
    configure_parallel_workers(database, 0)
    assert database["OPTIONS"] == {
        "options": "-c statement_timeout=5000 -c max_parallel_workers_per_gather=0"
    }


def test_a_deployment_may_allow_parallel_workers():
    database = dict(POSTGRES)
    configure_parallel_workers(database, 2)
    assert database["OPTIONS"] == {"options": "-c max_parallel_workers_per_gather=2"}


def test_nothing_is_sent_through_pgbouncer_or_to_sqlite():
    # PgBouncer refuses a startup option it does not track: the role carries it there.
    database = {**POSTGRES, "OPTIONS": {}}
    configure_parallel_workers(database, 0, pooler="pgbouncer")
    assert database["OPTIONS"] == {}
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}
    configure_parallel_workers(sqlite, 0)
    assert "OPTIONS" not in sqlite


def test_a_negative_number_is_refused():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PARALLEL_WORKERS=-1"):
        configure_parallel_workers(dict(POSTGRES), -1)
