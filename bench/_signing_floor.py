"""The floor of bench/signing.py: the smallest WSGI application that writes the row a
public signature's request writes (one PublicSubmission: the organisation and signature
are made later by the processor), on a connection kept open, with no framework in
between: no middleware, URL routing, CSRF, form, rate counters, template or cache.

Run by gunicorn as `_signing_floor:application`; BENCH_STATEMENT names the statement
signed. Django is only used to describe the table and fill in the columns' defaults, so
that the row is the same as the application's.
"""

import os
import sys
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from statements.models import PublicSubmission  # noqa: E402

STATEMENT_ID = int(os.environ["BENCH_STATEMENT"])


def _insert_statement(model) -> tuple[str, list]:
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING id", fields


SUBMISSION_INSERT, SUBMISSION_FIELDS = _insert_statement(PublicSubmission)


def _values(instance, fields) -> list:
    return [
        field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields
    ]


def application(environ, start_response):
    if environ["REQUEST_METHOD"] != "POST":  # bench/signing.py waits for a first answer
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
        return [b"ok\n"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    form = {
        name: values[0]
        for name, values in parse_qs(environ["wsgi.input"].read(length).decode()).items()
    }
    submission = PublicSubmission(
        statement_id=STATEMENT_ID,
        organisation_name=form["organisation_name"],
        country=form["country"],
        kind=form["kind"],
        signatory_name=form["signatory_name"],
        signatory_title=form.get("signatory_title", ""),
        email=form["email"],
        listed_publicly=form.get("visibility") == "listed",
    )
    # One statement in autocommit, as the application's INSERT.
    with connection.cursor() as cursor:
        cursor.execute(SUBMISSION_INSERT, _values(submission, SUBMISSION_FIELDS))
    # The application's answer too: a redirect to "check your email".
    start_response("303 See Other", [("Location", "/sent/"), ("Content-Length", "0")])
    return [b""]
