"""Personal data kept no longer than the policy says, with the clock moved: public
signers' addresses after their statement ended, what unconfirmed signers left, the text
and recipients of sent emails; the signatures stay counted and listed, audit entries
stay, and running the policy twice erases nothing more."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance.core.audit.models import AuditEntry
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, queue_email
from alliance.tasks import apply_retention_policy
from statements.models import PublicSubmission, Signature, Statement
from statements.offline import record_offline_signature
from statements.services import Signatory
from tests.factories import OrganisationFactory, SignatureFactory, StatementFactory

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def published(days_ago: int) -> Statement:
    return StatementFactory(
        status=Statement.Status.PUBLISHED, published_at=timezone.now() - days_ago * DAY
    )


def public_signature(statement, **fields) -> Signature:
    return SignatureFactory(
        statement=statement,
        source=Signature.Source.WEB,
        email=f"person-{Signature.objects.count()}@public.example",
        **fields,
    )


def test_public_signers_addresses_go_six_months_after_publication_and_the_signature_stays(
    client,
):
    statement = published(days_ago=7 * 30)
    listed = public_signature(statement, organisation=OrganisationFactory(name="Red Ciudadana"))
    counted_only = public_signature(statement, listed_publicly=False)
    member = SignatureFactory(statement=statement, email="member@org.example")

    erased = apply_retention_policy()

    assert erased["public signers' addresses"] == 2
    listed.refresh_from_db()
    counted_only.refresh_from_db()
    member.refresh_from_db()
    assert listed.email == counted_only.email == ""
    assert member.email == "member@org.example"  # the organisation's own contact
    assert listed.status == counted_only.status == Signature.Status.CONFIRMED
    assert Signature.objects.filter(statement=statement).counted().count() == 3
    page = client.get(f"/statements/{statement.slug}/").content.decode()
    assert "Red Ciudadana" in page
    entry = AuditEntry.objects.get(action="retention: public signers' addresses erased")
    assert entry.object_id == str(statement.pk) and entry.note == "2 signatures"


def test_a_statement_published_five_months_ago_keeps_them_until_the_clock_moves():
    statement = published(days_ago=5 * 30)
    signature = public_signature(statement)
    assert apply_retention_policy()["public signers' addresses"] == 0
    Statement.objects.filter(pk=statement.pk).update(
        published_at=timezone.now() - 6 * 30 * DAY - DAY
    )
    assert apply_retention_policy()["public signers' addresses"] == 1
    signature.refresh_from_db()
    assert signature.email == ""


def test_an_open_statement_keeps_its_signers_addresses(db):
    statement = StatementFactory(
        signon_opens_at=timezone.now() - 500 * DAY, signon_closes_at=timezone.now() - 400 * DAY
    )
    signature = public_signature(statement)
    assert apply_retention_policy()["public signers' addresses"] == 0
    signature.refresh_from_db()
    assert signature.email


def test_running_the_policy_twice_erases_and_audits_nothing_more():
    public_signature(published(days_ago=300))
    apply_retention_policy()
    entries = AuditEntry.objects.count()
    again = apply_retention_policy()
    assert set(again.values()) == {0}
    assert AuditEntry.objects.count() == entries


def test_unconfirmed_signers_leave_nothing_once_the_window_has_passed(settings):
    settings.PUBLIC_SIGNATURE_CONFIRMATION_HOURS = 48
    statement = StatementFactory()
    old = public_signature(statement, status=Signature.Status.EXPIRED)
    fresh = public_signature(statement, status=Signature.Status.EXPIRED)
    Signature.objects.filter(pk=old.pk).update(updated_at=timezone.now() - 3 * DAY)
    submissions = {
        status: PublicSubmission.objects.create(
            statement=statement,
            organisation_name="Collectif",
            country="SN",
            kind="grassroots",
            signatory_name="Awa Diop",
            email="awa@collectif.example",
            ip_digest="0123456789abcdef",
            status=status,
            created_at=timezone.now() - 3 * DAY,
        )
        for status in PublicSubmission.Status.values
    }

    assert apply_retention_policy()["unconfirmed public signatures"] == 1

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.email, old.signatory_name) == ("", "")
    assert fresh.email and fresh.signatory_name
    remaining = set(PublicSubmission.objects.values_list("status", flat=True))
    assert remaining == {PublicSubmission.Status.RECEIVED}  # still to be processed
    assert submissions[PublicSubmission.Status.RECEIVED].pk


def test_sent_emails_keep_their_key_but_not_their_text_after_thirty_days(settings):
    settings.RETENTION_OUTBOX_BODY_DAYS = 30
    for key in ("old", "recent", "waiting"):
        queue_email(
            Email(
                key=f"retention:{key}",
                to_email=f"{key}@example.org",
                to_name="Someone",
                template="notice",
                context={"subject": "Private matters"},
            )
        )
    OutgoingMessage.objects.filter(key="retention:old").update(
        status=OutgoingMessage.Status.SENT, sent_at=timezone.now() - 31 * DAY
    )
    OutgoingMessage.objects.filter(key="retention:recent").update(
        status=OutgoingMessage.Status.SENT, sent_at=timezone.now() - 29 * DAY
    )
    OutgoingMessage.objects.filter(key="retention:waiting").update(
        created_at=timezone.now() - 31 * DAY
    )

    assert apply_retention_policy()["sent email bodies"] == 1

    old = OutgoingMessage.objects.get(key="retention:old")
    assert (old.to_email, old.to_name, old.context) == ("", "", {})
    assert old.status == OutgoingMessage.Status.SENT
    recent = OutgoingMessage.objects.get(key="retention:recent")
    assert recent.context == {"subject": "Private matters"}
    waiting = OutgoingMessage.objects.get(key="retention:waiting")
    assert waiting.to_email == "waiting@example.org"
    # The key stays: the same email is never queued again.
    queue_email(Email(key="retention:old", to_email="old@example.org", template="notice"))
    assert OutgoingMessage.objects.filter(key="retention:old").count() == 1
    assert OutgoingMessage.objects.get(key="retention:old").to_email == ""


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Your data"), ("fr", "Vos données"), ("es", "Tus datos"), ("pt", "Os seus dados")],
)
def test_the_public_data_protection_page_gives_the_policys_durations(
    client, settings, language, heading
):
    settings.RETENTION_PUBLIC_SIGNER_MONTHS = 9
    settings.DATA_PROTECTION_CONTACT = "privacy@alliance.example"
    response = client.get("/privacy/", headers={"Accept-Language": language})
    page = response.content.decode()
    assert response.status_code == 200
    assert f">{heading}</h1>" in page
    assert " 9 " in page and "48" in page and "30" in page
    assert 'href="mailto:privacy@alliance.example"' in page


def test_every_page_links_to_the_data_protection_page(client):
    assert 'href="/privacy/"' in client.get("/").content.decode()


def test_scans_of_pages_signed_on_paper_go_with_the_addresses_and_the_receipt_stays(
    client_for, convenor, uganda_member, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    open_statement = StatementFactory(
        status=Statement.Status.OPEN, audience=Statement.Audience.MEMBERS
    )
    signature = record_offline_signature(
        statement=open_statement,
        organisation=uganda_member,
        signatory=Signatory(name="Sarah Chebet", email="", title="Chairperson"),
        channel="letter",
        scan=SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf"),
        recorded_by=convenor,
    )
    receipt = signature.offline_receipt
    stored = tmp_path / receipt.scan.name
    assert stored.read_bytes() == PDF
    Statement.objects.filter(pk=open_statement.pk).update(
        status=Statement.Status.PUBLISHED, published_at=timezone.now() - 5 * 30 * DAY
    )

    assert apply_retention_policy()["scans of signatures received offline"] == 0
    assert stored.exists()

    Statement.objects.filter(pk=open_statement.pk).update(
        published_at=timezone.now() - 6 * 30 * DAY - DAY
    )
    assert apply_retention_policy()["scans of signatures received offline"] == 1

    assert not stored.exists()
    receipt.refresh_from_db()
    assert not receipt.scan
    assert receipt.channel == "letter" and receipt.recorded_by == convenor
    assert Signature.objects.filter(statement=open_statement).counted().count() == 1
    # Asking for it now answers as for a scan that never existed.
    assert client_for(convenor).get(f"/statements/offline-scans/{receipt.pk}/").status_code == 404
    entry = AuditEntry.objects.get(action="retention: scans of signatures received offline erased")
    assert entry.object_id == str(open_statement.pk) and entry.note == "1 signatures"
    assert apply_retention_policy()["scans of signatures received offline"] == 0
