"""Signatures received offline and the tracking charts: new channels through which a
coordinator, or anyone else but convenors, could learn that an organisation signed
without its name. None of them may say it."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from statements import offline
from statements.models import Signature, Statement
from statements.services import Signatory
from tests.factories import SignatureFactory, StatementFactory

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def statement(db):
    return StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.MEMBERS)


@pytest.fixture
def signed_unnamed(statement, at_risk):
    """The organisation at risk signed, counted without its name."""
    return SignatureFactory(
        statement=statement,
        organisation=at_risk,
        listed_publicly=False,
        signatory_name="Shirin Akter",
    )


def record(client, statement, organisation):
    response = client.post(
        f"/statements/{statement.slug}/offline/",
        {
            "organisation": organisation.pk,
            "signatory_name": "Someone Else",
            "visibility": "listed",
            "channel": "phone",
        },
    )
    return (
        response.status_code,
        response["Location"],
        [str(m) for m in get_messages(response.wsgi_request)],
    )


def test_recording_tells_a_coordinator_nothing_about_a_counted_only_signature(
    client_for, uganda_coordinator, statement, at_risk, uganda_member, signed_unnamed
):
    client = client_for(uganda_coordinator)
    form = client.get(f"/statements/{statement.slug}/offline/")
    choices = list(form.context["form"].fields["organisation"].queryset)
    assert at_risk in choices and uganda_member in choices
    assert "Bangladesh" in form.content.decode()

    status, location, said = record(client, statement, at_risk)
    fresh_status, fresh_location, fresh_said = record(client, statement, uganda_member)
    assert (
        (status, location) == (fresh_status, fresh_location) == (302, statement.get_absolute_url())
    )
    assert said[-1].replace(at_risk.name, "X") == fresh_said[-1].replace(uganda_member.name, "X")
    # The first signature holds the place, still counted without its name.
    assert list(Signature.objects.live().filter(organisation=at_risk)) == [signed_unnamed]
    signed_unnamed.refresh_from_db()
    assert signed_unnamed.listed_publicly is False


def test_the_import_dry_run_tells_a_coordinator_nothing_either(
    client_for, uganda_coordinator, statement, at_risk, uganda_member, signed_unnamed
):
    text = (
        "organisation,signatory,channel\n"
        f"{at_risk.slug},Someone Else,letter\n"
        f"{uganda_member.slug},Sarah Chebet,letter\n"
    )
    client = client_for(uganda_coordinator)
    response = client.post(
        f"/statements/{statement.slug}/offline/import/",
        {"file": SimpleUploadedFile("s.csv", text.encode())},
    )
    lines = response.context["plan"].lines
    assert [(line.action, line.errors) for line in lines] == [("create", []), ("create", [])]
    assert "signed" not in response.content.decode().lower().replace("signed page", "")
    response = client.post(
        f"/statements/{statement.slug}/offline/import/",
        {"checked": response.context["checked"]},
    )
    assert response.status_code == 302
    assert list(Signature.objects.live().filter(organisation=at_risk)) == [signed_unnamed]


def test_the_scan_of_a_counted_only_signature_is_not_shown_to_a_coordinator(
    client_for, convenor, uganda_coordinator, statement, at_risk
):
    signature = offline.record_offline_signature(
        statement=statement,
        organisation=at_risk,
        signatory=Signatory(name="Shirin Akter", email="", listed_publicly=False),
        channel="letter",
        scan=SimpleUploadedFile("page.pdf", PDF),
        recorded_by=convenor,
    )
    receipt = signature.offline_receipt
    coordinator = client_for(uganda_coordinator)
    refused = coordinator.get(f"/statements/offline-scans/{receipt.pk}/")
    missing = coordinator.get(f"/statements/offline-scans/{receipt.pk + 1000}/")
    assert refused.status_code == missing.status_code == 404
    assert client_for(convenor).get(f"/statements/offline-scans/{receipt.pk}/").status_code == 200


def test_a_coordinator_reads_the_scan_they_recorded(
    client_for, uganda_coordinator, statement, at_risk
):
    signature = offline.record_offline_signature(
        statement=statement,
        organisation=at_risk,
        signatory=Signatory(name="Shirin Akter", email="", listed_publicly=False),
        channel="letter",
        scan=SimpleUploadedFile("page.pdf", PDF),
        recorded_by=uganda_coordinator,
    )
    response = client_for(uganda_coordinator).get(
        f"/statements/offline-scans/{signature.offline_receipt.pk}/"
    )
    assert response.status_code == 200


def test_the_charts_count_counted_only_signers_and_name_none(
    client_for, convenor, statement, at_risk, signed_unnamed
):
    client = client_for(convenor)
    page = client.get(f"/statements/{statement.slug}/tracking/").content.decode()
    charts = page.split('id="charts-title"', 1)[1].split('id="by-organisation-title"', 1)[0]
    assert at_risk.name not in charts and "Shirin" not in charts
    assert "<td>1</td>" in charts
    csv = b"".join(
        client.get(f"/statements/{statement.slug}/tracking/charts.csv").streaming_content
    ).decode()
    assert at_risk.name not in csv and "Shirin" not in csv
    assert "Signatures by region,Asia,1" in csv


def test_the_public_count_says_nothing_about_offline_signatures(
    client, convenor, statement, at_risk
):
    offline.record_offline_signature(
        statement=statement,
        organisation=at_risk,
        signatory=Signatory(name="Shirin Akter", email="", listed_publicly=False),
        channel="meeting",
        note="Met in Dhaka",
        recorded_by=convenor,
    )
    Statement.objects.filter(pk=statement.pk).update(status=Statement.Status.PUBLISHED)
    page = client.get(f"/statements/{statement.slug}/").content.decode()
    for word in (at_risk.name, "Shirin", "Dhaka", "offline", "meeting"):
        assert word.lower() not in page.lower()
