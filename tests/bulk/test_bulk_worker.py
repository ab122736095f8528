"""A bulk action above the threshold on a real Celery worker, Redis and PostgreSQL: the
page follows its progress through the cache, and nothing it changes is visible before
all of it is."""

import re
import time
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from alliance.core.audit.models import AuditEntry
from members.models import BulkAction, Membership, Organisation
from tests.factories import FocusAreaFactory

ROWS = 2_000


def status_and_tagged(bulk_id, focus_area_id):
    """Status and rows tagged in one statement, so both come from one snapshot."""
    through = Organisation.focus_areas.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status, (SELECT count(*) FROM {through} WHERE focusarea_id = %s)"  # noqa: S608 - model tables
            f" FROM {BulkAction._meta.db_table} WHERE id = %s",
            [focus_area_id, bulk_id],
        )
        return cursor.fetchone()


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_tags_every_row_at_once_while_the_page_shows_progress(
    client_for, uganda_coordinator, uganda, brazil, settings
):
    settings.BULK_TASK_THRESHOLD = 100
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Worker group {n:04}",
                slug=f"worker-group-{n}",
                kind="grassroots",
                country="BR" if n % 10 == 0 else "UG",
            )
            for n in range(ROWS)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(
                organisation=o,
                national_alliance=brazil if o.country == "BR" else uganda,
                status=Membership.Status.APPROVED,
            )
            for o in organisations
        ]
    )
    gender = FocusAreaFactory(slug="gender", name="Gender")
    client = client_for(uganda_coordinator)

    response = client.post(
        reverse("members:bulk"),
        {"action": "focus_add", "target": gender.pk, "all": "1", "key": str(uuid.uuid4())},
    )

    assert response.status_code == 302
    done = BulkAction.objects.get()
    progress_url = reverse("members:bulk_progress", args=[done.pk])
    seen_done, seen_tagged = [], []
    deadline = time.monotonic() + 120
    while True:
        status, tagged = status_and_tagged(done.pk, gender.pk)
        if status != BulkAction.Status.QUEUED:
            break
        assert time.monotonic() < deadline, "the bulk action did not finish in 120 s"
        page = client.get(progress_url)
        assert page.status_code == 200
        seen_done.append(int(re.search(rb'value="(\d+)"', page.content).group(1)))
        seen_tagged.append(tagged)
        time.sleep(0.05)

    done.refresh_from_db()
    assert done.status == BulkAction.Status.DONE, done.error
    assert seen_done == sorted(seen_done)  # progress only goes forward
    assert set(seen_tagged) <= {0}  # all or nothing: no row visible before the commit
    uganda_rows = ROWS - ROWS // 10
    assert (done.selected_count, done.outside_count) == (ROWS, ROWS // 10)
    assert done.changed_count == uganda_rows
    assert gender.organisations.count() == uganda_rows
    assert not gender.organisations.filter(country="BR").exists()
    assert AuditEntry.objects.filter(action="directory.bulk.focus_add").count() == 1
    assert client.get(progress_url)["HX-Refresh"] == "true"
