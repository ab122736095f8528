"""Every answer carries a request id, writes one log line naming its route (never its
path: confirmation links carry tokens) and counts in the request metrics."""

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.utils import timezone

from statements.models import Statement
from tests.factories import StatementFactory


@pytest.fixture
def json_log():
    """The settings' JSON logging, writing to a buffer for the test."""
    stream = io.StringIO()
    config = json.loads(json.dumps(settings.LOGGING))
    config["handlers"]["console"]["formatter"] = "json"
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_an_answer_carries_a_new_request_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_the_proxys_request_id_is_kept(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "abcdef0123456789abcdef0123456789"})
    assert response["X-Request-ID"] == "abcdef0123456789abcdef0123456789"


def test_a_request_id_a_visitor_made_up_is_replaced(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert response["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(response["X-Request-ID"]) == 32


def test_each_request_writes_one_json_line_with_its_route_not_its_path(client, db, json_log):
    token = "secret-confirmation-token-1234567890"
    response = client.get(f"/statements/confirm/{token}/")
    records = [line for line in lines(json_log) if line["logger"] == "alliance.requests"]
    assert len(records) == 1
    record = records[0]
    assert record["request_id"] == response["X-Request-ID"]
    assert record["view"] == "statements:verify"
    assert record["route"] == "statements/confirm/<str:token>/"
    assert record["status"] == response.status_code
    assert record["level"] == "INFO" and "time" in record and record["duration_ms"] >= 0
    assert token not in json_log.getvalue()


def test_log_format_is_checked_at_start_up(monkeypatch):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import alliance.settings"],
        env={"PATH": "/usr/bin:/bin", "LOG_FORMAT": "xml", "DEBUG": "1"},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT must be json or plain" in result.stderr


def test_a_statement_page_is_counted_by_view_and_status(client, db):
    statement = StatementFactory(status=Statement.Status.PUBLISHED, published_at=timezone.now())
    client.get(f"/statements/{statement.slug}/")
    client.get("/no-such-page/")
    body = client.get("/metrics").content.decode()
    assert (
        'alliance_http_requests_total{method="GET",status="200",view="statements:detail"}' in body
    )
    assert 'status="404",view="<unresolved>"' in body
    assert (
        'alliance_http_request_duration_seconds_bucket{le="0.005",view="statements:detail"}' in body
    )
