"""Convening fan-out: invitations to N organisations, each email with its .ics rendered
and delivered by one Celery worker to a local SMTP server, end to end (from the commit
of the invitations to the last message received); and the floor: the same messages,
pre-rendered, sent by a bare loop over one reused SMTP connection.

    make bench-fanout            # 20,000 invitations, on services of its own
    bench/fanout.py --profile -n 2000   # in-process: CPU per message, and where it goes

Target: the worker delivers at least half the floor's rate and at least 400 messages a
second. Ends with
`RESULT fanout_per_s=... floor_per_s=... ratio=... lost=... duplicated=...`.
"""

import argparse
import cProfile
import datetime as dt
import multiprocessing
import pstats
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
    parser.add_argument("-n", "--invitations", type=int, default=20_000)
    parser.add_argument(
        "-c",
        "--concurrency",
        type=int,
        default=None,
        help="worker pool processes (default: production's, one per core)",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for delivery")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the fan-out and delivery in this process (no broker, no worker) and print"
        " CPU per message and a profile of where it goes",
    )
    arguments = parser.parse_args()
    count = arguments.invitations

    setup_django()
    if arguments.profile:
        profile(count)
        return
    from django.conf import settings
    from django.db import connection

    from alliance.core.outbox.models import OutgoingMessage
    from campaigns import services
    from tests.fixtures.services import CeleryWorker, SmtpServer, celery_environment, database_url

    run = f"fanout-{int(time.time())}"
    convening, convenor, organisations = invitees(count, run)

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
            convening=convening, organisations=organisations, invited_by=convenor
        ),
    )

    invitations = OutgoingMessage.objects.filter(key__startswith=f"convening:{convening.pk}:")
    lost, duplicated, unsent = delivery_outcome(smtp, invitations, expected=count)
    fanout_per_s = count / delivery_seconds
    print(f"fan-out: {count} invitations, 1 worker (concurrency {worker.pool_processes})")
    print(f"  invitations committed in {commit_seconds:.2f} s (the organiser's wait)")
    print(f"  all delivered {delivery_seconds:.2f} s after the start: {fanout_per_s:.0f}/s")
    print(f"  worker CPU: {worker_cpu * 1000 / count:.2f} ms per invitation")
    print(f"  lost {lost}, duplicated {duplicated}, rows not marked sent {unsent}")

    floor_per_s = measure_smtp_floor(smtp, invitations, timeout=120)

    print_result(
        fanout_per_s=round(fanout_per_s),
        floor_per_s=round(floor_per_s),
        ratio=round(fanout_per_s / floor_per_s, 2),
        lost=lost,
        duplicated=duplicated,
    )


def invitees(count: int, run: str):
    """A scheduled convening in a zone with daylight saving, and `count` organisations
    with one contact each (four languages). Returns the convening, its organiser and the
    organisations."""
    from django.utils import timezone

    from alliance.core.accounts.models import User
    from campaigns.models import Convening
    from members.models import Contact, NationalAlliance, Organisation

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
    return convening, convenor, Organisation.objects.filter(name__startswith=f"{run} ")


def _smtp_server_process(requests, answers) -> None:
    """An SMTP server in a process of its own, so that its CPU is not the profile's."""
    from tests.fixtures.services import SmtpServer

    smtp = SmtpServer().start()
    answers.put((smtp.host, smtp.port))
    smtp.wait_for(requests.get(), timeout=600)
    answers.put(smtp.count)
    smtp.stop()


def profile(count: int) -> None:
    """The worker's path per invitation, in this process: the fan-out task writing the
    emails with their .ics, and the outbox claiming, rendering, sending and marking them.
    Tasks run in-process (eager); the SMTP server runs in another process. Two rounds:
    one timed (CPU per message), one under cProfile (where it goes)."""
    from django.conf import settings
    from django.db import transaction

    from alliance.celery import app
    from campaigns import services

    context = multiprocessing.get_context("spawn")
    requests, answers = context.Queue(), context.Queue()
    server = context.Process(target=_smtp_server_process, args=(requests, answers))
    server.start()
    host, port = answers.get(timeout=30)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    app.conf.task_always_eager = True
    requests.put(2 * count)
    print(f"machine: {describe_machine()}")

    figures = {}
    for round_name in ("timed", "profiled"):
        convening, convenor, organisations = invitees(count, f"profile-{round_name}-{time.time()}")
        profiler = cProfile.Profile()
        cpu_before, started = time.process_time(), time.perf_counter()
        if round_name == "profiled":
            profiler.enable()
        with transaction.atomic():  # the tasks run in-process when this commits
            services.invite_organisations(
                convening=convening, organisations=organisations, invited_by=convenor
            )
        profiler.disable()
        figures[round_name] = (time.process_time() - cpu_before, time.perf_counter() - started)
    delivered = answers.get(timeout=120)
    server.join(timeout=30)

    cpu, wall = figures["timed"]
    print(f"in-process fan-out: {count} invitations, emails delivered to SMTP: {delivered}")
    print(f"  CPU {cpu * 1000 / count:.2f} ms per invitation, {count / wall:.0f}/s in one process")
    print("  where the profiled round's time went (cProfile adds its own overhead):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    print("  the project's own steps, by cumulative time:")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(
        r"(outbox|campaigns)/(services|tasks).py"
    )
    print_result(profile_cpu_ms_per_invitation=round(cpu * 1000 / count, 2))


if __name__ == "__main__":
    main()
