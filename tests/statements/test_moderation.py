"""Signatures of a statement under moderation wait for a convenor, who approves or
rejects them; both are audited and visible on the tracking board."""

import pytest
from django.core.exceptions import ValidationError

from alliance.core.audit.models import AuditEntry
from statements import services
from statements.models import Signature, SignOnRequest
from tests.factories import SignatureFactory, SignOnRequestFactory
from tests.fixtures.personas import CONVENORS


@pytest.fixture
def pending(open_statement, uganda_member):
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member, answer="signed")
    return SignatureFactory(
        statement=open_statement,
        organisation=uganda_member,
        signatory_name="Pending Person",
        status=Signature.Status.PENDING_MODERATION,
    )


def test_approving_confirms_and_counts_the_signature(convenor, pending):
    services.moderate(signature=pending, approve=True, moderator=convenor)
    pending.refresh_from_db()
    assert pending.status == Signature.Status.CONFIRMED
    assert AuditEntry.objects.get(action="signature.approved").actor == convenor


def test_rejecting_needs_a_reason_and_puts_the_organisation_back_to_no_reply(convenor, pending):
    with pytest.raises(ValidationError):
        services.moderate(signature=pending, approve=False, moderator=convenor)
    services.moderate(signature=pending, approve=False, moderator=convenor, reason="Not them")
    pending.refresh_from_db()
    assert pending.status == Signature.Status.REJECTED
    assert SignOnRequest.objects.get().answer == SignOnRequest.Answer.NO_REPLY
    assert AuditEntry.objects.get(action="signature.rejected").note == "Not them"


def test_a_signature_is_moderated_once(convenor, pending):
    services.moderate(signature=pending, approve=True, moderator=convenor)
    with pytest.raises(ValidationError):
        services.moderate(signature=pending, approve=False, moderator=convenor, reason="late")


def test_the_tracking_board_lists_signatures_waiting_for_moderation(client, convenor, pending):
    client.force_login(convenor)
    html = client.get(f"/statements/{pending.statement.slug}/tracking/").content.decode()
    section = html.split('id="moderation"')[1]
    assert "Pending Person" in section


def test_a_pending_signature_is_not_counted_on_the_public_page(client, pending):
    statement = pending.statement
    services.publish(statement=statement)
    html = client.get(f"/statements/{statement.slug}/").content.decode()
    assert '<span class="stat__number">0</span>' in html
    assert pending.organisation.name not in html


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", 302),
        ("superuser_convenor", 302),
        ("uganda_coordinator", 403),
        ("brazil_coordinator", 403),
        ("representative", 403),
        ("outsider", 403),
        ("anonymous", 302),  # to the login page
    ],
)
def test_only_convenors_moderate(client_for, personas, pending, persona, expected):
    response = client_for(personas[persona]).post(
        f"/statements/signatures/{pending.pk}/moderate/", {"decision": "approve"}
    )
    assert response.status_code == expected
    pending.refresh_from_db()
    assert (pending.status == Signature.Status.CONFIRMED) == (persona in CONVENORS)
