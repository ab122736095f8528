"""The floor of bench/signing.py: the smallest WSGI application that writes the rows a
public signature writes (its organisation, then the signature), one transaction per
request, on a connection kept open, with no framework in between: no middleware, URL
routing, form, template, audit entry, email or cache.

Run by gunicorn as `_signing_floor:application`; BENCH_STATEMENT and BENCH_VERSION name
the statement signed. Django is only used to describe the tables and fill in the columns'
defaults, so that the rows are the same as the application's.
"""

import os
import sys
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from members.models import Organisation  # noqa: E402
from statements.models import Signature  # noqa: E402

STATEMENT_ID = int(os.environ["BENCH_STATEMENT"])
VERSION_ID = int(os.environ["BENCH_VERSION"])


def _insert_statement(model) -> tuple[str, list]:
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING id", fields


ORGANISATION_INSERT, ORGANISATION_FIELDS = _insert_statement(Organisation)
SIGNATURE_INSERT, SIGNATURE_FIELDS = _insert_statement(Signature)


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
    organisation = Organisation(
        name=form["organisation_name"],
        slug=slugify(form["organisation_name"])[:100],
        country=form["country"],
        kind=form["kind"],
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ORGANISATION_INSERT, _values(organisation, ORGANISATION_FIELDS))
        signature = Signature(
            statement_id=STATEMENT_ID,
            organisation_id=cursor.fetchone()[0],
            version_id=VERSION_ID,
            signatory_name=form["signatory_name"],
            signatory_title=form.get("signatory_title", ""),
            email=form["email"],
            listed_publicly=form.get("visibility") == "listed",
        )
        cursor.execute(SIGNATURE_INSERT, _values(signature, SIGNATURE_FIELDS))
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
    return [b"ok\n"]
