"""Signatures received offline (statements.offline): who may record them, the rules every
signature follows, the scan of the signed page and the CSV import."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils import timezone

from alliance.core.audit.models import AuditEntry
from statements import offline
from statements.models import OfflineReceipt, Signature, Statement
from statements.services import AlreadySigned, Signatory
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SignatureFactory,
    SignOnRequestFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SARAH = Signatory(name="Sarah Chebet", email="", title="Chairperson")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def members_statement(open_statement, uganda_member, brazil_member):
    """Open to member organisations: every coordinator reads it."""
    open_statement.audience = Statement.Audience.MEMBERS
    open_statement.save()
    return open_statement


def form_data(organisation, **more):
    return {
        "organisation": organisation.pk,
        "signatory_name": "Sarah Chebet",
        "signatory_title": "Chairperson",
        "email": "",
        "visibility": "listed",
        "channel": "letter",
        "note": "Signed page brought to the Mbale meeting.",
        **more,
    }


def scan_file(name="signed.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- Who may record --------------------------------------------------------------------

# What each persona gets of a statement open to members, for a Ugandan organisation:
# the record page's status, whether their recording or import records it, the import
# page's (and its template's) status, and the status of the scan of its signed page.
# The Brazilian coordinator reads the pages, but the Ugandan organisation is not theirs.
WHO_MAY = {
    "convenor": {"page": 200, "records": True, "import_page": 200, "scan": 200},
    "superuser_convenor": {"page": 200, "records": True, "import_page": 200, "scan": 200},
    "uganda_coordinator": {"page": 200, "records": True, "import_page": 200, "scan": 200},
    "brazil_coordinator": {"page": 200, "records": False, "import_page": 200, "scan": 404},
    "representative": {"page": 403, "records": False, "import_page": 403, "scan": 404},
    "outsider": {"page": 404, "records": False, "import_page": 404, "scan": 404},
    "anonymous": {"page": 302, "records": False, "import_page": 302, "scan": 302},
}


every_persona = pytest.mark.parametrize("persona", list(WHO_MAY))


@every_persona
def test_who_may_record_a_signature_received_offline(
    client_for, personas, members_statement, uganda_member, persona
):
    page_status, recorded = WHO_MAY[persona]["page"], WHO_MAY[persona]["records"]
    client = client_for(personas[persona])
    url = f"/statements/{members_statement.slug}/offline/"
    assert client.get(url).status_code == page_status
    response = client.post(url, form_data(uganda_member))
    signature = Signature.objects.filter(organisation=uganda_member).first()
    assert (signature is not None) == recorded
    if recorded:
        assert response.status_code == 302
        assert signature.source == Signature.Source.OFFLINE
        assert signature.status == Signature.Status.CONFIRMED
        assert signature.offline_receipt.channel == "letter"
        assert signature.offline_receipt.recorded_by == personas[persona]
    elif persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    elif persona == "brazil_coordinator":
        assert response.status_code == 400
    else:
        assert response.status_code == page_status


@every_persona
def test_who_may_open_the_import(client_for, personas, members_statement, persona):
    expected = WHO_MAY[persona]["import_page"]
    client = client_for(personas[persona])
    assert client.get(f"/statements/{members_statement.slug}/offline/import/").status_code == (
        expected
    )
    template = client.get(f"/statements/{members_statement.slug}/offline/template.csv")
    assert template.status_code == expected
    if expected == 200:
        assert template.content.decode().startswith("organisation,signatory,")


@every_persona
def test_who_may_import(client_for, personas, members_statement, uganda_member, persona):
    client = client_for(personas[persona])
    url = f"/statements/{members_statement.slug}/offline/import/"
    csv = f"organisation,signatory,channel\n{uganda_member.slug},Sarah Chebet,phone\n"
    response = client.post(url, {"file": SimpleUploadedFile("s.csv", csv.encode())})
    if response.status_code == 200 and response.context["checked"]:
        client.post(url, {"checked": response.context["checked"]})
    recorded = Signature.objects.filter(source="offline").count()
    assert recorded == (1 if WHO_MAY[persona]["records"] else 0)


@every_persona
def test_who_may_read_the_scan(
    client_for, personas, uganda_coordinator, members_statement, uganda_member, persona
):
    expected = WHO_MAY[persona]["scan"]
    signature = offline.record_offline_signature(
        statement=members_statement,
        organisation=uganda_member,
        signatory=SARAH,
        channel="letter",
        scan=scan_file(),
        recorded_by=uganda_coordinator,
    )
    response = client_for(personas[persona]).get(
        f"/statements/offline-scans/{signature.offline_receipt.pk}/"
    )
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment;")


def test_the_scan_is_stored_under_media_with_a_name_that_says_nothing(
    uganda_coordinator, members_statement, uganda_member, tmp_path
):
    signature = offline.record_offline_signature(
        statement=members_statement,
        organisation=uganda_member,
        signatory=SARAH,
        channel="letter",
        scan=scan_file("Kapchorwa signed page.pdf"),
        recorded_by=uganda_coordinator,
    )
    name = signature.offline_receipt.scan.name
    assert "Kapchorwa" not in name and name.endswith(".pdf")
    assert (tmp_path / name).read_bytes() == PDF


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("signed.pdf", b"<html><script>alert(1)</script></html>"),
        ("signed.exe", PDF),
        ("signed.svg", b"<svg></svg>"),
    ],
)
def test_a_scan_that_is_not_a_pdf_or_image_is_refused(
    client_for, convenor, members_statement, uganda_member, name, content
):
    response = client_for(convenor).post(
        f"/statements/{members_statement.slug}/offline/",
        form_data(uganda_member, scan=scan_file(name, content)),
    )
    assert response.status_code == 400
    assert "PDF, PNG or JPEG" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_scan_too_big_is_refused(
    client_for, convenor, members_statement, uganda_member, monkeypatch
):
    monkeypatch.setattr(offline, "MAX_SCAN_BYTES", 10)
    response = client_for(convenor).post(
        f"/statements/{members_statement.slug}/offline/", form_data(uganda_member, scan=scan_file())
    )
    assert response.status_code == 400
    assert not Signature.objects.exists()


# --- The rules of every signature ---------------------------------------------------------


def test_recording_is_audited(uganda_coordinator, members_statement, uganda_member):
    signature = offline.record_offline_signature(
        statement=members_statement,
        organisation=uganda_member,
        signatory=SARAH,
        channel="phone",
        note="Called on Monday.",
        recorded_by=uganda_coordinator,
    )
    actions = set(
        AuditEntry.objects.filter(
            object_id=str(signature.pk), actor=uganda_coordinator
        ).values_list("action", flat=True)
    )
    assert actions == {"signature.created", "signature.recorded_offline"}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            {"signon_closes_at": timezone.now() - dt.timedelta(minutes=1)}, id="deadline_passed"
        ),
        pytest.param({"status": Statement.Status.DRAFT}, id="draft"),
        pytest.param({"status": Statement.Status.PUBLISHED}, id="published"),
    ],
)
def test_nothing_is_recorded_once_the_window_is_closed(
    client_for, convenor, members_statement, uganda_member, change
):
    Statement.objects.filter(pk=members_statement.pk).update(
        **change, signon_opens_at=timezone.now() - dt.timedelta(days=2)
    )
    members_statement.refresh_from_db()
    with pytest.raises(ValidationError):
        offline.record_offline_signature(
            statement=members_statement,
            organisation=uganda_member,
            signatory=SARAH,
            channel="phone",
            recorded_by=convenor,
        )
    response = client_for(convenor).post(
        f"/statements/{members_statement.slug}/offline/", form_data(uganda_member)
    )
    assert response.status_code == 400
    assert not Signature.objects.exists()


@pytest.mark.parametrize("recorder", ["convenor", "uganda_coordinator"])
def test_an_organisation_not_invited_cannot_be_recorded(
    personas, open_statement, uganda_member, recorder
):
    assert open_statement.audience == Statement.Audience.INVITED
    with pytest.raises(ValidationError, match="not among the organisations"):
        offline.record_offline_signature(
            statement=open_statement,
            organisation=uganda_member,
            signatory=SARAH,
            channel="phone",
            recorded_by=personas[recorder],
        )
    assert uganda_member not in offline.recordable_organisations(
        statement=open_statement, user=personas[recorder]
    )
    assert not Signature.objects.exists()


def test_a_coordinator_records_only_their_alliances_organisations(
    brazil_coordinator, members_statement, uganda_member
):
    with pytest.raises(PermissionDenied):
        offline.record_offline_signature(
            statement=members_statement,
            organisation=uganda_member,
            signatory=SARAH,
            channel="phone",
            recorded_by=brazil_coordinator,
        )


def test_a_convenor_is_told_the_organisation_signed_already(
    client_for, convenor, members_statement, uganda_member
):
    first = SignatureFactory(statement=members_statement, organisation=uganda_member)
    with pytest.raises(AlreadySigned):
        offline.record_offline_signature(
            statement=members_statement,
            organisation=uganda_member,
            signatory=SARAH,
            channel="phone",
            recorded_by=convenor,
        )
    assert list(Signature.objects.all()) == [first]
    assert uganda_member not in offline.recordable_organisations(
        statement=members_statement, user=convenor
    )


def test_a_second_signature_of_one_organisation_never_counts(
    uganda_coordinator, convenor, members_statement, uganda_member
):
    offline.record_offline_signature(
        statement=members_statement,
        organisation=uganda_member,
        signatory=SARAH,
        channel="phone",
        recorded_by=convenor,
    )
    again = offline.record_offline_signature(
        statement=members_statement,
        organisation=uganda_member,
        signatory=Signatory(name="Amina Nakato", email=""),
        channel="letter",
        recorded_by=uganda_coordinator,
    )
    assert again.status == Signature.Status.SUPERSEDED
    assert Signature.objects.live().filter(organisation=uganda_member).count() == 1


def test_a_counted_only_signature_stays_counted_only(convenor, members_statement, uganda_member):
    signature = offline.record_offline_signature(
        statement=members_statement,
        organisation=uganda_member,
        signatory=Signatory(name="Sarah Chebet", email="", listed_publicly=False),
        channel="meeting",
        recorded_by=convenor,
    )
    assert signature.listed_publicly is False
    assert signature.status == Signature.Status.CONFIRMED


def test_moderation_applies_to_offline_signatures(convenor, members_statement, uganda_member):
    members_statement.moderation = True
    members_statement.save()
    signature = offline.record_offline_signature(
        statement=members_statement,
        organisation=uganda_member,
        signatory=SARAH,
        channel="email",
        recorded_by=convenor,
    )
    assert signature.status == Signature.Status.PENDING_MODERATION


# --- The source: to convenors only --------------------------------------------------------


def test_the_public_page_says_nothing_about_the_source(
    client, convenor, members_statement, uganda_member
):
    offline.record_offline_signature(
        statement=members_statement,
        organisation=uganda_member,
        signatory=SARAH,
        channel="letter",
        note="Brought by hand",
        recorded_by=convenor,
    )
    Statement.objects.filter(pk=members_statement.pk).update(
        status=Statement.Status.PUBLISHED, published_at=timezone.now()
    )
    page = client.get(f"/statements/{members_statement.slug}/").content.decode()
    assert uganda_member.name in page
    for word in ("offline", "letter", "brought by hand"):
        assert word not in page.lower()


def test_the_export_and_tracking_page_show_the_source_to_convenors(
    client_for, convenor, members_statement, uganda_member
):
    SignOnRequestFactory(statement=members_statement, organisation=uganda_member)
    offline.record_offline_signature(
        statement=members_statement,
        organisation=uganda_member,
        signatory=SARAH,
        channel="letter",
        scan=scan_file(),
        recorded_by=convenor,
    )
    client = client_for(convenor)
    export = b"".join(
        client.get(f"/statements/{members_statement.slug}/signatories.csv").streaming_content
    )
    header, row = export.decode().splitlines()
    assert header.endswith(",source,version,signed_at,received_by,recorded_by")
    assert ",offline,1," in row and row.endswith(",letter,convenor@alliance.test")
    tracking = client.get(f"/statements/{members_statement.slug}/tracking/").content.decode()
    receipt = OfflineReceipt.objects.get()
    assert "received offline (letter" in tracking
    assert f"/statements/offline-scans/{receipt.pk}/" in tracking


# --- The CSV import ----------------------------------------------------------------------


def upload(client, statement, text: str):
    return client.post(
        f"/statements/{statement.slug}/offline/import/",
        {"file": SimpleUploadedFile("signatures.csv", text.encode())},
    )


def test_the_dry_run_says_line_by_line_what_would_be_recorded_and_why_not(
    client_for, convenor, members_statement, uganda_member, brazil_member
):
    outsider_org = OrganisationFactory(name="Not A Member Yet")
    signed = OrganisationFactory(name="Signed Already")
    MembershipFactory(organisation=signed)
    SignatureFactory(statement=members_statement, organisation=signed)
    text = (
        "organisation;signatory;title;email;listed_publicly;channel;note\n"
        f"{uganda_member.slug};Sarah Chebet;Chair;;yes;letter;by post\n"
        f"{brazil_member.name.upper()};Maria Silva;;maria@mpa.test;no;phone;\n"
        f"{outsider_org.slug};Someone;;;yes;phone;\n"
        f"{signed.slug};Someone;;;yes;phone;\n"
        "no-such-organisation;Someone;;;yes;phone;\n"
        f"{uganda_member.slug};Twice;;not-an-email;maybe;fax;\n"
    )
    response = upload(client_for(convenor), members_statement, text)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [line.action for line in plan.lines] == ["create", "create"] + ["reject"] * 4
    assert [line.line for line in plan.rejected] == [4, 5, 6, 7]
    reasons = {line.line: " ".join(line.errors) for line in plan.lines}
    assert "not among those who may sign" in reasons[4]
    assert "already signed" in reasons[5]
    assert "No organisation" in reasons[6]
    for why in ("Line 2", "not an email", "yes or no", "channel"):
        assert why in reasons[7]
    assert plan.lines[1].signatory.listed_publicly is False
    assert not response.context["checked"]
    assert Signature.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"name,kind\nx,y\n", "The columns must be", id="other_columns"),
        pytest.param(b"organisation,signatory,channel\n", "no rows", id="no_rows"),
        pytest.param(b"\xff\xfe\x00bad", "", id="not_text"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_reason(
    client_for, convenor, members_statement, content, reason
):
    response = client_for(convenor).post(
        f"/statements/{members_statement.slug}/offline/import/",
        {"file": SimpleUploadedFile("s.csv", content)},
    )
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_the_import_records_every_line(
    client_for, convenor, members_statement, uganda_member, brazil_member
):
    client = client_for(convenor)
    text = (
        "organisation,signatory,channel,listed_publicly\n"
        f"{uganda_member.slug},Sarah Chebet,letter,yes\n"
        f"{brazil_member.slug},Maria Silva,meeting,no\n"
    )
    checked = upload(client, members_statement, text).context["checked"]
    response = client.post(
        f"/statements/{members_statement.slug}/offline/import/", {"checked": checked}
    )
    assert response.status_code == 302
    signatures = Signature.objects.order_by("organisation__name")
    assert [(s.organisation, s.source, s.listed_publicly) for s in signatures] == [
        (uganda_member, "offline", True),
        (brazil_member, "offline", False),
    ]
    assert AuditEntry.objects.filter(action="statement.offline_signatures_imported").count() == 1


def test_the_import_is_all_or_nothing(
    client_for, convenor, members_statement, uganda_member, brazil_member
):
    client = client_for(convenor)
    text = (
        "organisation,signatory,channel\n"
        f"{uganda_member.slug},Sarah Chebet,letter\n"
        f"{brazil_member.slug},Maria Silva,meeting\n"
    )
    checked = upload(client, members_statement, text).context["checked"]
    # Between the dry run and the real run, the second organisation signs.
    SignatureFactory(statement=members_statement, organisation=brazil_member)
    response = client.post(
        f"/statements/{members_statement.slug}/offline/import/", {"checked": checked}
    )
    assert response.status_code == 409
    assert "Nothing was recorded" in response.content.decode()
    assert not Signature.objects.filter(source="offline").exists()


def test_a_tampered_check_is_refused(client_for, convenor, members_statement):
    response = client_for(convenor).post(
        f"/statements/{members_statement.slug}/offline/import/", {"checked": "forged"}
    )
    assert response.status_code == 302
    assert not Signature.objects.exists()


def test_the_record_page_reads_a_fixed_number_of_queries(
    client_for, convenor, members_statement, django_assert_max_num_queries
):
    for _n in range(30):
        MembershipFactory(organisation=OrganisationFactory())
    client = client_for(convenor)
    with django_assert_max_num_queries(12):
        assert client.get(f"/statements/{members_statement.slug}/offline/").status_code == 200


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="concurrency needs Postgres (SQLite serialises writers)",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("recorder", ["convenor", "uganda_coordinator"])
def test_recorded_at_once_by_many_one_signature_counts(
    request, members_statement, uganda_member, recorder
):
    user = request.getfixturevalue(recorder)
    people = 8
    barrier = threading.Barrier(people)
    outcomes: list[str] = []

    def record(n):
        try:
            barrier.wait()
            signature = offline.record_offline_signature(
                statement=members_statement,
                organisation=uganda_member,
                signatory=Signatory(name=f"Person {n}", email=""),
                channel="phone",
                recorded_by=user,
            )
            outcomes.append(signature.status)
        except AlreadySigned:
            outcomes.append("already signed")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Signature.objects.live().filter(organisation=uganda_member).count() == 1
    others = "already signed" if recorder == "convenor" else Signature.Status.SUPERSEDED
    assert sorted(outcomes) == sorted([Signature.Status.CONFIRMED] + [others] * (people - 1))
    assert OfflineReceipt.objects.count() == (1 if recorder == "convenor" else people)


def test_the_tracking_page_shows_the_signature_that_counts_not_the_one_not_needed(
    client_for, convenor, uganda_coordinator, members_statement, uganda_member
):
    SignOnRequestFactory(statement=members_statement, organisation=uganda_member)
    SignatureFactory(
        statement=members_statement, organisation=uganda_member, signatory_name="First Signer"
    )
    offline.record_offline_signature(
        statement=members_statement,
        organisation=uganda_member,
        signatory=Signatory(name="Late Letter", email=""),
        channel="letter",
        recorded_by=uganda_coordinator,
    )
    page = client_for(convenor).get(f"/statements/{members_statement.slug}/tracking/")
    row = page.content.decode().split('id="organisations"', 1)[1]
    assert "First Signer" in row and "Late Letter" not in row


def test_the_list_of_organisations_is_short_and_a_search_narrows_it(
    client_for, convenor, members_statement, uganda_member, brazil_member, monkeypatch
):
    from statements import offline_views

    monkeypatch.setattr(offline_views, "MAX_CHOICES", 1)
    client = client_for(convenor)
    url = f"/statements/{members_statement.slug}/offline/"
    page = client.get(url)
    assert len(page.context["form"].fields["organisation"].queryset) == 1
    assert 'id="more-organisations"' in page.content.decode()
    found = client.get(url, {"q": "kapchorwa"})
    assert list(found.context["form"].fields["organisation"].queryset) == [uganda_member]
    assert 'id="more-organisations"' not in found.content.decode()
    # Any organisation theirs to record may be chosen, listed or not.
    response = client.post(url + "?q=kapchorwa", form_data(brazil_member))
    assert response.status_code == 302
    assert Signature.objects.get().organisation == brazil_member
