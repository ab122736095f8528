"""Accent- and case-insensitive search of the directory on Postgres: the pg_trgm and
unaccent extensions, two immutable SQL functions (unaccent itself is only stable, so an
index cannot use it directly) and a trigram GIN index on the folded name, short name and
city. `members.models.SearchText` and `Folded` call these functions.

Other databases (SQLite for `make run`) get nothing here and search with LIKE. The
extensions are created here rather than with django.contrib.postgres' TrigramExtension
and UnaccentExtension, whose reverse runs Postgres-only SQL on any database; reversing
leaves them installed, since other code may come to rely on them. Creating them needs a
role allowed to (a superuser, or the database owner on Postgres 13+ for these trusted
extensions).
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE FUNCTION public.members_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;
CREATE FUNCTION public.members_search_text(name text, short_name text, city text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT public.members_fold(name || ' ' || short_name || ' ' || city) $$;
CREATE INDEX organisation_search_trgm_idx ON members_organisation
    USING gin (public.members_search_text(name, short_name, city) gin_trgm_ops);
"""

DROP = """
DROP INDEX IF EXISTS organisation_search_trgm_idx;
DROP FUNCTION IF EXISTS public.members_search_text(text, text, text);
DROP FUNCTION IF EXISTS public.members_fold(text);
"""


def run_on_postgres(sql):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("members", "0003_directory_indexes")]

    operations = [migrations.RunPython(run_on_postgres(CREATE), run_on_postgres(DROP))]
