"""Every CSV export of personal data leaves an entry in the audit trail: who, what, when."""

import pytest

from alliance.core.audit.models import AuditEntry
from tests.factories import ConveningFactory, StatementFactory


@pytest.mark.parametrize(
    "path, action",
    [
        ("/members/directory/export.csv?country=UG", "directory.exported"),
        ("/members/dashboard/export.csv", "dashboard.exported"),
        ("/campaigns/convenings/{convening}/attendance.csv", "convening.attendance_exported"),
        ("/statements/{statement}/signatories.csv", "statement.signatories_exported"),
    ],
)
def test_every_csv_export_is_audited(client_for, convenor, path, action):
    path = path.format(convening=ConveningFactory().slug, statement=StatementFactory().slug)

    response = client_for(convenor).get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    entry = AuditEntry.objects.get(action=action)
    assert entry.actor == convenor
