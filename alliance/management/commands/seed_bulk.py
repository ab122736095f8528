"""`manage.py seed_bulk --organisations 100000`: a large, realistic directory for
benchmarks (see `alliance.demo.bulk`).

Every run adds N organisations with new slugs (prefix `bulk-`); `--reset` deletes the
previous bulk rows first. All of it happens in one transaction. The reference rows it
stands on (focus areas, principles, national alliances) are the demo's, created if
missing.
"""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from alliance.demo import bulk
from alliance.demo.reference import seed_focus_areas, seed_national_alliances, seed_principles

METHODS = ("auto", "copy", "bulk_create")


class Command(BaseCommand):
    help = (
        "Add N synthetic organisations (with contacts, focus areas and memberships) for "
        "benchmarks. On Postgres they are written with COPY by default, the faster way."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisations", type=int, default=100_000, help="How many (default 100,000)."
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="Seed the random generator: same data."
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=10_000,
            help="Organisations generated and written per round trip (default 10,000).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete earlier bulk organisations first."
        )
        parser.add_argument(
            "--method",
            choices=METHODS,
            default="auto",
            help="copy (Postgres only), bulk_create, or auto: copy on Postgres.",
        )

    def handle(self, *args, organisations, seed, batch_size, reset, method, **options):
        if organisations < 0 or batch_size < 1:
            raise CommandError("--organisations must be 0 or more and --batch-size 1 or more.")
        writer = self._writer(method, batch_size)
        started = time.monotonic()
        with transaction.atomic():
            if reset:
                deleted = bulk.delete_bulk_data()
                # Most of its cost comes at commit, when Postgres checks the foreign keys.
                self.stdout.write(f"Deleting {deleted:,} earlier bulk organisations.")
            generator = bulk.BulkGenerator(
                rng=random.Random(seed),
                focus_areas=seed_focus_areas().values(),
                alliances=seed_national_alliances().values(),
                principles=seed_principles().values(),
                now=timezone.now(),
            )
            counts = bulk.Counts()
            first = bulk.next_serial()
            for start in range(first, first + organisations, batch_size):
                serials = range(start, min(start + batch_size, first + organisations))
                bulk.write(generator, writer, serials, counts)
                if options["verbosity"] > 1:
                    self.stdout.write(f"  {counts.organisations:,} organisations written")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(self._summary(counts, elapsed, reset, writer)))
        if connection.vendor == "postgresql":
            started = time.monotonic()
            bulk.analyze()
            self.stdout.write(
                f"Refreshed planner statistics in {time.monotonic() - started:.1f} s."
            )

    def _summary(self, counts, elapsed: float, reset: bool, writer) -> str:
        return (
            f"Created {counts.organisations:,} organisations, {counts.contacts:,} contacts, "
            f"{counts.focus_links:,} focus-area links and {counts.memberships:,} memberships "
            f"({counts.approved:,} approved, {counts.in_national_alliances:,} in national "
            f"alliances) in {elapsed:.1f} s{' including the reset' if reset else ''}, "
            f"with {writer.name} on {connection.vendor}."
        )

    def _writer(self, method: str, batch_size: int):
        on_postgres = connection.vendor == "postgresql"
        if method == "copy" and not on_postgres:
            raise CommandError("--method copy needs Postgres; use bulk_create elsewhere.")
        if method == "copy" or (method == "auto" and on_postgres):
            return bulk.CopyWriter()
        return bulk.BulkCreateWriter(batch_size)
