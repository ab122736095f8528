"""/metrics: who may read it, and the figures an operator watches."""

import datetime as dt

import pytest
from django.utils import timezone

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, queue_email


def scrape(client, **headers) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def value(body: str, name: str) -> float:
    for line in body.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics")


def test_metrics_answer_this_machine_without_a_token(client, db):
    assert "alliance_outbox_backlog" in scrape(client)


def test_metrics_refuse_a_public_address(client, db):
    response = client.get("/metrics", REMOTE_ADDR="81.2.69.160")
    assert response.status_code == 403
    assert "alliance_" not in response.content.decode()


@pytest.mark.parametrize(
    ("header", "status"),
    [(None, 403), ("Bearer wrong", 403), ("Bearer s3cret-metrics-token", 200)],
)
def test_with_a_token_only_its_bearer_reads_metrics(client, db, settings, header, status):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    headers = {"Authorization": header} if header else {}
    assert client.get("/metrics", headers=headers).status_code == status


def test_the_outbox_backlog_and_its_oldest_age_are_reported(client, db):
    assert value(scrape(client), "alliance_outbox_backlog") == 0
    assert value(scrape(client), "alliance_outbox_oldest_pending_age_seconds") == 0
    for number in range(3):
        queue_email(
            Email(
                key=f"metrics-test:{number}",
                to_email=f"person{number}@example.org",
                template="notice",
            )
        )
    OutgoingMessage.objects.filter(key="metrics-test:0").update(
        created_at=timezone.now() - dt.timedelta(minutes=20)
    )
    OutgoingMessage.objects.filter(key="metrics-test:2").update(
        status=OutgoingMessage.Status.FAILED
    )
    body = scrape(client)
    assert value(body, "alliance_outbox_backlog") == 2
    assert value(body, "alliance_outbox_failed_messages") == 1
    assert 1190 < value(body, "alliance_outbox_oldest_pending_age_seconds") < 1300
    assert "person0@example.org" not in body


def test_the_metrics_name_no_person(client, db):
    queue_email(
        Email(
            key="metrics-test:name",
            to_email="hidden@example.org",
            to_name="Hidden Person",
            template="notice",
        )
    )
    body = scrape(client)
    assert "hidden@example.org" not in body and "Hidden Person" not in body
