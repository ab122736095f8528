"""An organisation that was not asked signs from the public form of a statement open to
any organisation. The request validates and inserts one row; it answers 303 to "check
your email". The processor counts it against the rate limits and makes the signature
(tests/statements/test_public_signing_processing.py)."""

import datetime as dt
import time
import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.core.audit.models import AuditEntry
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from statements import services
from statements.models import PublicSubmission, Signature, Statement
from statements.services import public_signing
from statements.views import public_signing as public_signing_views
from tests.fixtures.faults import database_refuses

PUBLIC_SIGNATURE = {
    "organisation_name": "Lagos Tax Justice Network",
    "country": "NG",
    "kind": "network",
    "signatory_name": "Chioma Eze",
    "signatory_title": "Coordinator",
    "email": "Chioma+davos@LagosTax.example",
    "visibility": "listed",
    "website_url": "",
}


@pytest.fixture
def open_to_anyone(open_statement):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save()
    return open_statement


@pytest.fixture(autouse=True)
def processor_not_woken_yet():
    # A process queues one wake-up a second: one test's must not silence the next.
    services.wake_processor_on_next_submission()


class Clock:
    """In place of the `time` module in statements.services.public_signing or
    statements.views.public_signing: seconds that pass on demand."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def monotonic(self):
        return self.now

    def time(self):
        return time.time()


def sign_url(statement):
    return f"/statements/{statement.slug}/sign/public/"


def submit_and_process(client, statement, data=None, **post):
    """POST the public form, then run what the wake-up task runs."""
    response = client.post(sign_url(statement), data or PUBLIC_SIGNATURE, **post)
    services.process_public_submissions()
    return response


# --- The form page ----------------------------------------------------------------------


def test_the_public_form_page_shows_the_statement_and_a_private_form(client, open_to_anyone):
    response = client.get(sign_url(open_to_anyone))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Civil society steps up the fight on inequality" in html
    assert "As elites meet at Davos." in html
    assert 'name="organisation_name"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert response["Cache-Control"] == "private"


def test_the_public_form_page_speaks_the_language_asked_for(client, open_to_anyone):
    html = client.get(sign_url(open_to_anyone) + "?lang=fr").content.decode()
    assert "La société civile intensifie la lutte contre les inégalités" in html
    assert "Signer cette déclaration" in html or 'lang="fr"' in html


def test_an_invited_only_statement_has_no_public_form(client, open_statement, outsider):
    client.force_login(outsider)
    assert client.get(sign_url(open_statement)).status_code == 404
    assert client.post(sign_url(open_statement), PUBLIC_SIGNATURE).status_code == 404
    assert not PublicSubmission.objects.exists()


# --- The request: one insert, then 303 -------------------------------------------------


def test_a_submission_costs_one_read_and_one_insert(client, open_to_anyone):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)
    assert response.status_code == 303
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    assert statements == ["SELECT", "INSERT"], [q["sql"] for q in queries.captured_queries]
    assert "statements_publicsubmission" in queries.captured_queries[1]["sql"]


def test_under_a_burst_each_process_reads_the_statement_once_every_few_seconds(
    client, open_to_anyone, settings, monkeypatch
):
    settings.PUBLIC_SIGNING_STATEMENT_SECONDS = 2
    # A slug no earlier test's process has read: what the process knows starts here.
    open_to_anyone.slug = f"davos-{uuid.uuid4().hex[:8]}"
    open_to_anyone.save()
    clock = Clock(now=time.monotonic())
    monkeypatch.setattr(public_signing_views, "time", clock)
    client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE).status_code == 303
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["INSERT"]
    # Published meanwhile: refused once the process's seconds are over.
    Statement.objects.filter(pk=open_to_anyone.pk).update(status=Statement.Status.PUBLISHED)
    clock.now += settings.PUBLIC_SIGNING_STATEMENT_SECONDS
    assert client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE).status_code == 404
    assert PublicSubmission.objects.count() == 2


def test_a_submission_is_stored_as_typed_and_nothing_else_is_made_in_the_request(
    client, open_to_anyone
):
    client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)
    submission = PublicSubmission.objects.get()
    assert submission.status == PublicSubmission.Status.RECEIVED
    assert (submission.organisation_name, submission.country, submission.kind) == (
        "Lagos Tax Justice Network",
        "NG",
        "network",
    )
    assert submission.email == "Chioma+davos@LagosTax.example"
    assert submission.language == "en"
    assert submission.suspicion == ""
    assert not Signature.objects.exists()
    assert not OutgoingMessage.objects.exists()


def test_the_address_a_submission_came_from_is_never_stored(client, open_to_anyone):
    client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE, REMOTE_ADDR="203.0.113.9")
    stored = PublicSubmission.objects.values().get()
    assert not any("203.0.113.9" in str(value) for value in stored.values())
    # A digest keyed with the SECRET_KEY, kept until counted, then erased.
    assert stored["ip_digest"] == services.address_digest("203.0.113.9")
    assert stored["ip_digest"] != services.address_digest("203.0.113.10")
    services.process_public_submissions()
    assert PublicSubmission.objects.get().ip_digest == ""


def test_the_answer_is_a_303_to_check_your_email_so_a_refresh_never_posts_again(
    client, open_to_anyone
):
    response = client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)
    assert response.status_code == 303
    assert response["Location"].startswith(f"/statements/{open_to_anyone.slug}/sign/public/sent/")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Check your email" in html
    assert "Chioma+davos@LagosTax.example" in html


def test_the_check_email_page_shows_no_address_from_a_forged_link(client, open_to_anyone):
    url = f"/statements/{open_to_anyone.slug}/sign/public/sent/?to=victim@example.org"
    html = client.get(url).content.decode()
    assert "We are sending you a message." in html
    assert "to victim@example.org" not in html


def test_a_form_error_shows_the_form_again_with_everything_typed(client, open_to_anyone):
    response = client.post(sign_url(open_to_anyone), {**PUBLIC_SIGNATURE, "email": "not-an-email"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Lagos Tax Justice Network"' in html
    assert 'value="Chioma Eze"' in html
    assert 'value="not-an-email"' in html
    assert '<option value="NG" selected>' in html
    assert "Enter a valid email address." in html
    assert not PublicSubmission.objects.exists()


def test_after_the_deadline_the_form_says_so_and_stores_nothing(client, open_to_anyone):
    open_to_anyone.signon_closes_at = timezone.now() - dt.timedelta(minutes=1)
    open_to_anyone.save(update_fields=["signon_closes_at"])
    response = client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)
    assert response.status_code == 400
    assert "The deadline to sign this statement has passed." in response.content.decode()
    assert not PublicSubmission.objects.exists()


def test_when_the_organisation_signed_already_the_answer_is_the_same(
    client, open_to_anyone, uganda_member
):
    from tests.factories import SignatureFactory

    SignatureFactory(
        statement=open_to_anyone,
        organisation=uganda_member,
        signatory_name="Secret Signer",
        listed_publicly=False,
    )
    fresh = client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)
    known = client.post(
        sign_url(open_to_anyone),
        {**PUBLIC_SIGNATURE, "organisation_name": uganda_member.name, "country": "UG"},
    )
    assert (known.status_code, known["Location"]) == (fresh.status_code, fresh["Location"])
    html = client.get(known["Location"]).content.decode()
    assert "Secret Signer" not in html and "already" not in html


# --- Waking the processor ---------------------------------------------------------------


def post_organisations(client, statement, numbers):
    for n in numbers:
        client.post(
            sign_url(statement),
            {**PUBLIC_SIGNATURE, "organisation_name": f"Org {n}", "email": f"p{n}@x.example"},
        )


class Queue(list):
    """The tasks queued, by name; queuing succeeds unless `broker_down`."""

    broker_down = False

    def enqueue(self, task, *args, **kwargs) -> bool:
        self.append(task.name)
        return not self.broker_down


@pytest.fixture
def queued(monkeypatch):
    queue = Queue()
    monkeypatch.setattr(public_signing, "enqueue", queue.enqueue)
    return queue


def test_a_burst_of_submissions_queues_one_wake_up_a_second(
    client, open_to_anyone, monkeypatch, queued, django_capture_on_commit_callbacks
):
    clock = Clock()
    monkeypatch.setattr(public_signing, "time", clock)
    with django_capture_on_commit_callbacks(execute=True):
        post_organisations(client, open_to_anyone, range(5))
        clock.now += 0.9
        post_organisations(client, open_to_anyone, range(5, 8))
    assert PublicSubmission.objects.count() == 8
    assert queued == ["statements.tasks.process_public_submissions"]
    clock.now += 0.2  # the next second
    with django_capture_on_commit_callbacks(execute=True):
        post_organisations(client, open_to_anyone, [8])
    assert queued == ["statements.tasks.process_public_submissions"] * 2


def test_when_the_broker_is_down_the_rows_are_left_to_the_sweep(
    client, open_to_anyone, monkeypatch, queued, settings, django_capture_on_commit_callbacks
):
    """Each process tries to queue the processor once, then leaves its rows to beat's
    sweep for as long as the sweep takes: requests do not wait on a broker that is down
    every second."""
    settings.PUBLIC_SIGNING_SWEEP_SECONDS = 10
    clock = Clock()
    monkeypatch.setattr(public_signing, "time", clock)
    queued.broker_down = True
    with django_capture_on_commit_callbacks(execute=True):
        post_organisations(client, open_to_anyone, [1])
    clock.now += 5
    with django_capture_on_commit_callbacks(execute=True):
        post_organisations(client, open_to_anyone, [2])
    assert len(queued) == 1
    assert PublicSubmission.objects.filter(status=PublicSubmission.Status.RECEIVED).count() == 2
    clock.now += 5.1
    queued.broker_down = False
    with django_capture_on_commit_callbacks(execute=True):
        post_organisations(client, open_to_anyone, [3])
    assert len(queued) == 2


def test_the_wake_up_processes_the_submission_after_commit(
    client, open_to_anyone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)
    assert PublicSubmission.objects.get().status == PublicSubmission.Status.PROCESSED
    assert Signature.objects.get().status == Signature.Status.PENDING_VERIFICATION


def redis_cache_at(url: str) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


def test_with_redis_down_the_submission_is_stored_and_counting_fails_open(
    client, open_to_anyone, settings, queued
):
    settings.CACHES = redis_cache_at("redis://127.0.0.1:1/0")  # a closed port
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # what alliance.core.ratelimits counts on
    settings.PUBLIC_SIGNING_LIMITS = {"ip": 0, "email": 0, "window_seconds": 600}
    response = client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)
    assert response.status_code == 303
    assert "Check your email" in client.get(response["Location"]).content.decode()
    assert PublicSubmission.objects.get().status == PublicSubmission.Status.RECEIVED
    # The processor cannot count: nothing is marked suspicious, the signature is made.
    services.process_public_submissions()
    assert PublicSubmission.objects.get().suspicion == ""
    assert Signature.objects.get().suspicious is False


# --- Rate limits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("Ana@Example.org", "ana@example.org"),
        ("ana+davos@example.org", "ana@example.org"),
        (" ANA+x+y@EXAMPLE.ORG ", "ana@example.org"),
    ],
)
def test_emails_are_compared_in_a_canonical_form(given, canonical):
    assert services.canonical_email(given) == canonical


def submit_many(client, statement, count, *, email=lambda n: f"p{n}@office.example"):
    """Submit `count` signatures and process them; what each was suspected of."""
    for n in range(count):
        client.post(
            sign_url(statement),
            {**PUBLIC_SIGNATURE, "organisation_name": f"Org {n}", "email": email(n)},
        )
    services.process_public_submissions()
    return list(PublicSubmission.objects.order_by("pk").values_list("suspicion", flat=True))


def test_past_the_limit_per_address_the_next_submissions_are_kept_for_moderation(
    client, open_to_anyone
):
    flags = submit_many(client, open_to_anyone, 4, email=lambda n: f"chioma+{n}@LagosTax.example")
    assert [bool(flag) for flag in flags] == [False, False, False, True]
    assert flags[3] == "more than 3 in 60 minutes from this email"
    suspicious = Signature.objects.order_by("organisation__name").values_list(
        "suspicious", flat=True
    )
    assert list(suspicious) == [False, False, False, True]
    entry = AuditEntry.objects.get(action="signature.submitted", note__contains="more than")
    assert entry.note == "suspicious: more than 3 in 60 minutes from this email"
    assert entry.object_repr.startswith("Org 3 ")


def test_many_people_behind_one_office_address_are_not_blocked(client, open_to_anyone):
    flags = submit_many(client, open_to_anyone, 31)
    assert len(flags) == 31  # none dropped
    assert [n for n, flag in enumerate(flags) if flag] == [30]  # the 31st: moderation


def test_the_limits_and_window_are_settings_read_at_call_time(client, open_to_anyone, settings):
    settings.PUBLIC_SIGNING_LIMITS = {"ip": 2, "email": 100, "window_seconds": 600}
    flags = submit_many(client, open_to_anyone, 3)
    assert flags == ["", "", "more than 2 in 10 minutes from this ip"]


def test_a_bot_over_the_limit_is_suspected_of_both(client, open_to_anyone, settings):
    settings.PUBLIC_SIGNING_LIMITS = {"ip": 0, "email": 100, "window_seconds": 600}
    client.post(sign_url(open_to_anyone), {**PUBLIC_SIGNATURE, "website_url": "http://spam"})
    services.process_public_submissions()
    assert PublicSubmission.objects.get().suspicion == (
        "a field for bots was filled; more than 0 in 10 minutes from this ip"
    )


def test_submissions_are_counted_in_the_window_they_were_sent_in(client, open_to_anyone, settings):
    """However late the processor counts them: a backlog is not one window's burst."""
    settings.PUBLIC_SIGNING_LIMITS = {"ip": 1, "email": 100, "window_seconds": 600}
    post_organisations(client, open_to_anyone, range(3))
    first = PublicSubmission.objects.order_by("pk").first()
    PublicSubmission.objects.filter(pk=first.pk).update(
        created_at=first.created_at - dt.timedelta(seconds=600)
    )
    services.process_public_submissions()
    flags = PublicSubmission.objects.order_by("pk").values_list("suspicion", flat=True)
    assert list(flags) == ["", "", "more than 1 in 10 minutes from this ip"]


