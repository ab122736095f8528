"""The hand-over PDF of a statement with 10,000 listed signatories, on Postgres.

    make bench-handover                       # on services of its own (scripts/bench.sh)
    python bench/handover.py -n 10000         # on the DATABASE_URL in the environment

Seeds the organisations with `seed_bulk` when the database has fewer, makes a published
statement in English and French signed by N of them (and N/20 more counted without their
names), then builds its document as the task does (`statements.handover.render_pdf`:
queries, template, layout, PDF) and, for the threshold under which the request builds it
while the reader waits, the same for BUILD_WHILE_WAITING_UP_TO signatories. Target: N =
10,000 in under 30 s. Ends with `RESULT handover_s=... cpu_s=... pages=... mb=... threshold_s=...`.
"""

import argparse
import os
import subprocess
import tempfile
import time

from _support import describe_machine, ensure_organisations, print_result, setup_django

os.environ.setdefault("STATIC_MANIFEST", "0")


def signed_statement(signatories: int, counted_only: int):
    from django.utils import timezone

    from members.models import Organisation
    from statements.models import Signature, Statement, StatementText, StatementVersion

    statement = Statement.objects.create(
        status=Statement.Status.PUBLISHED, published_at=timezone.now()
    )
    version = StatementVersion.objects.create(statement=statement, number=1)
    body = "\n\n".join(["62 people own the same wealth as **half the world**."] * 12)
    StatementText.objects.create(
        version=version, language="en", title="Civil society steps up", body=body
    )
    StatementText.objects.create(
        version=version, language="fr", title="La société civile", body=body
    )
    organisations = Organisation.objects.order_by("pk").values_list("pk", flat=True)
    Signature.objects.bulk_create(
        Signature(
            statement=statement,
            organisation_id=organisation_id,
            version=version,
            signatory_name="Bench Signer",
            email=f"bench{number}@example.org",
            status=Signature.Status.CONFIRMED,
            listed_publicly=number < signatories,
        )
        for number, organisation_id in enumerate(organisations[: signatories + counted_only])
    )
    return statement


def build(statement, *, text: str = "en") -> tuple[float, float, bytes]:
    """Wall-clock and CPU seconds (this process: WeasyPrint and Pango run in it) of one
    build. On a shared machine the wall clock follows the neighbours' load; CPU time
    says what the build costs."""
    from statements.handover import HandoverOptions, render_pdf

    options = HandoverOptions(
        text_language=text, grouping="country", paper="a4", reader_language="en"
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    content = render_pdf(statement, options)
    return time.perf_counter() - started, time.process_time() - cpu_started, content


def pages(content: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(content)
        pdf.flush()
        info = subprocess.run(["pdfinfo", pdf.name], capture_output=True, text=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--signatories", type=int, default=10_000)
    arguments = parser.parse_args()

    setup_django()
    from statements.handover import BUILD_WHILE_WAITING_UP_TO

    n = arguments.signatories
    ensure_organisations(n + n // 20 + BUILD_WHILE_WAITING_UP_TO)
    print(describe_machine())

    large = signed_statement(n, n // 20)
    seconds, cpu, content = build(large)
    large_pages = pages(content)
    print(
        f"{n:,} listed signatories (+{n // 20:,} counted only): {seconds:.1f} s "
        f"({cpu:.1f} s CPU), {large_pages} pages, {len(content) / 1e6:.2f} MB"
    )
    both_seconds, both_cpu, _content = build(large, text="all")
    print(f"the same, both texts: {both_seconds:.1f} s ({both_cpu:.1f} s CPU)")

    threshold = signed_statement(BUILD_WHILE_WAITING_UP_TO, 0)
    threshold_seconds, threshold_cpu, _content = build(threshold)
    print(
        f"{BUILD_WHILE_WAITING_UP_TO:,} (built in the request): {threshold_seconds:.1f} s "
        f"({threshold_cpu:.1f} s CPU)"
    )
    print(describe_machine())
    print_result(
        handover_s=f"{seconds:.1f}",
        cpu_s=f"{cpu:.1f}",
        pages=large_pages,
        mb=f"{len(content) / 1e6:.2f}",
        threshold_s=f"{threshold_seconds:.1f}",
    )


if __name__ == "__main__":
    main()
