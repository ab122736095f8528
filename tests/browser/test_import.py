"""Journey 3 in a real browser: a convenor downloads the template, uploads a CSV, reads
the dry run (created, updated, rejected, with the line and the reason), runs the import
of the valid rows, and watches the progress to the end."""

import csv
import io

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from members import imports
from members.models import Organisation, OrganisationImport
from tests.browser import login as signing_in
from tests.factories import FocusAreaFactory
from tests.mfa import TOTP_SECRET


def log_in(page, live_server, user):
    signing_in.log_in(page, live_server.url, user.email, totp_secret=TOTP_SECRET)


def a_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=imports.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.django_db(transaction=True)
def test_convenor_imports_a_csv_after_a_dry_run(
    live_server, page, screenshot_dir, convenor, uganda, uganda_member
):
    FocusAreaFactory(slug="gender", name="Gender")
    log_in(page, live_server, convenor)
    page.goto(f"{live_server.url}/members/import/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the CSV template").click()
    assert download.value.suggested_filename == "organisations-template.csv"

    content = a_csv(
        [
            {
                "name": "Gulu Youth Voice",
                "kind": "grassroots",
                "country": "UG",
                "focus_areas": "gender",
                "national_alliance": uganda.slug,
                "contact_name": "Okello James",
                "contact_email": "okello@gyv.test",
                "consent_text": "Agreed at the Kampala assembly.",
            },
            {"name": uganda_member.name, "kind": "womens_rights", "country": "UG", "city": "Mbale"},
            {"name": "Atlantis Collective", "kind": "grassroots", "country": "Atlantis"},
        ]
    )
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "members.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Check the file").click()

    # The dry run: line by line, with the reason for the rejected one; nothing written.
    expect(page.get_by_role("heading", name="members.csv")).to_be_visible()
    report = page.locator("table.import-report")
    expect(report.get_by_role("row")).to_have_count(4)
    expect(report.get_by_role("row", name="Gulu Youth Voice")).to_contain_text("create")
    expect(report.get_by_role("row", name=uganda_member.name)).to_contain_text("update")
    rejected = report.get_by_role("row", name="Atlantis Collective")
    expect(rejected).to_contain_text("4")
    expect(rejected).to_contain_text("Unknown country 'Atlantis'")
    page.screenshot(path=screenshot_dir / "import-dry-run.png", full_page=True)
    assert not Organisation.objects.filter(name="Gulu Youth Voice").exists()

    # All or nothing: with a rejected line, the convenor must choose the valid rows only.
    page.get_by_label("Import the valid rows only").check()
    page.get_by_role("button", name="Run the import").click()

    expect(page.locator("#import-progress")).to_contain_text("Imported")
    expect(page.locator("#import-progress-bar")).to_have_attribute("value", "3")
    page.screenshot(path=screenshot_dir / "import-done.png", full_page=True)
    assert Organisation.objects.get(name="Gulu Youth Voice").contacts.count() == 1
    uganda_member.refresh_from_db()
    assert uganda_member.city == "Mbale"


@pytest.mark.django_db(transaction=True)
def test_import_page_shows_progress_while_it_runs_and_the_result_when_done(
    live_server, page, screenshot_dir, convenor
):
    running = OrganisationImport.objects.create(
        file_name="ten-thousand.csv",
        content="",
        uploaded_by=convenor,
        status=OrganisationImport.Status.QUEUED,
        rows_total=10_000,
        report={"lines": [], "totals": {"rows": 10_000, "create": 10_000}},
    )
    # The live server runs in this process: it reads the same (local memory) cache.
    cache.set(imports.progress_key(running.pk), 3_500)
    log_in(page, live_server, convenor)

    page.goto(f"{live_server.url}/members/import/{running.pk}/")

    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("Importing: 3,500 of 10,000 rows")
    cache.set(imports.progress_key(running.pk), 7_000)
    expect(progress).to_contain_text("Importing: 7,000 of 10,000 rows")
    page.screenshot(path=screenshot_dir / "import-progress.png", full_page=True)
    OrganisationImport.objects.filter(pk=running.pk).update(
        status=OrganisationImport.Status.DONE, rows_done=10_000
    )
    expect(progress).to_contain_text("Imported")
    expect(page.locator(".badge--import-done")).to_be_visible()
