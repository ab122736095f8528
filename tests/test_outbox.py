"""The outbox in this process: rows written with the change, sent once after commit, in the
recipient's language, retried on temporary failures, given up on permanent ones, and
recovered by the sweeper. Tasks run in-process here; tests/test_outbox_reliability.py
runs a real worker."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.test.signals import template_rendered
from django.utils import timezone, translation

from alliance.core.outbox import services
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, claim, deliver, queue_email, queue_emails, sweep
from tests.fixtures.services import require_services

pytestmark = pytest.mark.django_db

Status = OutgoingMessage.Status


def notice(key: str = "notice:1", to: str = "ana@example.org", **fields) -> Email:
    return Email(
        key=key,
        to_email=to,
        template="notice",
        context={"subject": "Davos statement", "text": "The statement is open for sign-on."},
        **fields,
    )


def test_queue_email_writes_a_pending_row_and_sends_it_only_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        message_id = queue_email(notice(to_name="Ana Lima", language="pt"))

    row = OutgoingMessage.objects.get()
    assert row.id == message_id
    assert (row.key, row.to_email, row.to_name, row.language, row.template) == (
        "notice:1",
        "ana@example.org",
        "Ana Lima",
        "pt",
        "notice",
    )
    assert row.status == Status.PENDING
    assert row.queued_at is not None
    assert mail.outbox == []

    for callback in callbacks:  # the commit
        callback()
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.sent_at is not None
    assert [message.to for message in mail.outbox] == [["Ana Lima <ana@example.org>"]]


def test_rolled_back_transaction_writes_nothing_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_email(notice())
        raise RuntimeError("the change that caused the email failed")

    assert not OutgoingMessage.objects.exists()
    assert callbacks == []
    assert mail.outbox == []


def test_same_key_twice_makes_one_row_and_one_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_email(notice(key="reminder:42:17:3d"))
        again = queue_email(notice(key="reminder:42:17:3d", to="someone.else@example.org"))
        batch = queue_emails([notice(key="reminder:42:17:3d"), notice(key="reminder:42:18:3d")] * 2)

    assert first is not None
    assert again is None
    assert batch == [OutgoingMessage.objects.get(key="reminder:42:18:3d").id]
    assert OutgoingMessage.objects.count() == 2
    assert OutgoingMessage.objects.get(key="reminder:42:17:3d").to_email == "ana@example.org"
    assert sorted(message.to[0] for message in mail.outbox) == [
        "ana@example.org",
        "ana@example.org",
    ]


def test_delivering_twice_sends_once(smtp_email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message_id = queue_email(notice())
    smtp_email.wait_for(1)

    assert deliver([message_id]) == 0  # a second copy of the task, after the first
    assert smtp_email.count == 1
    assert OutgoingMessage.objects.get().attempts == 1


def test_message_claimed_by_one_worker_is_not_sent_by_another(
    smtp_email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # not delivered: the broker still holds it
        message_id = queue_email(notice())
    assert [message.id for message in claim([message_id])] == [message_id]

    assert deliver([message_id]) == 0
    assert smtp_email.count == 0
    assert OutgoingMessage.objects.get().status == Status.SENDING


@pytest.mark.parametrize("language", ["en", "fr", "es", "pt"])
def test_message_is_rendered_in_the_recipients_language(
    smtp_email, django_capture_on_commit_callbacks, language
):
    with translation.override(language):
        view_site = translation.gettext("View site")
    assert (view_site == "View site") == (language == "en"), "a string translated in every language"
    # Whoever causes the message works in English; the recipient reads their own language.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        message_id = queue_email(notice(language=language, to_name="Ana Lima"))

    [received] = smtp_email.wait_for(1)
    assert received.recipients == ["ana@example.org"]
    assert received.subject == "Davos statement"
    assert received.language == language
    assert received.key == "notice:1"
    assert received.message_id == f"<outbox-{message_id}@testserver>"
    assert received.body.startswith("Ana Lima,\n\nThe statement is open for sign-on.")
    assert f"{view_site}: http://testserver/" in received.body
    assert f'<a href="http://testserver/">{view_site}</a>' in received.html
    assert f'<html lang="{language}">' in received.html


def test_attachments_arrive_with_the_message(smtp_email, django_capture_on_commit_callbacks):
    calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(
            notice(
                attachments=[
                    {"filename": "invite.ics", "mimetype": "text/calendar", "content": calendar}
                ]
            )
        )

    [received] = smtp_email.wait_for(1)
    [(filename, content_type, content)] = received.attachments
    assert (filename, content_type) == ("invite.ics", "text/calendar")
    assert "BEGIN:VCALENDAR" in content


def test_temporary_smtp_failure_is_retried_with_backoff(
    smtp_email, django_capture_on_commit_callbacks
):
    smtp_email.defer(2)  # the server answers 451 to the next two messages
    with django_capture_on_commit_callbacks(execute=True):
        ids = queue_emails([notice(key=f"notice:{n}", to=f"p{n}@example.org") for n in range(3)])

    first, *rest = OutgoingMessage.objects.filter(id__in=ids).order_by("id")
    assert first.status == Status.PENDING
    assert first.attempts == 1
    assert "451" in first.last_error
    assert 25 <= (first.next_attempt_at - timezone.now()).total_seconds() <= 30
    # The rest of the batch is given back without counting an attempt against it.
    for message in rest:
        assert (message.status, message.attempts) == (Status.PENDING, 0)
        assert message.next_attempt_at > timezone.now()
    assert smtp_email.count == 0
    assert deliver(ids) == 0, "nothing is due yet"

    OutgoingMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == {"reclaimed": 0, "requeued": 3}
    first.refresh_from_db()
    assert first.attempts == 2
    assert 55 <= (first.next_attempt_at - timezone.now()).total_seconds() <= 60, "backs off"

    OutgoingMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert sorted(message.key for message in smtp_email.wait_for(3)) == [
        "notice:0",
        "notice:1",
        "notice:2",
    ]
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    first.refresh_from_db()
    assert (first.attempts, first.last_error) == (3, "")


def test_message_that_keeps_failing_is_marked_failed_after_the_last_attempt(
    smtp_email, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    smtp_email.defer(2)
    with django_capture_on_commit_callbacks(execute=True):
        [message_id] = queue_emails([notice()])
    OutgoingMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    deliver([message_id])

    message = OutgoingMessage.objects.get()
    assert (message.status, message.attempts, message.next_attempt_at) == (
        Status.FAILED,
        2,
        None,
    )
    assert "451" in message.last_error
    assert smtp_email.count == 0


def test_refused_recipient_is_marked_failed_with_the_error(
    smtp_email, django_capture_on_commit_callbacks
):
    smtp_email.refuse("gone@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        queue_emails([notice(key="gone", to="gone@example.org"), notice(key="here")])

    gone = OutgoingMessage.objects.get(key="gone")
    assert (gone.status, gone.attempts, gone.next_attempt_at) == (Status.FAILED, 1, None)
    assert "550" in gone.last_error
    assert "gone@example.org" in gone.last_error
    # A refused address says nothing about the server: the rest of the batch goes out.
    assert OutgoingMessage.objects.get(key="here").status == Status.SENT
    assert [message.recipients for message in smtp_email.wait_for(1)] == [["ana@example.org"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == {"reclaimed": 0, "requeued": 0}, "a failed message stays failed"


def test_message_naming_a_missing_template_is_marked_failed_and_the_batch_goes_on(
    django_capture_on_commit_callbacks,
):
    broken = Email(key="broken", to_email="ana@example.org", template="no-such-template")
    with django_capture_on_commit_callbacks(execute=True):
        queue_emails([broken, notice(key="fine")])

    broken_row = OutgoingMessage.objects.get(key="broken")
    assert broken_row.status == Status.FAILED
    assert "TemplateDoesNotExist" in broken_row.last_error
    assert OutgoingMessage.objects.get(key="fine").status == Status.SENT
    assert len(mail.outbox) == 1


def test_stale_claim_is_reclaimed_by_sweep(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        stale_id, fresh_id = queue_emails([notice(key="stale"), notice(key="fresh")])
    claim([stale_id, fresh_id])  # ... by a worker that then died
    long_ago = timezone.now() - timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS + 1)
    OutgoingMessage.objects.filter(id=stale_id).update(claimed_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == {"reclaimed": 1, "requeued": 1}

    assert OutgoingMessage.objects.get(id=stale_id).status == Status.SENT
    # A recent claim may belong to a live worker: it is left alone.
    assert OutgoingMessage.objects.get(id=fresh_id).status == Status.SENDING
    assert [message.extra_headers["X-Alliance-Message-Key"] for message in mail.outbox] == ["stale"]


def test_sweep_requeues_what_the_broker_lost_but_not_what_it_still_holds(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks():  # queued, and then the broker lost them
        lost_id, recent_id = queue_emails([notice(key="lost"), notice(key="recent")])
    long_ago = timezone.now() - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS + 1)
    OutgoingMessage.objects.filter(id=lost_id).update(queued_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == {"reclaimed": 0, "requeued": 1}

    assert OutgoingMessage.objects.get(id=lost_id).status == Status.SENT
    assert OutgoingMessage.objects.get(id=recent_id).status == Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_requeue_each_row_once(monkeypatch):
    if connection.vendor != "postgresql":
        require_services("PostgreSQL (SQLite has no row locks)")
    dispatched = []
    dispatched_lock = threading.Lock()

    def record_dispatch(ids):
        with dispatched_lock:
            dispatched.extend(ids)

    monkeypatch.setattr(services, "dispatch", record_dispatch)
    with transaction.atomic():
        ids = queue_emails([notice(key=f"notice:{n}") for n in range(50)])
    dispatched.clear()
    OutgoingMessage.objects.update(queued_at=None)  # the broker never got them

    first_holds_its_locks = threading.Event()
    second_is_done = threading.Event()
    results = {}

    def pause_after_selecting_due_rows(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("SELECT") and "queued_at" in sql:
            first_holds_its_locks.set()
            second_is_done.wait(timeout=10)
        return result

    def first_sweep():
        try:
            with connection.execute_wrapper(pause_after_selecting_due_rows):
                results["first"] = sweep()
        finally:
            connection.close()

    thread = threading.Thread(target=first_sweep)
    thread.start()
    try:
        assert first_holds_its_locks.wait(timeout=10)
        results["second"] = sweep()
    finally:
        second_is_done.set()
        thread.join(timeout=10)

    assert results == {
        "first": {"reclaimed": 0, "requeued": 50},
        "second": {"reclaimed": 0, "requeued": 0},
    }
    assert sorted(dispatched) == sorted(ids)
    assert sweep() == {"reclaimed": 0, "requeued": 0}, "just queued: not requeued again"


# --- rendering once per shared context, and what arrives ---------------------------------


def test_personal_values_are_escaped_in_html_and_as_they_are_in_text(
    smtp_email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue_emails(
            [
                notice(key="notice:named", to_name="Ana & <Lima>"),
                notice(key="notice:unnamed", to="no.name@example.org"),
            ]
        )

    received = {message.key: message for message in smtp_email.wait_for(2)}
    named, unnamed = received["notice:named"], received["notice:unnamed"]
    assert named.body.startswith("Ana & <Lima>,\n\nThe statement is open")
    assert "<p>Ana &amp; &lt;Lima&gt;,</p>" in named.html
    # An empty personal value is false in `{% if %}`, as it was before the shared rendering.
    assert unnamed.body.startswith("The statement is open")
    assert "<p>," not in unnamed.html
    assert "\ue000" not in named.body + named.html + unnamed.body + unnamed.html


def test_messages_sharing_a_context_are_rendered_once(django_capture_on_commit_callbacks):
    rendered = []

    def record(sender, template, **kwargs):
        rendered.append(template.name)

    # A context no earlier test rendered: what this process keeps from those cannot serve it.
    text = f"Sign it ({uuid.uuid4().hex})."
    template_rendered.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            queue_emails(
                [
                    Email(
                        key=f"shared:{n}",
                        to_email=f"member{n}@example.org",
                        to_name=f"Member {n}",
                        template="notice",
                        context={"subject": "Davos statement", "text": text},
                    )
                    for n in range(10)
                ]
            )
    finally:
        template_rendered.disconnect(record)

    assert sorted(name for name in rendered if name.startswith("emails/notice/")) == [
        "emails/notice/body.html",
        "emails/notice/body.txt",
        "emails/notice/subject.txt",
    ]
    assert [message.body.splitlines()[0] for message in mail.outbox] == [
        f"Member {n}," for n in range(10)
    ]


def test_names_subjects_and_attachments_out_of_ascii_arrive_as_written(
    smtp_email, django_capture_on_commit_callbacks
):
    calendar = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Assemblée\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(
            Email(
                key="accents:1",
                to_email="amelie@example.org",
                to_name="Amélie Okello, Kapchorwa",
                language="fr",
                template="notice",
                context={"subject": "Assemblée nationale : ordre du jour", "text": "Été"},
                attachments=[
                    {
                        "filename": "invite.ics",
                        "mimetype": "text/calendar; method=REQUEST",
                        "content": calendar,
                    }
                ],
            )
        )

    [received] = smtp_email.wait_for(1)
    assert received.recipients == ["amelie@example.org"]
    assert received.message["To"].addresses[0].display_name == "Amélie Okello, Kapchorwa"
    assert received.subject == "Assemblée nationale : ordre du jour"
    assert received.language == "fr"
    assert "Été" in received.body and "Été" in received.html
    [ics] = received.message.iter_attachments()
    assert (ics.get_filename(), ics.get_content_type()) == ("invite.ics", "text/calendar")
    assert ics.get_param("method") == "REQUEST"
    assert "SUMMARY:Assemblée" in ics.get_content()


def test_a_line_too_long_for_8bit_arrives_intact(smtp_email, django_capture_on_commit_callbacks):
    long_line = "inequality " * 120  # 1,320 characters on one line
    with django_capture_on_commit_callbacks(execute=True):
        message_id = queue_email(
            Email(
                key="long:1",
                to_email="ana@example.org",
                template="notice",
                context={"subject": "Long", "text": long_line},
            )
        )

    [received] = smtp_email.wait_for(1)
    assert long_line.strip() in received.body
    assert OutgoingMessage.objects.get(pk=message_id).status == Status.SENT
