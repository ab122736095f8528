"""Writing what became of a batch of public submissions, in one statement.

The ORM's `bulk_update` builds a CASE per field and row, which took a third of the
processor's time; on PostgreSQL one UPDATE joins the batch's values passed as arrays
(`unnest`), which the ORM cannot say. Other databases take the ORM's path, and
tests/statements/test_submission_outcomes.py runs both on PostgreSQL for the same rows.
"""

from django.db import connection
from psycopg import sql

from statements.models import PublicSubmission

# What processing changes on a submission, with the PostgreSQL type of each column's
# array.
OUTCOME_FIELDS = {
    "status": "text",
    "signature": "bigint",
    "error": "text",
    "processed_at": "timestamptz",
    "suspicion": "text",
    "ip_digest": "text",
}


def save_outcomes(batch: list[PublicSubmission]) -> None:
    """Write each submission's OUTCOME_FIELDS, as set on the instances."""
    if connection.vendor == "postgresql":
        save_outcomes_in_one_statement(batch)
    else:
        save_outcomes_portably(batch)


def save_outcomes_portably(batch: list[PublicSubmission]) -> None:
    PublicSubmission.objects.bulk_update(batch, list(OUTCOME_FIELDS))


def save_outcomes_in_one_statement(batch: list[PublicSubmission]) -> None:
    """PostgreSQL: UPDATE ... FROM unnest(arrays), one array parameter per column."""
    if not batch:
        return
    meta = PublicSubmission._meta
    fields = [meta.get_field(name) for name in OUTCOME_FIELDS]
    columns = [sql.Identifier(field.column) for field in fields]
    statement = sql.SQL(
        "UPDATE {table} AS submission SET {assignments} "
        "FROM unnest(%s::bigint[], {arrays}) AS outcome(id, {columns}) "
        "WHERE submission.{pk} = outcome.id"
    ).format(
        table=sql.Identifier(meta.db_table),
        assignments=sql.SQL(", ").join(
            sql.SQL("{column} = outcome.{column}").format(column=column) for column in columns
        ),
        arrays=sql.SQL(", ").join(
            sql.SQL("%s::{kind}[]").format(kind=sql.SQL(kind)) for kind in OUTCOME_FIELDS.values()
        ),
        columns=sql.SQL(", ").join(columns),
        pk=sql.Identifier(meta.pk.column),
    )
    values = [[submission.pk for submission in batch]] + [
        [getattr(submission, field.attname) for submission in batch] for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(None), values)
