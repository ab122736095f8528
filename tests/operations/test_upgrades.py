"""Upgrades: no model change without its migration, every migration reversible (or saying
why not), and a database of the previous release, with data in it, migrated forward to
this one and back again, answering pages at each end."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython, RunSQL
from django.utils import timezone

from alliance.releases import PREVIOUS_RELEASE, RELEASES
from statements.models import Signature, Statement
from tests.commands import migrate
from tests.factories import OrganisationFactory, SignatureFactory, StatementFactory

PROJECT_APPS = set(RELEASES[PREVIOUS_RELEASE])


def test_every_app_of_the_project_is_in_the_release_table():
    ours = {
        config.label
        for config in apps.get_app_configs()
        if config.name.split(".")[0] in {"alliance", "members", "campaigns", "statements"}
        and (config.path and __import__("pathlib").Path(config.path, "migrations").is_dir())
    }
    assert ours == PROJECT_APPS


def test_no_model_change_lacks_its_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_every_migration_can_be_reversed_or_says_why():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    one_way = []
    for (label, name), migration in loader.disk_migrations.items():
        if label not in PROJECT_APPS or getattr(migration, "irreversible_because", ""):
            continue
        for operation in migration.operations:
            if (isinstance(operation, RunPython) and operation.reverse_code is None) or (
                isinstance(operation, RunSQL) and operation.reverse_sql is None
            ):
                one_way.append(f"{label}.{name}")
    assert one_way == []


def leaves():
    loader = MigrationLoader(connection)
    return [node for node in loader.graph.leaf_nodes() if node[0] in PROJECT_APPS]


@pytest.mark.django_db(transaction=True)
def test_the_previous_releases_database_goes_forward_and_back_with_its_data(client):
    statement = StatementFactory(status=Statement.Status.PUBLISHED, published_at=timezone.now())
    for number in range(5):
        SignatureFactory(
            statement=statement,
            organisation=OrganisationFactory(name=f"Coopérative {number}"),
            listed_publicly=number != 0,
        )
    latest = leaves()
    previous = list(RELEASES[PREVIOUS_RELEASE].items())
    try:
        migrate(previous)  # back to the previous release's schema, data kept
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM statements_signature")
            assert cursor.fetchone()[0] == 5
        migrate(latest)  # and the upgrade, forward
    finally:
        migrate(latest)
    assert Signature.objects.filter(statement=statement).count() == 5
    page = client.get(statement.get_absolute_url()).content.decode()
    assert "Coopérative 3" in page and "Coopérative 0" not in page
