"""A version per statement that moves with every write to its signatures, sign-on
requests and offline receipts, for the tracking page (statements.tracking_board).

On PostgreSQL statement-level AFTER triggers keep it: one upsert per SQL statement
whatever the number of rows, so the public processing's batch insert, queryset update()
and the deletes of retention and erasure move it as a service's save() does. PostgreSQL
allows one event per trigger when it reads the transition tables, hence three triggers
per table. A statement deleted takes its version with it even when its signatures' own
deletes wrote it again in the same transaction.

Other databases (SQLite for `make run`) get the table only: the page computes there.
"""

from django.db import migrations, models

# In the statements' order: two SQL statements that each touch several statements (retention,
# an erasure) take the version rows in the same order, so neither waits for the other in turn.
BUMP = """
    INSERT INTO statements_trackingversion (statement_id, version)
    SELECT DISTINCT statement_id, 1 FROM {rows} ORDER BY statement_id
    ON CONFLICT (statement_id)
    DO UPDATE SET version = statements_trackingversion.version + 1
"""

BUMP_RECEIPTS = """
    INSERT INTO statements_trackingversion (statement_id, version)
    SELECT DISTINCT signature.statement_id, 1
    FROM {rows} receipt JOIN statements_signature signature ON signature.id = receipt.signature_id
    ORDER BY signature.statement_id
    ON CONFLICT (statement_id)
    DO UPDATE SET version = statements_trackingversion.version + 1
"""


def functions() -> str:
    sql = []
    for name, bump in (("rows", BUMP), ("receipts", BUMP_RECEIPTS)):
        for rows in ("new_rows", "old_rows"):
            sql.append(
                f"""
CREATE FUNCTION statements_tracking_{name}_{rows}() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
{bump.format(rows=rows)};
    RETURN NULL;
END $$;"""
            )
    return "\n".join(sql)


TABLES = {
    "statements_signature": "rows",
    "statements_signonrequest": "rows",
    "statements_offlinereceipt": "receipts",
}
EVENTS = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}


def triggers() -> str:
    sql = []
    for table, kind in TABLES.items():
        for event, referencing in EVENTS.items():
            rows = referencing.rsplit(" ", 1)[1]
            sql.append(
                f"CREATE TRIGGER {table}_tracking_{event} AFTER {event.upper()} ON {table} "
                f"{referencing} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION statements_tracking_{kind}_{rows}();"
            )
    return "\n".join(sql)


FORGET_DELETED_STATEMENTS = """
CREATE FUNCTION statements_tracking_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM statements_trackingversion
    WHERE statement_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$;
CREATE TRIGGER statements_statement_tracking_delete AFTER DELETE ON statements_statement
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION statements_tracking_forget();
"""

CREATE = functions() + "\n" + triggers() + "\n" + FORGET_DELETED_STATEMENTS

DROP = (
    "\n".join(
        f"DROP TRIGGER IF EXISTS {table}_tracking_{event} ON {table};"
        for table in TABLES
        for event in EVENTS
    )
    + """
DROP TRIGGER IF EXISTS statements_statement_tracking_delete ON statements_statement;
DROP FUNCTION IF EXISTS statements_tracking_forget();
DROP FUNCTION IF EXISTS statements_tracking_rows_new_rows();
DROP FUNCTION IF EXISTS statements_tracking_rows_old_rows();
DROP FUNCTION IF EXISTS statements_tracking_receipts_new_rows();
DROP FUNCTION IF EXISTS statements_tracking_receipts_old_rows();
"""
)


def run_on_postgres(sql):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("statements", "0009_signature_listed_idx")]

    operations = [
        migrations.CreateModel(
            name="TrackingVersion",
            fields=[
                (
                    "statement",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="tracking_version",
                        serialize=False,
                        to="statements.statement",
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(run_on_postgres(CREATE), run_on_postgres(DROP)),
    ]
