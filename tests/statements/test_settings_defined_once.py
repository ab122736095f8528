"""The settings a convenor edits are defined once (Statement.SETTINGS): the edit form
shows them, and every change to them is written to the audit trail."""

import pytest

from alliance.core.audit.models import AuditEntry
from statements import services
from statements.forms import StatementForm
from statements.models import Statement
from tests.factories import StatementFactory


def test_the_edit_form_shows_every_audited_setting_and_the_focus_areas_in_order():
    assert list(StatementForm().fields) == [
        "original_language",
        "focus_areas",
        "campaign",
        "moment",
        "signon_opens_at",
        "signon_closes_at",
        "embargo_until",
        "audience",
        "moderation",
        "reminder_offsets",
        "unconfirmed_count_after_change",
        "coordinators_may_circulate",
    ]
    assert set(StatementForm().fields) - {"focus_areas"} == set(services.AUDITED_SETTINGS)
    assert list(Statement.SETTINGS) == services.AUDITED_SETTINGS


@pytest.mark.django_db
def test_a_setting_changed_through_the_form_is_audited(convenor):
    statement = StatementFactory(moderation=False)
    form = StatementForm(
        data={
            "original_language": statement.original_language,
            "audience": statement.audience,
            "moderation": "on",
            "reminder_offsets": "",
        },
        instance=statement,
    )
    assert form.is_valid(), form.errors
    services.save_statement(
        statement=form.save(commit=False),
        texts=[services.TextInput(language="en", title="A title", body="A body.")],
        author=convenor,
    )
    entry = AuditEntry.objects.for_object(statement).latest("pk")
    assert entry.changes["moderation"] == [False, True]
