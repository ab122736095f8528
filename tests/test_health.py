import pytest

from alliance.celery import app as celery_app


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] in ("ok", "not configured")
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.fixture
def broker_down(settings):
    """Point the broker at a closed loopback port."""
    closed = "redis://127.0.0.1:1/0"
    original = celery_app.conf.broker_url, celery_app.conf.broker_write_url
    settings.CELERY_BROKER_URL = closed
    celery_app.conf.broker_url = celery_app.conf.broker_write_url = closed
    yield
    celery_app.conf.broker_url, celery_app.conf.broker_write_url = original


def test_healthz_is_503_when_the_broker_is_down(client, db, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"].startswith("error")
    assert body["database"] == "ok"


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    from django.db import DatabaseError

    class UnreachableDatabase:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr("alliance.views.connection", UnreachableDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")
