"""Convening fan-out: invitations to N organisations, each email with its .ics rendered
and delivered by one Celery worker to a local SMTP server, end to end (from the commit
of the invitations to the last message received); and the floor: the same messages,
pre-rendered, sent by a bare loop over one reused SMTP connection.

    make bench-fanout            # 20,000 invitations, on services of its own

Target: the worker delivers at least half the floor's rate and at least 400 messages a
second. Ends with
`RESULT fanout_per_s=... floor_per_s=... ratio=... lost=... duplicated=...`.
"""

import argparse
import datetime as dt
import time

from _support import (
    RESULTS,
    deliver_and_time,
    describe_machine,
    measure_smtp_floor,
    print_result,
    setup_django,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--invitations", type=int, default=20_000)
    parser.add_argument("-c", "--concurrency", type=int, default=1, help="worker pool processes")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for delivery")
    arguments = parser.parse_args()
    count = arguments.invitations

    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from alliance.accounts.models import User
    from alliance.outbox.models import OutgoingMessage
    from campaigns import services
    from campaigns.models import Convening
    from members.models import Contact, NationalAlliance, Organisation
    from tests.fixtures.services import CeleryWorker, SmtpServer, celery_environment, database_url

    run = f"fanout-{int(time.time())}"
    alliance = NationalAlliance.objects.filter(
        country="UG"
    ).first() or NationalAlliance.objects.create(
        country="UG", name="Uganda Fight Inequality Alliance (bench)"
    )
    convenor, _ = User.objects.get_or_create(
        email="bench.convenor@example.org", defaults={"is_convenor": True, "name": "Bench"}
    )
    starts = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=30)
    convening = Convening.objects.create(
        title=f"National assembly ({run})",
        scope=Convening.Scope.NATIONAL,
        national_alliance=alliance,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6),
        time_zone="Europe/Paris",  # a zone with daylight saving: a real VTIMEZONE
        venue="Kampala",
        agenda="1. Welcome\n2. **Tax justice**\n3. The Davos statement",
        status=Convening.Status.SCHEDULED,
    )
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(name=f"{run} {n}", slug=f"{run}-{n}", kind="grassroots", country="UG")
            for n in range(count)
        ],
        batch_size=2000,
    )
    Contact.objects.bulk_create(
        [
            Contact(
                organisation=organisation,
                name=f"Contact {n}",
                email=f"{run}-{n}@example.org",
                language=("en", "fr", "es", "pt")[n % 4],
            )
            for n, organisation in enumerate(organisations)
        ],
        batch_size=2000,
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
    print(f"machine: {describe_machine()}")
    commit_seconds, delivery_seconds, worker_cpu = deliver_and_time(
        worker,
        smtp,
        count,
        timeout=arguments.timeout,
        work=lambda: services.invite_organisations(
            convening=convening,
            organisations=Organisation.objects.filter(name__startswith=f"{run} "),
            invited_by=convenor,
        ),
    )

    prefix = f"convening:{convening.pk}:"
    received = smtp.key_counts()
    keys = set(OutgoingMessage.objects.filter(key__startswith=prefix).values_list("key", flat=True))
    lost = count - sum(1 for key in received if key.startswith(prefix))
    duplicated = sum(n - 1 for key, n in received.items() if key.startswith(prefix))
    unsent = OutgoingMessage.objects.filter(key__in=keys).exclude(status="sent").count()
    fanout_per_s = count / delivery_seconds
    print(f"fan-out: {count} invitations, 1 worker (concurrency {arguments.concurrency})")
    print(f"  invitations committed in {commit_seconds:.2f} s (the organiser's wait)")
    print(f"  all delivered {delivery_seconds:.2f} s after the start: {fanout_per_s:.0f}/s")
    print(f"  worker CPU: {worker_cpu * 1000 / count:.2f} ms per invitation")
    print(f"  lost {lost}, duplicated {duplicated}, rows not marked sent {unsent}")

    floor_per_s = measure_smtp_floor(
        smtp, OutgoingMessage.objects.filter(key__in=keys), timeout=120
    )

    print_result(
        fanout_per_s=round(fanout_per_s),
        floor_per_s=round(floor_per_s),
        ratio=round(fanout_per_s / floor_per_s, 2),
        lost=lost,
        duplicated=duplicated,
    )


if __name__ == "__main__":
    main()
