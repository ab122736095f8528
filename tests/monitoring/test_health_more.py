"""/healthz reports the release, beat's last sending and the outbox's oldest waiting
message, and answers 503 when either is past its threshold."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from alliance import __version__
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, queue_email
from alliance.monitoring.models import BeatRun


def test_healthz_reports_the_release(client, db):
    body = client.get("/healthz").json()
    assert body["version"] == __version__ != "unknown"


def test_the_release_command_prints_the_same_release(capsys):
    call_command("release")
    assert capsys.readouterr().out.strip() == __version__


def test_a_new_installation_whose_beat_never_ran_is_healthy(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["beat"] == "unknown"


def test_beat_silent_too_long_answers_503(client, db, settings):
    settings.HEALTHZ_BEAT_SILENT_SECONDS = 300
    run = BeatRun.objects.create(entry="outbox-sweep", task="x", last_sent_at=timezone.now())
    assert client.get("/healthz").json()["beat"] == "ok"
    run.last_sent_at = timezone.now() - dt.timedelta(minutes=6)
    run.save()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"].startswith("silent for")
    assert 355 < response.json()["beat_last_sent_seconds_ago"] < 400


def test_an_outbox_message_waiting_too_long_answers_503(client, db, settings):
    settings.HEALTHZ_OUTBOX_MAX_AGE_SECONDS = 600
    queue_email(Email(key="health:1", to_email="someone@example.org", template="notice"))
    assert client.get("/healthz").status_code == 200
    OutgoingMessage.objects.update(created_at=timezone.now() - dt.timedelta(minutes=11))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["outbox"].startswith("oldest message waiting")
    OutgoingMessage.objects.update(status=OutgoingMessage.Status.SENT)
    assert client.get("/healthz").status_code == 200
