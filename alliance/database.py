"""The database connection behind a connection pooler (docs/running/scaling.md).

PgBouncer in transaction mode hands each transaction (each statement, in autocommit) to
whichever server connection is free, so nothing may outlive a transaction on the server:

- Django's `.iterator()` opens a named server-side cursor, which lives on the server
  connection it was declared on: off (DISABLE_SERVER_SIDE_CURSORS), the rows are fetched
  in chunks by the client instead;
- psycopg prepares a query it has run five times on a connection, and the prepared
  statement lives on one server connection: off (`prepare_threshold` None; PgBouncer
  before 1.21 cannot track them at all);
- session state (SET outside a transaction, session advisory locks, LISTEN, temporary
  tables): the code uses none. Its advisory locks are `pg_advisory_xact_lock`, released
  at commit, and the beat lock is a row (alliance.monitoring.beat). Django's own
  time-zone setting at connect is a parameter PgBouncer tracks and restores per client.
"""

from django.core.exceptions import ImproperlyConfigured

POOLERS = ("", "pgbouncer")


def configure_for_pooler(database: dict, pooler: str) -> None:
    """Adapt one entry of DATABASES to `pooler` ("" for a direct connection)."""
    if pooler not in POOLERS:
        raise ImproperlyConfigured(
            f"DATABASE_POOLER={pooler!r} is not known (use pgbouncer, or leave it empty)."
        )
    if not pooler:
        return
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"DATABASE_POOLER={pooler} needs a PostgreSQL DATABASE_URL (postgres://...)."
        )
    database["DISABLE_SERVER_SIDE_CURSORS"] = True
    database.setdefault("OPTIONS", {})["prepare_threshold"] = None
