"""The signature count is recounted by a periodic task, apart from signing, and the
public page reads the stored figure."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from statements import services, tasks
from statements.counting import recount_signatures, signature_count
from statements.models import Signature, Statement
from statements.services import Signatory
from tests.factories import OrganisationFactory, SignatureFactory


def stored_count(statement: Statement) -> tuple[int | None, int | None]:
    statement.refresh_from_db()
    return statement.counted_signatures, statement.counted_unlisted


def signatory(email="ana@example.org", listed=True) -> Signatory:
    return Signatory(name="Ana", title="Director", email=email, listed_publicly=listed)


@pytest.fixture
def moderated(open_statement):
    open_statement.moderation = True
    open_statement.save(update_fields=["moderation"])
    return open_statement


def test_signing_does_not_touch_the_statement_row(open_statement, uganda_member):
    recount_signatures()
    before = Statement.objects.values_list("updated_at", "counted_signatures").get(
        pk=open_statement.pk
    )
    services.sign(statement=open_statement, organisation=uganda_member, signatory=signatory())
    after = Statement.objects.values_list("updated_at", "counted_signatures").get(
        pk=open_statement.pk
    )
    assert after == before == (before[0], 0)


def test_the_task_counts_a_new_signature(open_statement, uganda_member):
    tasks.count_signatures()
    services.sign(statement=open_statement, organisation=uganda_member, signatory=signatory())
    assert stored_count(open_statement) == (0, 0)
    assert tasks.count_signatures() == 1
    assert stored_count(open_statement) == (1, 0)


def test_unlisted_signatures_are_counted_apart(open_statement, uganda_member, brazil_member):
    services.sign(statement=open_statement, organisation=uganda_member, signatory=signatory())
    services.sign(
        statement=open_statement,
        organisation=brazil_member,
        signatory=signatory("b@example.org", listed=False),
    )
    recount_signatures()
    assert stored_count(open_statement) == (2, 1)


def test_a_withdrawn_signature_no_longer_counts(open_statement, uganda_member, brazil_member):
    kept = SignatureFactory(statement=open_statement, organisation=uganda_member)
    withdrawn = SignatureFactory(statement=open_statement, organisation=brazil_member)
    recount_signatures()
    assert stored_count(open_statement) == (2, 0)
    services.withdraw(signature=withdrawn, actor_label="test")
    recount_signatures()
    assert stored_count(open_statement) == (1, 0)
    assert kept.pk in Signature.objects.counted().values_list("pk", flat=True)


def test_a_rejected_signature_never_counts(moderated, convenor, uganda_member, brazil_member):
    waiting = SignatureFactory(
        statement=moderated, organisation=uganda_member, status="pending_moderation"
    )
    approved = SignatureFactory(
        statement=moderated, organisation=brazil_member, status="pending_moderation"
    )
    recount_signatures()
    assert stored_count(moderated) == (0, 0)
    services.moderate(signature=waiting, approve=False, moderator=convenor, reason="Not a CSO")
    services.moderate(signature=approved, approve=True, moderator=convenor)
    recount_signatures()
    assert stored_count(moderated) == (1, 0)


def test_signatures_waiting_for_their_email_do_not_count(open_statement):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save(update_fields=["audience"])
    services.sign_publicly(
        statement=open_statement,
        organisation_name="Unverified Collective",
        country="KE",
        kind="grassroots",
        signatory=signatory("new@example.org"),
        language="en",
    )
    recount_signatures()
    assert stored_count(open_statement) == (0, 0)


def test_counting_twice_writes_nothing_the_second_time(open_statement, uganda_member):
    SignatureFactory(statement=open_statement, organisation=uganda_member)
    assert recount_signatures() == 1
    assert recount_signatures() == 0
    assert stored_count(open_statement) == (1, 0)


def test_drafts_are_not_counted(draft, uganda_member):
    SignatureFactory(statement=draft, organisation=uganda_member)
    recount_signatures()
    assert stored_count(draft) == (None, None)


def test_a_statement_not_yet_counted_is_counted_on_the_spot(open_statement, uganda_member):
    SignatureFactory(statement=open_statement, organisation=uganda_member)
    SignatureFactory(
        statement=open_statement, organisation=OrganisationFactory(), listed_publicly=False
    )
    count = signature_count(open_statement)
    assert (count.total, count.unlisted) == (2, 1)


def test_the_public_page_shows_the_stored_count_until_the_next_recount(
    client, open_statement, uganda_member, brazil_member
):
    services.publish(statement=open_statement)
    SignatureFactory(statement=open_statement, organisation=uganda_member)
    recount_signatures()
    SignatureFactory(statement=open_statement, organisation=brazil_member)

    def shown_total(statement):
        # A convenor's page is never cached: what it shows is what is stored.
        return client.get(statement.get_absolute_url()).context["total"]

    client.force_login(open_statement.created_by)
    assert shown_total(open_statement) == 1
    recount_signatures()
    assert shown_total(open_statement) == 2


def test_the_list_of_statements_reads_the_stored_counts_without_counting(
    client, open_statement, uganda_member, brazil_member
):
    services.publish(statement=open_statement)
    SignatureFactory(statement=open_statement, organisation=uganda_member)
    recount_signatures()
    SignatureFactory(statement=open_statement, organisation=brazil_member)

    def listed_count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/statements/")
        (shown,) = [s for _label, items in response.context["sections"] for s in items]
        assert not any("statements_signature" in q["sql"] for q in captured.captured_queries)
        return shown.signature_count

    assert listed_count() == 1  # the stored figure, until the next recount
    recount_signatures()
    assert listed_count() == 2
