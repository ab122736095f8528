"""The database connection: what the app asks of PostgreSQL at connection, and what it
needs behind a connection pooler (docs/running/scaling.md).

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


def configure_parallel_workers(database: dict, workers: int | None, *, pooler: str = "") -> None:
    """Ask PostgreSQL for at most `workers` parallel workers per query (None: the server's
    own setting), in the connection's startup options (libpq's `options`, added to any the
    URL gives).

    Not through a pooler: PgBouncer refuses a startup option it does not track, so there
    the setting belongs to the database role (`ALTER ROLE ... SET`, docs/running/scaling.md).
    """
    if workers is not None and workers < 0:
        raise ImproperlyConfigured(f"DATABASE_PARALLEL_WORKERS={workers} must be 0 or more.")
    if workers is None or database["ENGINE"] != "django.db.backends.postgresql" or pooler:
        return
    options = database.setdefault("OPTIONS", {})
    setting = f"-c max_parallel_workers_per_gather={workers}"
    options["options"] = " ".join(filter(None, [options.get("options"), setting]))
