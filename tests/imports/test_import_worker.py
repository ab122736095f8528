"""The real run on a real Celery worker, Redis and PostgreSQL: the page follows the
worker's progress through the cache, and nothing the import writes is visible to anyone
before all of it is."""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse

from members import imports
from members.models import Organisation, OrganisationImport
from tests.fixtures.faults import (
    table_locked_by_another_session,
    wait_until_a_session_waits_for_a_lock_on,
)
from tests.imports.test_import_pages import csv_bytes, row

ROWS = 3_000


def status_and_count(organisation_import):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status, (SELECT count(*) FROM {Organisation._meta.db_table}"
            "  WHERE name LIKE 'Worker group%%')"
            f" FROM {OrganisationImport._meta.db_table} WHERE id = %s",
            [organisation_import.pk],
        )
        return cursor.fetchone()


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_imports_all_rows_at_once_while_the_page_shows_progress(client_for, convenor):
    content = csv_bytes(*[row(name=f"Worker group {n}", city=f"Town {n}") for n in range(ROWS)])
    checked = imports.check_upload(
        upload=SimpleUploadedFile("big.csv", content), uploaded_by=convenor
    )
    client = client_for(convenor)
    progress_url = reverse("members:import_progress", args=[checked.pk])

    imports.start_import(organisation_import=checked, started_by=convenor)

    seen_done, seen_counts = [], []
    deadline = time.monotonic() + 120
    while True:
        # Status and count in one statement, so both come from one snapshot: read apart,
        # the commit could land between them and show the rows beside a stale status.
        status, count = status_and_count(checked)
        if status != OrganisationImport.Status.QUEUED:
            break
        assert time.monotonic() < deadline, "the import did not finish in 120 s"
        checked.refresh_from_db()
        seen_done.append(imports.rows_done(checked))
        seen_counts.append(count)
        assert client.get(progress_url).status_code == 200
        time.sleep(0.1)

    checked.refresh_from_db()
    assert checked.status == OrganisationImport.Status.DONE, checked.error
    assert seen_done == sorted(seen_done)  # progress only goes forward
    assert set(seen_counts) <= {0}  # all or nothing: no row visible before the commit
    assert Organisation.objects.filter(name__startswith="Worker group").count() == ROWS
    assert (checked.rows_done, checked.created_count) == (ROWS, ROWS)
    assert client.get(progress_url)["HX-Refresh"] == "true"


@pytest.mark.django_db(transaction=True)
def test_a_second_run_while_the_first_holds_the_import_skips_it(convenor):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")
    checked = imports.check_upload(
        upload=SimpleUploadedFile("a.csv", csv_bytes(row(name="Gulu Youth Voice"))),
        uploaded_by=convenor,
    )
    OrganisationImport.objects.filter(pk=checked.pk).update(status="queued")
    outcomes = []

    def first_run():
        outcomes.append(imports.run_import(import_id=checked.pk))
        connections.close_all()

    thread = threading.Thread(target=first_run)
    # Another session holds the organisations table: the first run, the import's row
    # locked, waits at its first write until the block ends.
    with table_locked_by_another_session(Organisation):
        thread.start()
        wait_until_a_session_waits_for_a_lock_on(Organisation)

        assert imports.run_import(import_id=checked.pk) == "skipped"
    thread.join(10)

    assert outcomes == ["done"]
    assert Organisation.objects.filter(name="Gulu Youth Voice").count() == 1
