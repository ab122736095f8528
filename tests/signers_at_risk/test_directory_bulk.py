"""The directory's bulk actions are a new channel: a coordinator who exports or invites a
selection holding an organisation at risk learns nothing of whether it signed counted
only. Their CSV and the counts of their invitation are the same whether it signed or
not."""

import uuid

import pytest
from django.urls import reverse

from members.models import BulkAction
from statements.models import Statement
from tests.factories import StatementFactory
from tests.signers_at_risk.channels import sign_as


def _what_the_coordinator_sees(client, statement, organisation):
    BulkAction.objects.all().delete()
    client.post(
        reverse("members:bulk"),
        {"action": "export", "ids": [organisation.pk], "key": str(uuid.uuid4())},
    )
    export = BulkAction.objects.get()
    csv_text = b"".join(
        client.get(reverse("members:bulk_export", args=[export.pk])).streaming_content
    ).decode()
    client.post(
        reverse("members:bulk"),
        {
            "action": "statement_invite",
            "target": statement.pk,
            "ids": [organisation.pk],
            "key": str(uuid.uuid4()),
        },
    )
    invite = BulkAction.objects.get(action="statement_invite")
    counts = (invite.selected_count, invite.total, invite.changed_count, invite.outside_count)
    return csv_text, counts


@pytest.mark.parametrize("state", ["signed counted only", "signed listed"])
def test_a_coordinators_bulk_export_and_invitation_do_not_tell_a_counted_only_signature(
    client_for, uganda_coordinator, at_risk, state
):
    statement = StatementFactory(status=Statement.Status.OPEN, coordinators_may_circulate=True)
    client = client_for(uganda_coordinator)
    unsigned = _what_the_coordinator_sees(client, statement, at_risk)
    statement.signon_requests.all().delete()

    sign_as(statement, at_risk, state)
    signed = _what_the_coordinator_sees(client, statement, at_risk)

    assert signed == unsigned
    assert at_risk.name in signed[0]
    assert "Shirin" not in signed[0] and "signed" not in signed[0].lower()
