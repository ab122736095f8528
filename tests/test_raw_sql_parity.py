"""Each raw SQL statement the project keeps (where the ORM cannot say it in one round
trip) has an ORM path for other databases. On PostgreSQL these tests run both paths on
the same rows and hold their results equal."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import (
    Email,
    claim_in_one_statement,
    claim_portably,
    insert_new_portably,
    insert_new_returning_ids,
)
from campaigns.models import Invitation
from campaigns.services import insert_invitations_in_one_statement, insert_invitations_portably
from members.models import Organisation
from statements.models import PublicSubmission
from statements.submission_outcomes import (
    OUTCOME_FIELDS,
    save_outcomes_in_one_statement,
    save_outcomes_portably,
)
from tests.factories import (
    ContactFactory,
    ConveningFactory,
    InvitationFactory,
    OrganisationFactory,
    SignatureFactory,
    StatementFactory,
)
from tests.fixtures.services import require_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_postgres():
    if connection.vendor != "postgresql":
        require_services("PostgreSQL (DATABASE_URL)")


def emails(prefix: str) -> list[Email]:
    shared = {"statement": "Davos", "quote": 'l\'égalité "now"'}
    return [
        Email(
            key=f"{prefix}{number}",
            to_email=f"person{number}@example.org",
            to_name=f"Person, {number}",
            template="signature_confirmation",
            language="fr" if number % 2 else "en",
            context=shared,
            attachments=[{"filename": "a.ics", "content": "BEGIN", "mimetype": "text/calendar"}]
            if number == 3
            else [],
            personal={"link": f"https://example.org/{number}"} if number % 3 else {},
        )
        for number in range(7)
    ]


def rows(prefix: str) -> list[dict]:
    """The rows written for keys starting with `prefix`, without what differs by nature."""
    return [
        {**row, "key": row["key"].removeprefix(prefix)}
        for row in OutgoingMessage.objects.filter(key__startswith=prefix)
        .order_by("key")
        .values(
            "key",
            "to_email",
            "to_name",
            "language",
            "template",
            "context",
            "personal",
            "attachments",
            "status",
            "attempts",
            "last_error",
            "queued_at",
            "claimed_at",
            "next_attempt_at",
            "sent_at",
        )
    ]


def test_both_inserts_write_the_same_rows_and_return_only_those_they_created():
    now = timezone.now()
    # One key of each batch is already written: neither path writes or returns it.
    insert_new_portably(emails("orm-")[:1], now)
    insert_new_returning_ids(emails("sql-")[:1], now)

    by_orm = insert_new_portably(emails("orm-"), now)
    by_sql = insert_new_returning_ids(emails("sql-"), now)

    assert len(by_orm) == len(by_sql) == 6
    assert by_orm == sorted(by_orm) and by_sql == sorted(by_sql)
    assert set(OutgoingMessage.objects.filter(id__in=by_sql).values_list("key", flat=True)) == {
        f"sql-{number}" for number in range(1, 7)
    }
    assert rows("orm-") == rows("sql-")
    # The ORM stamps created_at itself (auto_now_add), a moment after `now`.
    for written in OutgoingMessage.objects.values_list("created_at", flat=True):
        assert now <= written < now + dt.timedelta(seconds=30)


def test_both_claims_take_the_same_messages_and_change_the_same_columns():
    now = timezone.now()
    orm_ids = insert_new_portably(emails("orm-"), now - dt.timedelta(minutes=1))
    sql_ids = insert_new_returning_ids(emails("sql-"), now - dt.timedelta(minutes=1))
    for ids in (orm_ids, sql_ids):
        # Already taken, and waiting for its retry: neither path claims them.
        OutgoingMessage.objects.filter(id=ids[1]).update(status=OutgoingMessage.Status.SENDING)
        OutgoingMessage.objects.filter(id=ids[2]).update(
            next_attempt_at=now + dt.timedelta(minutes=5)
        )

    by_orm = claim_portably(orm_ids, now)
    by_sql = claim_in_one_statement(sql_ids, now)

    assert len(by_orm) == len(by_sql) == 5

    def comparable(claimed, prefix):
        return [
            (
                message.key.removeprefix(prefix),
                message.to_email,
                message.to_name,
                message.language,
                message.template,
                message.personal,
                message.attempts,
                # Both JSON texts parse to what was queued (their spacing may differ).
                json.loads(message.context_json),
                json.loads(message.attachments_json),
            )
            for message in sorted(claimed, key=lambda message: message.id)
        ]

    assert comparable(by_orm, "orm-") == comparable(by_sql, "sql-")
    assert rows("orm-") == rows("sql-")
    assert claim_portably(orm_ids, now) == claim_in_one_statement(sql_ids, now) == []


def submissions(statement, prefix: str) -> list[PublicSubmission]:
    return [
        PublicSubmission.objects.create(
            statement=statement,
            organisation_name=f"{prefix} organisation {number}",
            country="UG",
            kind="ngo",
            signatory_name="Signatory",
            email=f"{prefix}{number}@example.org",
        )
        for number in range(4)
    ]


def outcomes(batch: list[PublicSubmission]) -> list[tuple]:
    fields = list(OUTCOME_FIELDS)
    return [
        tuple(values)
        for values in PublicSubmission.objects.filter(pk__in=[row.pk for row in batch])
        .order_by("email")
        .values_list(*fields)
    ]


def test_both_outcome_writes_leave_the_same_rows():
    statement = StatementFactory()
    signature = SignatureFactory(statement=statement)
    processed_at = timezone.now()
    batches = {prefix: submissions(statement, prefix) for prefix in ("a", "b")}
    for batch in batches.values():
        done, failed, suspicious, untouched = batch
        done.status, done.signature, done.processed_at = "processed", signature, processed_at
        failed.status, failed.error, failed.processed_at = "failed", "a bug, 'quoted'", processed_at
        suspicious.suspicion, suspicious.ip_digest = "more than 20 from one address", "ab12"
        suspicious.status, suspicious.processed_at = "processed", processed_at
        untouched.processed_at = processed_at

    save_outcomes_portably(batches["a"])
    save_outcomes_in_one_statement(batches["b"])

    assert outcomes(batches["a"]) == outcomes(batches["b"])
    assert outcomes(batches["b"])[0] == (
        "processed",
        signature.pk,
        "",
        processed_at,
        "",
        "",
    )


def invited(convening) -> list[tuple]:
    return sorted(
        (
            invitation.organisation_id,
            invitation.answer,
            invitation.delegates,
            bool(invitation.token),
            tuple(sorted(invitation.contacts.values_list("pk", flat=True))),
        )
        for invitation in Invitation.objects.filter(convening=convening)
    )


def test_both_invitation_inserts_write_the_same_invitations_and_contacts():
    organisations = [OrganisationFactory() for _ in range(4)]
    for organisation in organisations[:3]:
        ContactFactory(organisation=organisation)
    # Not invited through either path: an erased contact and one with no address.
    ContactFactory(organisation=organisations[0], erased_at=timezone.now())
    ContactFactory(organisation=organisations[1], email="")
    by_orm, by_sql = ConveningFactory(), ConveningFactory()
    # An earlier invitation of another organisation: left as it is by both.
    for convening in (by_orm, by_sql):
        InvitationFactory(convening=convening, organisation=organisations[3])
    chosen = Organisation.objects.filter(pk__in=[o.pk for o in organisations[:3]])

    orm_ids = insert_invitations_portably(by_orm, chosen)
    sql_ids = insert_invitations_in_one_statement(by_sql, chosen)

    assert len(orm_ids) == len(sql_ids) == 3
    assert set(sql_ids) == set(
        Invitation.objects.filter(convening=by_sql, organisation__in=chosen).values_list(
            "pk", flat=True
        )
    )
    assert len(invited(by_orm)) == 4
    assert invited(by_orm) == invited(by_sql)
