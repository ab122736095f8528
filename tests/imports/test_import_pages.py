"""The CSV import pages (journey 3): who may use them, the dry run's report, the real
run through the eager Celery task, and the malformed files that change nothing."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from alliance.core.audit.models import AuditEntry
from members import imports
from members.imports import reading
from members.models import Contact, Membership, Organisation, OrganisationImport
from tests.factories import ContactFactory, FocusAreaFactory, OrganisationFactory
from tests.fixtures.faults import database_refuses

UPLOAD = reverse("members:import_upload")
TEMPLATE = reverse("members:import_template")


def csv_bytes(*rows: dict, columns=imports.COLUMNS, delimiter=",", bom=False) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def upload(client, content: bytes, name="organisations.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content, "text/csv")})


def row(**values) -> dict:
    return {"kind": "grassroots", "country": "UG", **values}


@pytest.fixture
def gender(db):
    return FocusAreaFactory(slug="gender", name="Gender")


@pytest.fixture
def land(db):
    return FocusAreaFactory(slug="land", name="Land")


# Permissions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", 200),
        ("superuser_convenor", 200),
        ("uganda_coordinator", 403),
        ("brazil_coordinator", 403),
        ("representative", 403),
        ("outsider", 403),
        ("anonymous", 302),
    ],
)
def test_only_convenors_may_open_the_import_pages(
    personas, client_for, convenor, persona, expected
):
    checked = OrganisationImport.objects.create(
        file_name="a.csv", content="", uploaded_by=convenor, report={"lines": [], "totals": {}}
    )
    client = client_for(personas[persona])
    for url in (
        UPLOAD,
        TEMPLATE,
        reverse("members:import", args=[checked.pk]),
        reverse("members:import_progress", args=[checked.pk]),
    ):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("uganda_coordinator", 403),
        ("brazil_coordinator", 403),
        ("representative", 403),
        ("outsider", 403),
        ("anonymous", 302),
    ],
)
def test_no_one_but_a_convenor_may_upload_or_run(personas, client_for, convenor, persona, expected):
    content = csv_bytes(row(name="Gulu Youth Voice"))
    checked = imports.check_upload(
        upload=SimpleUploadedFile("a.csv", content), uploaded_by=convenor
    )
    client = client_for(personas[persona])

    assert upload(client, content).status_code == expected
    run = client.post(reverse("members:import_run", args=[checked.pk]))
    assert run.status_code == expected
    assert OrganisationImport.objects.count() == 1
    checked.refresh_from_db()
    assert checked.status == OrganisationImport.Status.CHECKED
    assert not Organisation.objects.filter(name="Gulu Youth Voice").exists()


# The template -----------------------------------------------------------------------


def test_template_is_a_utf8_csv_whose_example_line_passes_the_dry_run(
    client_for, convenor, gender, land
):
    response = client_for(convenor).get(TEMPLATE)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, example = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert header == imports.COLUMNS
    plan = imports.plan_import(response.content.decode())
    assert [line.action for line in plan.lines] == ["create"], plan.lines[0].errors


# The dry run ------------------------------------------------------------------------


def test_dry_run_reports_each_line_and_writes_nothing(
    client_for, convenor, uganda, uganda_member, gender
):
    existing_by_site = OrganisationFactory(
        name="Old name", country="KE", website="https://www.haki.example"
    )
    same = OrganisationFactory(name="Gulu Women", country="UG", city="Gulu")
    content = csv_bytes(
        row(name="Gulu Youth Voice", focus_areas="gender", national_alliance=uganda.slug),
        # Same name and country as uganda_member, another case: an update.
        row(name=uganda_member.name.upper(), kind="womens_rights", city="Mbale"),
        # Same website domain: an update of the Kenyan organisation.
        row(name="Haki Kenya", country="Kenya", website="haki.example/about"),
        row(name="Nowhere", country="Atlantis"),
        row(name="Gulu Youth Voice", kind="movement"),
        row(name="Bad mail", contact_name="Ann", contact_email="ann@", consent_text="yes"),
        row(name="Bad areas", focus_areas="gender;astrology", kind="cult"),
        row(name=same.name, city=same.city),
    )
    client = client_for(convenor)

    response = upload(client, content)

    checked = OrganisationImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("members:import", args=[checked.pk])
    report = {
        line["line"]: {**line, "errors": [imports.describe(e) for e in line["errors"]]}
        for line in checked.report["lines"]
    }
    assert {n: line["action"] for n, line in report.items()} == {
        2: "create",
        3: "update",
        4: "update",
        5: "reject",
        6: "reject",
        7: "reject",
        8: "reject",
        9: "unchanged",
    }
    assert report[3]["organisation_id"] == uganda_member.pk
    assert report[3]["changes"] == ["name", "city"]
    assert report[4]["organisation_id"] == existing_by_site.pk
    assert report[5]["errors"] == ["Unknown country 'Atlantis': use its ISO code, e.g. UG."]
    assert "repeats line 2" in report[6]["errors"][0]
    assert report[7]["errors"] == ["'ann@' is not an email address."]
    assert len(report[8]["errors"]) == 2
    assert "astrology" in report[8]["errors"][1]
    assert checked.report["totals"] == {
        "rows": 8,
        "create": 1,
        "update": 2,
        "unchanged": 1,
        "reject": 4,
    }
    assert not Organisation.objects.filter(name="Gulu Youth Voice").exists()
    uganda_member.refresh_from_db()
    assert uganda_member.city == "Kapchorwa"

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Unknown country &#x27;Atlantis&#x27;" in html
    assert "Import the valid rows only" in html
    rejected_only = client.get(response["Location"], {"show": "reject"})
    assert rejected_only.content.decode().count('class="import-line ') == 4


def test_dry_run_rejects_a_line_matching_several_organisations(client_for, convenor):
    one = OrganisationFactory(name="Twin", country="UG")
    other = OrganisationFactory(name="Other", country="UG", website="https://twin.example")

    plan = imports.plan_import(csv_bytes(row(name="Twin", website="twin.example")).decode())

    assert plan.lines[0].action == "reject"
    assert f"{one.pk}, {other.pk}" in plan.lines[0].errors[0] or (
        f"{other.pk}, {one.pk}" in plan.lines[0].errors[0]
    )


def test_dry_run_rejects_two_lines_naming_the_same_organisation(convenor):
    existing = OrganisationFactory(name="Haki", country="KE", website="https://haki.example")

    plan = imports.plan_import(
        csv_bytes(
            row(name="Haki", country="KE", city="Nairobi"),
            row(name="Haki Kenya", country="KE", website="www.haki.example"),
        ).decode()
    )

    assert [line.action for line in plan.lines] == ["update", "reject"]
    assert plan.lines[0].organisation_id == existing.pk
    assert plan.lines[1].errors == ["It names the same organisation as line 2."]


def test_dry_run_rejects_a_national_alliance_of_another_country(convenor, brazil):
    plan = imports.plan_import(
        csv_bytes(row(name="Gulu Youth Voice", national_alliance=brazil.slug)).decode()
    )

    assert plan.lines[0].errors == [
        f"The national alliance '{brazil.slug}' is for another country."
    ]


# Malformed files ---------------------------------------------------------------------


GOOD = row(name="Gulu Youth Voice")


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(
            csv_bytes(GOOD) + "Lira Women,,grassroots,UG,Lira,,Café,,,,,,,,\n".encode("latin-1"),
            "The file is not UTF-8 text: line 3 has bytes that are not.",
            id="latin-1",
        ),
        pytest.param(
            b"name,kind,city\nGulu,grassroots,Gulu\n",
            "Missing columns: country. Start from the template.",
            id="missing-column",
        ),
        pytest.param(
            b"name|kind|country\nGulu|grassroots|UG\n",
            "Missing columns: name, kind, country. Start from the template. "
            "Separate the columns with commas, semicolons or tabs.",
            id="pipes",
        ),
        pytest.param(
            b"name,kind,country,colour\nGulu,grassroots,UG,red\n",
            "Unknown columns: colour.",
            id="unknown-column",
        ),
        pytest.param(b"", "The submitted file is empty.", id="empty"),
        pytest.param(
            b"name,kind,country\n", "The file has a header but no rows.", id="header-only"
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40,
            "The file is not UTF-8 text: line 1 has bytes that are not.",
            id="binary",
        ),
        pytest.param(
            b"name,kind,country\nGulu\x00,grassroots,UG\n",
            "This is not a CSV file: line 2 contains binary data.",
            id="nul-bytes",
        ),
        pytest.param(
            b'name,kind,country\n"Gulu' + b"x" * 140_000 + b'",grassroots,UG\n',
            "This is not a valid CSV file: line",
            id="giant-cell",
        ),
    ],
)
def test_malformed_file_gets_a_clear_error_and_changes_nothing(
    client_for, convenor, content, error
):
    response = upload(client_for(convenor), content)

    assert response.status_code == 400
    assert error in response.context["form"].errors["file"][0]
    assert OrganisationImport.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_too_many_rows_are_refused(client_for, convenor, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    content = csv_bytes(*[row(name=f"Group {n}") for n in range(4)])

    response = upload(client_for(convenor), content)

    assert response.status_code == 400
    assert "more than 3 rows" in response.context["form"].errors["file"][0]
    assert OrganisationImport.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client_for, convenor, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", 1024 * 1024)
    garbage = bytes(range(256)) * (5 * 1024 * 1024 // 256)  # 5 MB of garbage

    response = upload(client_for(convenor), garbage, name="garbage.csv")

    assert response.status_code == 413
    assert "larger than 1 MB" in response.context["error"]
    assert OrganisationImport.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_by_the_service_too(convenor, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", 100)

    with pytest.raises(Exception, match="the limit is 0 MB"):
        imports.check_upload(
            upload=SimpleUploadedFile("big.csv", csv_bytes(GOOD) * 5), uploaded_by=convenor
        )


# Files from spreadsheets in other locales ---------------------------------------------


@pytest.fixture
def rows_with_separators_inside(uganda, uganda_member, gender, land):
    """A created, an updated and a rejected line, with commas, semicolons and tabs inside
    quoted cells: what each kind of file must keep apart."""
    return [
        row(
            name="Gulu Youth Voice",
            focus_areas="gender;land",
            national_alliance=uganda.slug,
            description="Young people, in Gulu; since 2019.\tFounded by students.",
            contact_name="Okello James",
            contact_email="okello@gyv.test",
            consent_text="Agreed, in writing; at the assembly.",
        ),
        row(name=uganda_member.name, city="Mbale"),
        row(name="Nowhere", country="Atlantis"),
    ]


@pytest.mark.parametrize(
    ("delimiter", "bom"),
    [(";", False), (";", True), ("\t", False), ("\t", True), (",", True)],
    ids=["semicolons", "semicolons-with-bom", "tabs", "tabs-with-bom", "commas-with-bom"],
)
def test_the_dry_run_of_a_semicolon_or_tab_file_says_what_the_comma_files_says(
    client_for, convenor, rows_with_separators_inside, delimiter, bom
):
    client = client_for(convenor)
    upload(client, csv_bytes(*rows_with_separators_inside))
    upload(client, csv_bytes(*rows_with_separators_inside, delimiter=delimiter, bom=bom))

    comma, other = OrganisationImport.objects.order_by("pk")
    assert other.report == comma.report
    assert [line["action"] for line in other.report["lines"]] == ["create", "update", "reject"]
    # Every cleaned value too, not only the verdicts.
    assert [line.values for line in imports.plan_import(other.content).lines] == [
        line.values for line in imports.plan_import(comma.content).lines
    ]


@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolons", "tabs"])
def test_a_semicolon_or_tab_file_imports_the_rows_of_the_comma_file(
    client_for,
    convenor,
    uganda,
    uganda_member,
    rows_with_separators_inside,
    django_capture_on_commit_callbacks,
    delimiter,
):
    client = client_for(convenor)
    upload(client, csv_bytes(*rows_with_separators_inside, delimiter=delimiter, bom=True))
    checked = OrganisationImport.objects.get()

    run(client, checked, django_capture_on_commit_callbacks, valid_rows_only="on")

    assert checked.status == OrganisationImport.Status.DONE
    assert (checked.created_count, checked.updated_count, checked.rejected_count) == (1, 1, 1)
    gulu = Organisation.objects.get(name="Gulu Youth Voice")
    assert gulu.description == "Young people, in Gulu; since 2019.\tFounded by students."
    assert sorted(gulu.focus_areas.values_list("slug", flat=True)) == ["gender", "land"]
    assert Membership.objects.get(organisation=gulu).national_alliance == uganda
    contact = gulu.contacts.get()
    assert (contact.email, contact.consent_text) == (
        "okello@gyv.test",
        "Agreed, in writing; at the assembly.",
    )
    uganda_member.refresh_from_db()
    assert uganda_member.city == "Mbale"
    assert not Organisation.objects.filter(name="Nowhere").exists()


def test_a_semicolon_inside_a_comma_files_header_cell_does_not_fool_the_detection():
    # Fewer known columns when split at semicolons: the comma stays.
    text = 'name,kind,country,"city;town"\nGulu,grassroots,UG,Gulu\n'

    assert imports.detect_delimiter(text) == ","


# The real run -------------------------------------------------------------------------


def run(client, checked, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:import_run", args=[checked.pk]), data)
    checked.refresh_from_db()
    return response


def test_real_run_creates_and_updates_exactly_what_the_dry_run_said(
    client_for, convenor, uganda, uganda_member, gender, land, django_capture_on_commit_callbacks
):
    kept = ContactFactory(organisation=uganda_member, email="info@kapchorwa.test", role="Clerk")
    content = csv_bytes(
        row(
            name="Gulu Youth Voice",
            short_name="GYV",
            focus_areas="gender;land",
            national_alliance=uganda.slug,
            contact_name="Okello James",
            contact_email="okello@gyv.test",
            contact_language="fr",
            contact_authorised_to_sign="yes",
            consent_text="Agreed at the Kampala assembly.",
        ),
        row(
            name=uganda_member.name,
            city="Mbale",
            focus_areas="land",
            contact_name=kept.name,
            contact_email="INFO@kapchorwa.test",
            contact_role="Treasurer",
        ),
        row(name="Lira Women", country="Uganda", kind="women's rights organisation"),
    )
    client = client_for(convenor)
    upload(client, content)
    checked = OrganisationImport.objects.get()
    planned = {line["line"]: line for line in checked.report["lines"]}
    assert [line["action"] for line in planned.values()] == ["create", "update", "create"]

    response = run(client, checked, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert checked.status == OrganisationImport.Status.DONE
    assert (checked.created_count, checked.updated_count, checked.rows_done) == (2, 1, 3)
    done = {line["line"]: line for line in checked.report["lines"]}
    assert {n: line["action"] for n, line in done.items()} == {
        n: line["action"] for n, line in planned.items()
    }
    assert Organisation.objects.count() == 3
    gulu = Organisation.objects.get(name="Gulu Youth Voice")
    assert done[2]["organisation_id"] == gulu.pk
    assert (gulu.slug, gulu.region, gulu.global_south) == ("gyv", "africa", True)
    assert sorted(gulu.focus_areas.values_list("slug", flat=True)) == ["gender", "land"]
    membership = Membership.objects.get(organisation=gulu)
    assert (membership.national_alliance, membership.status) == (uganda, "approved")
    assert membership.decided_by == convenor
    contact = gulu.contacts.get()
    assert (contact.email, contact.language, contact.authorised_to_sign) == (
        "okello@gyv.test",
        "fr",
        True,
    )
    assert contact.consent_given_at is not None
    uganda_member.refresh_from_db()
    assert uganda_member.city == "Mbale"
    assert list(uganda_member.focus_areas.values_list("slug", flat=True)) == ["land"]
    kept.refresh_from_db()
    assert (kept.role, kept.email) == ("Treasurer", "info@kapchorwa.test")
    assert uganda_member.contacts.count() == 1
    assert Organisation.objects.get(name="Lira Women").kind == "womens_rights"
    # The audit trail: one entry for the import, one per organisation and contact changed.
    actions = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert actions == [
        "contact.added",
        "contact.updated",
        "organisation.imported",
        "organisation.imported",
        "organisation.updated",
        "organisation_import.done",
        "organisation_import.started",
    ]
    update = AuditEntry.objects.get(action="organisation.updated")
    assert update.changes["city"] == ["Kapchorwa", "Mbale"]
    assert update.actor == convenor
    # The page shows the result.
    page = client.get(reverse("members:import", args=[checked.pk])).content.decode()
    assert "Imported" in page


def test_rejected_lines_block_the_run_unless_the_convenor_chose_the_valid_rows_only(
    client_for, convenor, django_capture_on_commit_callbacks
):
    content = csv_bytes(row(name="Gulu Youth Voice"), row(name="Nowhere", country="Atlantis"))
    client = client_for(convenor)
    upload(client, content)
    checked = OrganisationImport.objects.get()

    run(client, checked, django_capture_on_commit_callbacks)

    assert checked.status == OrganisationImport.Status.CHECKED
    assert Organisation.objects.count() == 0

    run(client, checked, django_capture_on_commit_callbacks, valid_rows_only="on")

    assert checked.status == OrganisationImport.Status.DONE
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Gulu Youth Voice"]


def test_nothing_is_written_when_the_data_changed_since_the_dry_run(
    client_for, convenor, django_capture_on_commit_callbacks
):
    content = csv_bytes(row(name="Gulu Youth Voice"), row(name="Lira Women", website="lira.test"))
    client = client_for(convenor)
    upload(client, content)
    checked = OrganisationImport.objects.get()
    # Meanwhile, two organisations appear that line 3 now matches both of.
    OrganisationFactory(name="Lira Women", country="UG")
    OrganisationFactory(name="Lira", country="UG", website="https://lira.test")

    run(client, checked, django_capture_on_commit_callbacks)

    assert checked.status == OrganisationImport.Status.FAILED
    assert "nothing was written" in checked.error
    assert not Organisation.objects.filter(name="Gulu Youth Voice").exists()


def test_a_failure_in_the_middle_writes_nothing(
    client_for, convenor, django_capture_on_commit_callbacks
):
    content = csv_bytes(*[row(name=f"Group {n}") for n in range(1200)])
    client = client_for(convenor)
    upload(client, content)
    checked = OrganisationImport.objects.get()
    # The database refuses the first row of the third chunk of 500, the first two written.
    table = Organisation._meta.db_table
    with database_refuses(
        Organisation,
        when=f"(SELECT count(*) FROM {table} WHERE name LIKE 'Group %') >= 1000",
        message="disk full",
    ):
        run(client, checked, django_capture_on_commit_callbacks)

    assert checked.status == OrganisationImport.Status.FAILED
    assert "nothing was written" in checked.error
    assert Organisation.objects.count() == 0
    assert Contact.objects.count() == 0


def test_running_twice_imports_once(client_for, convenor, django_capture_on_commit_callbacks):
    client = client_for(convenor)
    upload(client, csv_bytes(row(name="Gulu Youth Voice")))
    checked = OrganisationImport.objects.get()
    run(client, checked, django_capture_on_commit_callbacks)

    again = run(client, checked, django_capture_on_commit_callbacks)
    assert imports.run_import(import_id=checked.pk) == "skipped"

    assert again.status_code == 302
    assert Organisation.objects.count() == 1
    assert AuditEntry.objects.filter(action="organisation_import.done").count() == 1


def test_progress_fragment_reports_rows_done_while_running_and_reloads_when_done(
    client_for, convenor
):
    queued = OrganisationImport.objects.create(
        file_name="a.csv",
        content="",
        status=OrganisationImport.Status.QUEUED,
        rows_total=10_000,
        report={"lines": [], "totals": {}},
    )
    from django.core.cache import cache

    cache.set(imports.progress_key(queued.pk), 3_500)
    client = client_for(convenor)
    url = reverse("members:import_progress", args=[queued.pk])

    running = client.get(url)

    assert "3,500 of 10,000 rows" in running.content.decode()
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "HX-Refresh" not in running
    OrganisationImport.objects.filter(pk=queued.pk).update(status="done", rows_done=10_000)
    assert client.get(url)["HX-Refresh"] == "true"


def test_report_page_runs_a_fixed_number_of_queries(
    client_for, convenor, django_assert_max_num_queries
):
    content = csv_bytes(*[row(name=f"Group {n}") for n in range(300)])
    client = client_for(convenor)
    upload(client, content)
    checked = OrganisationImport.objects.get()

    with django_assert_max_num_queries(8):
        response = client.get(reverse("members:import", args=[checked.pk]))

    assert response.content.decode().count('class="import-line ') == 200


def test_report_names_the_changes_for_people(client_for, convenor, uganda_member):
    client = client_for(convenor)
    upload(client, csv_bytes(row(name=uganda_member.name, kind="union", short_name="KWFC")))
    checked = OrganisationImport.objects.get()

    html = client.get(reverse("members:import", args=[checked.pk])).content.decode()

    assert "Changes: short name, kind" in html


# Lost tasks ----------------------------------------------------------------------------


def test_sweeper_queues_again_an_import_whose_task_was_lost(
    client_for, convenor, django_capture_on_commit_callbacks
):
    client = client_for(convenor)
    upload(client, csv_bytes(row(name="Gulu Youth Voice")))
    checked = OrganisationImport.objects.get()
    with django_capture_on_commit_callbacks(execute=False):  # the broker loses the task
        imports.start_import(organisation_import=checked, started_by=convenor)
    assert imports.requeue_lost_imports() == []  # started just now: perhaps still queued

    OrganisationImport.objects.filter(pk=checked.pk).update(
        started_at=timezone.now() - timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.requeue_lost_imports() == [checked.pk]

    checked.refresh_from_db()
    assert checked.status == OrganisationImport.Status.DONE
    assert Organisation.objects.filter(name="Gulu Youth Voice").count() == 1


def test_progress_never_goes_back_to_zero_in_the_moment_a_run_commits(convenor):
    """The page's copy of the import still says 'queued' while the run has just committed
    and removed its figure from the cache: the row's final count is shown, not 0."""
    checked = imports.check_upload(
        upload=SimpleUploadedFile("a.csv", csv_bytes(row(name="Gulu Youth Voice"))),
        uploaded_by=convenor,
    )
    stale = OrganisationImport.objects.get(pk=checked.pk)
    stale.status = OrganisationImport.Status.QUEUED  # as the page read it a moment ago
    OrganisationImport.objects.filter(pk=checked.pk).update(
        status=OrganisationImport.Status.DONE, rows_done=1
    )
    assert imports.rows_done(stale) == 1