def test_a_submission_processed_again_is_not_counted_again(client, open_to_anyone, settings):
    settings.PUBLIC_SIGNING_LIMITS = {"ip": 1, "email": 100, "window_seconds": 600}
    post_organisations(client, open_to_anyone, [1])
    services.process_public_submissions()
    # A failed row sent through the processor again from the admin.
    PublicSubmission.objects.update(status=PublicSubmission.Status.RECEIVED, signature=None)
    services.process_public_submissions()
    assert PublicSubmission.objects.get().suspicion == ""


def test_a_filled_bot_field_marks_the_submission_suspicious(client, open_to_anyone):
    client.post(sign_url(open_to_anyone), {**PUBLIC_SIGNATURE, "website_url": "http://spam"})
    assert PublicSubmission.objects.get().suspicion == "a field for bots was filled"


@pytest.fixture
def real_redis_cache(settings) -> RedisCache:
    """The counters on the Redis of `make test` (REDIS_URL), counted by one script."""
    import os

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs Redis (REDIS_URL)")
    settings.CACHES = redis_cache_at(url)
    return caches["default"]


def test_in_redis_the_counters_count_and_expire_with_the_window(
    client, open_to_anyone, real_redis_cache, settings
):
    settings.PUBLIC_SIGNING_LIMITS = {"ip": 1, "email": 2, "window_seconds": 120}
    from alliance.core.ratelimits import shared_redis

    redis = shared_redis()
    pattern = f"{public_signing.RATE_KEY_PREFIX}:{open_to_anyone.pk}:*"
    redis.delete(*redis.keys(pattern) or ["nothing"])
    flags = submit_many(client, open_to_anyone, 3, email=lambda n: f"ana+{n}@example.org")
    assert flags == [
        "",
        "more than 1 in 2 minutes from this ip",
        "more than 1 in 2 minutes from this ip; more than 2 in 2 minutes from this email",
    ]
    keys = redis.keys(pattern)
    assert len(keys) == 2
    # A counter holds at most its limit, and lives until a window after its own.
    assert sorted(redis.scard(key) for key in keys) == [1, 2]
    assert all(0 < redis.ttl(key) <= 240 for key in keys)


