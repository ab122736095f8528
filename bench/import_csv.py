"""The CSV import of organisations at 10,000 rows, on Postgres.

    make bench-import_csv                 # on services of its own (scripts/bench.sh)
    python bench/import_csv.py -n 10000   # on the DATABASE_URL in the environment

Writes a CSV of N rows the way a convenor would: a fifth of them name organisations
already in the database (same name and country: updates), the rest are new; every row
has two focus areas and a contact, one in three joins a national alliance. Then times
the dry run (`check_upload`: read, check every line against the database) and the real
run (`run_import`, what the Celery task calls: check again, then write everything in one
transaction). Target: 10,000 rows in under 60 s. Each run uses fresh names, so it can
be repeated on the same database.

Ends with `RESULT import_rows_per_s=<n> import_10k_s=<n>`, where the time is the real
run's, scaled to 10,000 rows when N differs.
"""

import argparse
import csv
import io
import time
import uuid

from _support import describe_machine, print_result, setup_django


def build_csv(rows: int, *, existing, alliance, run_id: str) -> bytes:
    from members.imports import COLUMNS

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    updates = iter(existing)
    for n in range(rows):
        organisation = next(updates, None) if n % 5 == 0 else None
        if organisation is not None:
            name, country = organisation.name, organisation.country.code
        else:
            name, country = f"Bench organisation {run_id} {n}", alliance.country.code
        writer.writerow(
            {
                "name": name,
                "kind": ["grassroots", "union", "womens_rights", "research"][n % 4],
                "country": country,
                "city": f"City {n % 97}",
                "website": "" if organisation else f"https://org-{run_id}-{n}.example.org",
                "description": "Imported by the benchmark.",
                "focus_areas": "bench-gender;bench-land",
                "national_alliance": alliance.slug if n % 3 == 0 and not organisation else "",
                "contact_name": f"Person {n}",
                "contact_email": f"person{n}@org-{run_id}.example.org",
                "contact_role": "Coordinator",
                "contact_language": ["en", "fr", "es", "pt"][n % 4],
                "contact_authorised_to_sign": "yes" if n % 2 else "no",
                "consent_text": "Agreed by email to be contacted by the alliance.",
            }
        )
    return buffer.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--rows", type=int, default=10_000)
    arguments = parser.parse_args()

    setup_django()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from alliance.core.accounts.models import User
    from members import imports
    from members.models import FocusArea, NationalAlliance, Organisation, OrganisationImport

    run_id = uuid.uuid4().hex[:8]
    convenor, _ = User.objects.get_or_create(
        email="bench.convenor@example.org", defaults={"is_convenor": True, "name": "Bench"}
    )
    for slug in ("bench-gender", "bench-land"):
        FocusArea.objects.get_or_create(slug=slug, defaults={"name": slug})
    alliance = NationalAlliance.objects.filter(country="UG").first()
    if alliance is None:
        alliance = NationalAlliance.objects.create(name="Bench Uganda alliance", country="UG")
    # Organisations to update: created here so that their names are unique.
    wanted_updates = arguments.rows // 5
    Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Existing {run_id} {n}",
                slug=f"existing-{run_id}-{n}",
                kind="other",
                country="KE",
            )
            for n in range(wanted_updates)
        ],
        batch_size=1000,
    )
    existing = list(Organisation.objects.filter(name__startswith=f"Existing {run_id} "))
    content = build_csv(arguments.rows, existing=existing, alliance=alliance, run_id=run_id)
    print(
        f"{arguments.rows:,} rows ({len(content) / 1024 / 1024:.1f} MB) into "
        f"{Organisation.objects.count():,} organisations on {connection.vendor}; "
        f"{describe_machine()}",
        flush=True,
    )

    started = time.perf_counter()
    checked = imports.check_upload(
        upload=SimpleUploadedFile("bench.csv", content), uploaded_by=convenor
    )
    dry_run_s = time.perf_counter() - started
    print(
        f"dry run   {dry_run_s:6.2f} s: {checked.created_count:,} to create, "
        f"{checked.updated_count:,} to update, {checked.rejected_count:,} rejected",
        flush=True,
    )
    if checked.rejected_count:
        first = next(line for line in checked.report["lines"] if line["action"] == "reject")
        raise SystemExit(f"the benchmark's file has rejected lines: {first}")

    OrganisationImport.objects.filter(pk=checked.pk).update(status=OrganisationImport.Status.QUEUED)
    started = time.perf_counter()
    outcome = imports.run_import(import_id=checked.pk)
    real_run_s = time.perf_counter() - started
    checked.refresh_from_db()
    print(
        f"real run  {real_run_s:6.2f} s: {outcome}, {checked.created_count:,} created, "
        f"{checked.updated_count:,} updated",
        flush=True,
    )
    if outcome != "done":
        raise SystemExit(f"the import did not finish: {checked.error}")
    rows_per_s = arguments.rows / real_run_s
    print_result(
        import_rows_per_s=round(rows_per_s),
        import_10k_s=round(10_000 / rows_per_s, 1),
        dry_run_10k_s=round(dry_run_s * 10_000 / arguments.rows, 1),
    )


if __name__ == "__main__":
    main()
