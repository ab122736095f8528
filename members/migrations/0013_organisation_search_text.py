"""The directory's folded search text as a stored column, with the trigram index on it
instead of on the expression.

A trigram index only narrows the candidates: Postgres checks each candidate row again,
and with the index on the expression that check folded the accents of the row's name,
short name and city once more (unaccent, per row). Stored, the check reads a column.
Other databases (SQLite for `make run`) store plain LOWER and get no index, as 0004.
"""

from django.db import migrations, models

import members.models

INDEX_COLUMN = """
CREATE INDEX organisation_search_text_trgm_idx ON members_organisation
    USING gin (search_text gin_trgm_ops);
DROP INDEX IF EXISTS organisation_search_trgm_idx;
"""

INDEX_EXPRESSION = """
CREATE INDEX organisation_search_trgm_idx ON members_organisation
    USING gin (public.members_search_text(name, short_name, city) gin_trgm_ops);
DROP INDEX IF EXISTS organisation_search_text_trgm_idx;
"""


def run_on_postgres(sql):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("members", "0012_membership_decided_joined_indexes")]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=members.models.SearchText(),
                output_field=models.TextField(),
            ),
        ),
        migrations.RunPython(run_on_postgres(INDEX_COLUMN), run_on_postgres(INDEX_EXPRESSION)),
    ]