def test_in_redis_counting_a_batch_again_counts_nothing_twice(
    client, open_to_anyone, real_redis_cache, settings
):
    """A batch whose transaction did not commit is processed again: the same answers."""
    settings.PUBLIC_SIGNING_LIMITS = {"ip": 2, "email": 100, "window_seconds": 120}
    post_organisations(client, open_to_anyone, range(3))
    # The database refuses the batch's audit entries, written last: the batch was counted,
    # and nothing of it is committed.
    with (
        database_refuses(
            AuditEntry, when="NEW.action = 'signature.submitted'", message="audit trail full"
        ),
        pytest.raises(DatabaseError, match="audit trail full"),
    ):
        services.process_public_submissions()
    assert list(PublicSubmission.objects.values_list("status", "suspicion").distinct()) == [
        (PublicSubmission.Status.RECEIVED, "")
    ]
    assert services.process_public_submissions() == 3
    suspicions = PublicSubmission.objects.order_by("pk").values_list("suspicion", flat=True)
    assert list(suspicions) == ["", "", "more than 2 in 2 minutes from this ip"]


def test_the_confirmation_link_in_the_email_confirms_by_post(client, open_to_anyone):
    submit_and_process(client, open_to_anyone)
    signature = Signature.objects.get()
    message = OutgoingMessage.objects.get(template="statement_signature_confirmation")
    assert message.to_email == "Chioma+davos@LagosTax.example"
    assert f"http://testserver/statements/confirm/{signature.token}/" in render(message).body
    assert client.get(f"/statements/confirm/{signature.token}/").status_code == 200
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING_VERIFICATION
    client.post(f"/statements/confirm/{signature.token}/")
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    assert signature.email_verified_at is not None
    assert AuditEntry.objects.filter(action="signature.email_verified").exists()


def test_with_moderation_a_confirmed_address_waits_for_a_moderator(client, open_to_anyone):
    open_to_anyone.moderation = True
    open_to_anyone.save()
    submit_and_process(client, open_to_anyone)
    signature = Signature.objects.get()
    client.post(f"/statements/confirm/{signature.token}/")
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING_MODERATION


def test_a_suspicious_signature_waits_for_a_moderator_once_confirmed(client, open_to_anyone):
    submit_and_process(client, open_to_anyone, {**PUBLIC_SIGNATURE, "website_url": "http://spam"})
    signature = Signature.objects.get()
    assert signature.suspicious is True
    client.post(f"/statements/confirm/{signature.token}/")
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING_MODERATION


def test_at_most_five_confirmation_emails_per_signature(client, open_to_anyone):
    submit_and_process(client, open_to_anyone)
    signature = Signature.objects.get()
    sent = [
        services.send_signature_confirmation(signature=signature, language="en") for _ in range(5)
    ]
    assert sent == [True, True, True, True, False]  # the processor sent the first
    assert OutgoingMessage.objects.filter(template="statement_signature_confirmation").count() == 5
