"""The processor of public submissions: each submission becomes one signature (or finds
its organisation's), once, whatever the concurrency, double clicks, second runs or
killed workers; unconfirmed public signatures expire."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from alliance.core.audit.models import AuditEntry
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from members.models import Organisation
from statements import services, tasks
from statements.models import PublicSubmission, Signature, Statement
from statements.services import Signatory, public_signing
from tests.factories import ContactFactory, SignatureFactory, StatementFactory
from tests.fixtures.faults import (
    database_refuses,
    run_in_a_process_of_its_own,
    table_locked_by_another_session,
    wait_until_a_session_waits_for_a_lock_on,
)

needs_postgres = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="concurrency needs Postgres (SQLite serialises writers)",
)


@pytest.fixture
def open_to_anyone(open_statement):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save()
    return open_statement


def submit(statement, *, name="Lagos Tax Justice Network", country="NG", email=None, **extra):
    return services.sign_publicly(
        statement=statement,
        organisation_name=name,
        country=country,
        kind=extra.pop("kind", "network"),
        signatory=Signatory(
            name=extra.pop("signatory_name", "Chioma Eze"),
            email=email or "chioma@lagostax.example",
            title="Coordinator",
        ),
        language=extra.pop("language", "en"),
        **extra,
    )


def test_a_submission_becomes_an_organisation_and_a_signature_waiting_for_confirmation(
    open_to_anyone,
):
    submission = submit(open_to_anyone, language="fr")
    assert services.process_public_submissions() == 1
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING_VERIFICATION
    assert signature.source == Signature.Source.WEB
    assert signature.version == open_to_anyone.current_version()
    assert (signature.organisation.name, signature.organisation.country.code) == (
        "Lagos Tax Justice Network",
        "NG",
    )
    submission.refresh_from_db()
    assert submission.status == PublicSubmission.Status.PROCESSED
    assert submission.signature == signature
    assert AuditEntry.objects.filter(action="signature.submitted").count() == 1
    message = OutgoingMessage.objects.get(template="statement_signature_confirmation")
    assert (message.to_email, message.language) == ("chioma@lagostax.example", "fr")
    email = render(message)
    assert f"/statements/confirm/{signature.token}/" in email.body
    assert "La société civile intensifie la lutte contre les inégalités" in email.body


def test_a_name_matching_an_existing_organisation_is_linked_not_duplicated(
    open_to_anyone, uganda_member
):
    submit(open_to_anyone, name=" kapchorwa WOMEN farmers cooperative ", country="UG")
    services.process_public_submissions()
    assert Signature.objects.get().organisation == uganda_member
    assert Organisation.objects.filter(name__iexact=uganda_member.name).count() == 1


def test_the_same_name_in_another_country_is_another_organisation(open_to_anyone, uganda_member):
    submit(open_to_anyone, name=uganda_member.name, country="KE")
    services.process_public_submissions()
    assert Signature.objects.get().organisation != uganda_member


def test_when_the_organisation_signed_already_one_email_tells_its_own_address(
    open_to_anyone, uganda_member
):
    # Only an address of the organisation's own hears that it signed: the email reaches
    # nobody else. (Strangers: tests/statements/test_signers_at_risk.py.)
    ContactFactory(organisation=uganda_member, email="chioma@example.org")
    SignatureFactory(
        statement=open_to_anyone, organisation=uganda_member, signatory_name="Secret Signer"
    )
    for email in ("Chioma@example.org", "chioma@EXAMPLE.org"):
        submit(open_to_anyone, name=uganda_member.name, country="UG", email=email)
    assert services.process_public_submissions() == 2
    assert Signature.objects.count() == 1
    message = OutgoingMessage.objects.get(template="statement_already_signed")
    body = render(message).body
    assert "had already signed" in body
    assert "Secret Signer" not in body
    assert not OutgoingMessage.objects.filter(template="statement_signature_confirmation")


def test_a_double_click_makes_one_signature_and_one_confirmation_email(open_to_anyone):
    first, second = submit(open_to_anyone), submit(open_to_anyone)
    services.process_public_submissions()
    signature = Signature.objects.get()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.signature == second.signature == signature
    assert OutgoingMessage.objects.filter(template="statement_signature_confirmation").count() == 1
    assert not OutgoingMessage.objects.filter(template="statement_already_signed").exists()


@pytest.mark.parametrize("batch_size", [1, 100], ids=["batch-of-one", "one-batch"])
def test_two_submissions_naming_one_new_organisation_create_it_once(open_to_anyone, batch_size):
    submit(open_to_anyone, name="Nairobi Budget Forum", country="KE", email="a@nbf.example")
    submit(open_to_anyone, name="NAIROBI budget forum", country="KE", email="b@nbf.example")
    services.process_public_submissions(batch_size=batch_size)
    assert Organisation.objects.filter(name__iexact="nairobi budget forum").count() == 1
    # The first names it and is its own; the second is not known as one of its people.
    signatures = dict(Signature.objects.values_list("email", "needs_approval"))
    assert signatures == {"a@nbf.example": False, "b@nbf.example": True}


def test_processing_twice_makes_nothing_twice(open_to_anyone):
    submit(open_to_anyone)
    assert services.process_public_submissions() == 1
    assert services.process_public_submissions() == 0
    assert Signature.objects.count() == 1
    assert OutgoingMessage.objects.count() == 1


def test_the_beat_sweep_processes_what_no_wake_up_did(open_to_anyone):
    submit(open_to_anyone)
    assert tasks.process_public_submissions() == 1
    assert Signature.objects.count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_a_batch_leaves_the_whole_batch_for_the_next_run(monkeypatch):
    # Committed rows would wake an in-process processor: the one killed below runs alone.
    monkeypatch.setattr(public_signing, "enqueue", lambda *args, **kwargs: None)
    statement = StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)
    for n in range(3):
        submit(statement, name=f"Org {n}", email=f"p{n}@example.org")
    # A processor of its own process is held back by another session's lock on the audit
    # trail, the batch's last write before its commit: every organisation and signature of
    # the batch is made, and the submissions marked processed, when it is killed.
    with table_locked_by_another_session(AuditEntry):
        processor = run_in_a_process_of_its_own(
            "from statements import services; services.process_public_submissions()"
        )
        try:
            wait_until_a_session_waits_for_a_lock_on(AuditEntry, timeout=60)
        finally:
            processor.kill()
    processor.wait_until_its_sessions_end()
    assert not Signature.objects.exists()
    assert not Organisation.objects.filter(name__startswith="Org ").exists()
    assert PublicSubmission.objects.filter(status="received").count() == 3
    assert services.process_public_submissions() == 3
    assert Signature.objects.count() == 3
    assert OutgoingMessage.objects.count() == 3


def test_a_row_that_fails_is_marked_and_does_not_block_the_others(open_to_anyone):
    submit(open_to_anyone, name="Broken Org", email="a@example.org")
    submit(open_to_anyone, name="Good Org", email="b@example.org")
    with database_refuses(
        Organisation, when="NEW.name = 'Broken Org'", message="a bug met by this row only"
    ):
        assert services.process_public_submissions() == 2
    statuses = dict(PublicSubmission.objects.values_list("organisation_name", "status"))
    assert statuses == {"Broken Org": "failed", "Good Org": "processed"}
    assert "a bug met by this row only" in PublicSubmission.objects.get(status="failed").error
    assert Signature.objects.get().organisation.name == "Good Org"


def test_a_row_that_fails_after_creating_its_organisation_leaves_it_for_the_next_row(
    open_to_anyone,
):
    # The first row's organisation is rolled back with its savepoint: the second row,
    # naming the same organisation in the same batch, creates it again rather than
    # pointing at a row that no longer exists (which would fail the whole batch). The
    # database refuses the first row's signature, which is written after its organisation.
    submit(open_to_anyone, name="Mombasa Budget Hub", country="KE", email="first@budget.example")
    submit(open_to_anyone, name="Mombasa Budget Hub", country="KE", email="second@budget.example")
    with database_refuses(
        Signature, when="NEW.email = 'first@budget.example'", message="a bug met by this row only"
    ):
        assert services.process_public_submissions() == 2
    statuses = dict(PublicSubmission.objects.values_list("email", "status"))
    assert statuses == {"first@budget.example": "failed", "second@budget.example": "processed"}
    assert "a bug met by this row only" in PublicSubmission.objects.get(status="failed").error
    signature = Signature.objects.get()
    assert signature.email == "second@budget.example"
    assert Organisation.objects.get(name="Mombasa Budget Hub") == signature.organisation
    assert AuditEntry.objects.filter(action="signature.submitted").count() == 1


def test_new_organisations_get_slugs_no_other_has_in_the_database_or_the_batch(
    open_to_anyone, uganda_member
):
    submit(open_to_anyone, name="Tax Justice, Kenya", country="KE", email="a@tjk.example")
    submit(open_to_anyone, name="Tax Justice Kenya", country="KE", email="b@tjk.example")
    submit(open_to_anyone, name=uganda_member.name, country="KE", email="c@tjk.example")
    submit(open_to_anyone, name="New", country="KE", email="d@new.example")  # a reserved path
    assert services.process_public_submissions() == 4
    assert PublicSubmission.objects.filter(status="processed").count() == 4
    slugs = dict(Organisation.objects.filter(country="KE").values_list("name", "slug"))
    assert slugs == {
        "Tax Justice, Kenya": "tax-justice-kenya",
        "Tax Justice Kenya": "tax-justice-kenya-2",
        uganda_member.name: f"{uganda_member.slug}-2",
        "New": "new-2",
    }


def test_a_batch_writes_one_audit_entry_per_new_signature(open_to_anyone, uganda_member):
    SignatureFactory(statement=open_to_anyone, organisation=uganda_member)
    for n in range(3):
        submit(open_to_anyone, name=f"Org {n}", email=f"p{n}@example.org")
    submit(open_to_anyone, name=uganda_member.name, country="UG", email="late@example.org")
    assert services.process_public_submissions() == 4
    entries = AuditEntry.objects.filter(action="signature.submitted")
    assert sorted(entry.actor_label for entry in entries) == [
        "Chioma Eze <late@example.org>",
        *(f"Chioma Eze <p{n}@example.org>" for n in range(3)),
    ]
    assert {int(entry.object_id) for entry in entries} == set(
        Signature.objects.filter(status="pending_verification").values_list("pk", flat=True)
    )


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_processors_at_once_create_one_new_organisation(monkeypatch):
    # Committed rows would wake an in-process processor: these two run below, at once.
    monkeypatch.setattr(public_signing, "enqueue", lambda *args, **kwargs: None)
    statement = StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)
    for n in range(2):
        submit(statement, name="Kampala Land Alliance", country="UG", email=f"p{n}@kla.example")
    barrier = threading.Barrier(2)
    processed = []

    def process():
        try:
            barrier.wait()
            processed.append(services.process_public_submissions(batch_size=1))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(processed) == 2
    assert Organisation.objects.filter(name="Kampala Land Alliance").count() == 1
    # The one who named it first is its own; the other is not known as one of its people.
    approvals = Signature.objects.filter(statement=statement).values_list(
        "needs_approval", flat=True
    )
    assert sorted(approvals) == [False, True]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_public_submissions_for_one_organisation_make_one_signature(
    monkeypatch,
):
    from django.test import Client

    # Committed rows would wake an in-process processor: two run below, at once.
    monkeypatch.setattr(public_signing, "enqueue", lambda *args, **kwargs: None)
    statement = StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)
    people = 50
    barrier = threading.Barrier(people)
    statuses: list[int] = []

    def post(n):
        try:
            barrier.wait()
            response = Client().post(
                f"/statements/{statement.slug}/sign/public/",
                {
                    "organisation_name": "Busy Office",
                    "country": "KE",
                    "kind": "network",
                    "signatory_name": f"Person {n}",
                    "email": f"p{n}@office.example",
                    "visibility": "listed",
                },
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * people
    assert PublicSubmission.objects.filter(statement=statement).count() == people

    def process():
        try:
            services.process_public_submissions(batch_size=7)
        finally:
            connections.close_all()

    processors = [threading.Thread(target=process) for _ in range(2)]
    for thread in processors:
        thread.start()
    for thread in processors:
        thread.join()
    assert Organisation.objects.filter(name="Busy Office").count() == 1
    # Each submission waits for its own address, holding no place: the one who named the
    # organisation first is its own, the 49 others are not known as its people (their
    # confirmed signatures will wait for approval). Nobody is told it had signed.
    signatures = Signature.objects.filter(statement=statement)
    assert signatures.count() == people
    assert not signatures.live().exists()
    assert sorted(signatures.values_list("needs_approval", flat=True)) == [False] + [True] * 49
    submissions = PublicSubmission.objects.values_list("status", "signature")
    assert {status for status, _ in submissions} == {"processed"}
    assert len({signature for _, signature in submissions}) == people
    # One office's address: past the limit per address, no email goes (the form must not
    # flood inboxes) and the signatures wait for a moderator.
    emailed = settings.PUBLIC_SIGNING_LIMITS["ip"]
    confirmations = OutgoingMessage.objects.filter(template="statement_signature_confirmation")
    assert confirmations.count() == emailed
    assert signatures.filter(suspicious=True).count() == people - emailed
    assert not OutgoingMessage.objects.filter(template="statement_already_signed").exists()


# --- Expiry -----------------------------------------------------------------------------


def public_signature(statement, organisation, *, age_hours, **fields):
    signature = SignatureFactory(
        statement=statement,
        organisation=organisation,
        status=fields.pop("status", Signature.Status.PENDING_VERIFICATION),
        source=fields.pop("source", Signature.Source.WEB),
        **fields,
    )
    Signature.objects.filter(pk=signature.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=age_hours)
    )
    return signature


def test_an_unconfirmed_public_signature_expires_after_the_setting_and_is_audited(
    open_to_anyone, uganda_member, settings
):
    settings.PUBLIC_SIGNATURE_CONFIRMATION_HOURS = 24
    stale = public_signature(open_to_anyone, uganda_member, age_hours=25)
    assert services.expire_unconfirmed_signatures() == 1
    stale.refresh_from_db()
    assert stale.status == Signature.Status.EXPIRED
    assert not Signature.objects.live().filter(pk=stale.pk).exists()
    entry = AuditEntry.objects.get(action="signature.expired")
    assert entry.object_id == str(stale.pk)
    assert "24 hours" in entry.note


def test_expiry_leaves_recent_confirmed_and_member_signatures_and_runs_twice_safely(
    open_to_anyone, uganda_member, brazil_member, settings
):
    from tests.factories import OrganisationFactory

    recent = public_signature(open_to_anyone, uganda_member, age_hours=47)
    confirmed = public_signature(
        open_to_anyone, brazil_member, age_hours=100, status=Signature.Status.CONFIRMED
    )
    member = public_signature(
        open_to_anyone, OrganisationFactory(), age_hours=100, source=Signature.Source.MEMBER
    )
    assert tasks.expire_unconfirmed_signatures() == 0
    assert tasks.expire_unconfirmed_signatures() == 0
    for signature in (recent, confirmed, member):
        signature.refresh_from_db()
        assert signature.status != Signature.Status.EXPIRED


def test_after_expiry_the_organisation_may_sign_again_and_the_old_link_does_nothing(
    client, open_to_anyone, uganda_member
):
    stale = public_signature(open_to_anyone, uganda_member, age_hours=49)
    services.expire_unconfirmed_signatures()
    submit(open_to_anyone, name=uganda_member.name, country="UG")
    services.process_public_submissions()
    fresh = Signature.objects.get(
        statement=open_to_anyone, organisation=uganda_member, status="pending_verification"
    )
    assert fresh != stale
    client.post(f"/statements/confirm/{stale.token}/")
    stale.refresh_from_db()
    assert stale.status == Signature.Status.EXPIRED


# --- With a real worker -----------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_woken_after_commit_makes_the_signature_and_sends_the_link(
    client, smtp_server
):
    services.wake_processor_on_next_submission()  # another test's second is over
    smtp_server.clear()
    statement = StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)
    response = client.post(
        f"/statements/{statement.slug}/sign/public/",
        {
            "organisation_name": "Harare Residents Trust",
            "country": "ZW",
            "kind": "grassroots",
            "signatory_name": "Tendai Moyo",
            "email": "tendai@hrt.example",
            "visibility": "listed",
        },
    )
    assert response.status_code == 303
    (message,) = smtp_server.wait_for(1, timeout=30)
    signature = Signature.objects.get(statement=statement)
    assert message.recipients == ["tendai@hrt.example"]
    assert f"/statements/confirm/{signature.token}/" in message.body
    assert PublicSubmission.objects.get().status == PublicSubmission.Status.PROCESSED
