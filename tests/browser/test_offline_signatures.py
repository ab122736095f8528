"""Journey 8 in Chromium: a national coordinator records the paper signature of a women's
cooperative, with the scan of the signed page, and the statement's count includes it; a
convenor reads the tracking charts. In English and in French, at 360px too."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from statements.models import Signature, SignOnRequest, Statement
from tests.browser.login import log_in
from tests.factories import (
    MembershipFactory,
    NationalAllianceFactory,
    OrganisationFactory,
    SignatureFactory,
    SignOnRequestFactory,
    StatementFactory,
    UserFactory,
)
from tests.fixtures.services import RESULTS
from tests.mfa import TOTP_SECRET, enrol_totp
from tests.statements.conftest import add_texts

SHOTS = RESULTS / "screenshots" / "offline"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / name, full_page=True)


def members_statement() -> Statement:
    statement = StatementFactory(
        text=False, status=Statement.Status.OPEN, audience=Statement.Audience.MEMBERS
    )
    add_texts(statement)
    return statement


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.django_db(transaction=True)
def test_a_coordinator_records_a_paper_signature_and_the_count_includes_it(
    live_server, page, compiled_translations, language, tmp_path
):
    uganda = NationalAllianceFactory(country="UG", name="Uganda Fight Inequality Alliance")
    coordinator = UserFactory(email="grace@alliance.test", name="Grace Uganda", language=language)
    uganda.coordinators.add(coordinator)
    enrol_totp(coordinator)
    cooperative = OrganisationFactory(
        name="Kapchorwa Women Farmers Cooperative", kind="womens_rights", country="UG"
    )
    MembershipFactory(organisation=cooperative, national_alliance=uganda)
    statement = members_statement()
    scan = tmp_path / "kapchorwa-signed-page.pdf"
    scan.write_bytes(PDF)
    base = live_server.url

    log_in(page, base, coordinator.email, totp_secret=TOTP_SECRET, lands_on=None)
    page.goto(f"{base}/statements/{statement.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".signatories .stat__number")).to_have_text("0")
    page.locator(f"a[href='/statements/{statement.slug}/offline/']").click()
    page.locator("#id_organisation").select_option(label=cooperative.name)
    page.locator("#id_signatory_name").fill("Sarah Chebet")
    page.locator("#id_signatory_title").fill("Chairperson")
    page.locator("#id_visibility_0").check()
    page.locator("input[name=channel][value=letter]").check()
    page.locator("#id_note").fill("Signed at the Mbale meeting, page posted on 2 March.")
    page.locator("#id_scan").set_input_files(str(scan))
    page.set_viewport_size({"width": 360, "height": 800})
    shoot(page, f"record-{language}-360.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator("#offline-signature button[type=submit]").click()

    expect(page).to_have_url(f"{base}/statements/{statement.slug}/")
    expect(page.locator(".signatories .stat__number")).to_have_text("1")
    expect(page.get_by_text(cooperative.name).first).to_be_visible()
    shoot(page, f"recorded-{language}.png")
    signature = Signature.objects.get()
    assert (signature.organisation, signature.source, signature.status) == (
        cooperative,
        Signature.Source.OFFLINE,
        Signature.Status.CONFIRMED,
    )
    receipt = signature.offline_receipt
    assert (receipt.channel, receipt.recorded_by) == ("letter", coordinator)
    assert (tmp_path / receipt.scan.name).read_bytes() == PDF

    # Others came by phone: the dry run of a CSV says what it would record and why not.
    gulu = OrganisationFactory(name="Gulu Youth Network", country="UG")
    MembershipFactory(organisation=gulu, national_alliance=uganda)
    csv = tmp_path / "phoned.csv"
    csv.write_text(
        "organisation;signatory;channel;listed_publicly\n"
        f"{gulu.slug};Okot Denis;phone;no\n"
        "mbale-unknown;Someone;fax;yes\n"
    )
    page.goto(f"{base}/statements/{statement.slug}/offline/import/")
    page.locator("#id_file").set_input_files(str(csv))
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator("#to-record")).to_have_text("1")
    expect(page.locator("#rejected")).to_have_text("1")
    expect(page.locator("#import-lines tbody tr").nth(1)).to_contain_text("mbale-unknown")
    page.set_viewport_size({"width": 360, "height": 800})
    shoot(page, f"import-dry-run-{language}-360.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert Signature.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.django_db(transaction=True)
def test_a_convenor_reads_the_tracking_charts(live_server, page, compiled_translations, language):
    convenor = UserFactory(email="convenor@alliance.test", is_convenor=True, language=language)
    enrol_totp(convenor)
    statement = members_statement()
    now = timezone.now()
    for index, country in enumerate(["UG", "UG", "KE", "BR", "IN", "FR", "UG", "BD"]):
        alliance = NationalAllianceFactory(country=country) if index % 3 == 0 else None
        organisation = OrganisationFactory(country=country)
        if alliance:
            MembershipFactory(organisation=organisation, national_alliance=alliance)
        signature = SignatureFactory(
            statement=statement, organisation=organisation, listed_publicly=index % 4 != 0
        )
        Signature.objects.filter(pk=signature.pk).update(
            created_at=now - timezone.timedelta(days=index % 5)
        )
        SignOnRequestFactory(
            statement=statement, organisation=organisation, answer=SignOnRequest.Answer.SIGNED
        )
    for answer in ("declined", "no_reply", "no_reply"):
        SignOnRequestFactory(statement=statement, answer=answer)
    log_in(page, live_server.url, convenor.email, totp_secret=TOTP_SECRET, lands_on=None)
    page.goto(f"{live_server.url}/statements/{statement.slug}/tracking/")
    expect(page.locator("#chart-over-time svg rect")).to_have_count(5)
    expect(page.locator("#chart-answers tbody tr")).to_have_count(3)
    shoot(page, f"tracking-charts-{language}.png")
    page.set_viewport_size({"width": 360, "height": 800})
    shoot(page, f"tracking-charts-{language}-360.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
