"""Outbox throughput: messages queued, delivered by one Celery worker to a local SMTP
server, end to end; and the floor: the same messages, pre-rendered, sent by a bare loop
over one reused SMTP connection.

    make bench-outbox            # 5,000 messages, on services of its own

Ends with `RESULT outbox_per_s=... floor_per_s=... ratio=... lost=... duplicated=...`.
"""

import argparse
import time

from _support import (
    RESULTS,
    deliver_and_time,
    delivery_outcome,
    describe_machine,
    measure_smtp_floor,
    print_result,
    setup_django,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--messages", type=int, default=5000)
    parser.add_argument(
        "-c",
        "--concurrency",
        type=int,
        default=None,
        help="worker pool processes (default: production's, one per core)",
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for delivery")
    arguments = parser.parse_args()
    count = arguments.messages

    setup_django()
    from django.conf import settings
    from django.db import connection

    from alliance.core.outbox.models import OutgoingMessage
    from alliance.core.outbox.services import Email, queue_emails
    from tests.fixtures.services import (
        CeleryWorker,
        SmtpServer,
        celery_environment,
        database_url,
    )

    smtp = SmtpServer().start()
    worker = CeleryWorker(
        env=celery_environment(
            database=database_url(connection.settings_dict),
            broker=settings.CELERY_BROKER_URL,
            smtp=smtp.url,
            LOG_LEVEL="WARNING",
        ),
        log_dir=RESULTS,
        concurrency=arguments.concurrency,
        loglevel="WARNING",
    )
    run = f"bench:{int(time.time())}"
    emails = [
        Email(
            key=f"{run}:{n}",
            to_email=f"member{n}@example.org",
            to_name=f"Member {n}",
            language=("en", "fr", "es", "pt")[n % 4],
            template="notice",
            context={"subject": f"Notice {n}", "text": "The Davos statement is open for sign-on."},
        )
        for n in range(count)
    ]
    print(f"machine: {describe_machine()}")
    commit_seconds, delivery_seconds, worker_cpu = deliver_and_time(
        worker, smtp, count, timeout=arguments.timeout, work=lambda: queue_emails(emails)
    )

    messages = OutgoingMessage.objects.filter(key__startswith=run)
    lost, duplicated, unsent = delivery_outcome(smtp, messages, expected=len(emails))
    outbox_per_s = count / delivery_seconds
    print(
        f"outbox: {count} messages, 1 worker (concurrency {worker.pool_processes}),"
        " PostgreSQL with fsync on"
    )
    print(f"  queued and committed in {commit_seconds:.2f} s")
    print(f"  all delivered {delivery_seconds:.2f} s after the start: {outbox_per_s:.0f}/s")
    print(f"  worker CPU: {worker_cpu * 1000 / count:.2f} ms per message")
    print(f"  lost {lost}, duplicated {duplicated}, rows not marked sent {unsent}")

    floor_per_s = measure_smtp_floor(smtp, messages, timeout=60)

    print_result(
        outbox_per_s=round(outbox_per_s),
        floor_per_s=round(floor_per_s),
        ratio=round(outbox_per_s / floor_per_s, 2),
        lost=lost,
        duplicated=duplicated,
    )


if __name__ == "__main__":
    main()
