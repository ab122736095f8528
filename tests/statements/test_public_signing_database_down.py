"""The public signing form when the database does not answer: one retry on a fresh
connection, then a "try again" page (503, Retry-After) that keeps what was typed; never
a 500, and nothing answered as accepted is lost. The last test restarts the test
PostgreSQL for real in the middle of a burst of signatures."""

import threading
import time

import pytest
from django.db import OperationalError, connection
from django.test import Client

from statements import services
from statements.models import PublicSubmission, Statement
from tests.statements.test_public_signing import PUBLIC_SIGNATURE, sign_url


@pytest.fixture
def open_to_anyone(open_statement):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save()
    return open_statement


@pytest.fixture
def failing_database(monkeypatch):
    """The submission's INSERT fails as on a dead connection, `times` times."""
    real = services.sign_publicly
    failures = {"left": 0, "seen": 0}

    def sign_publicly(**kwargs):
        if failures["left"]:
            failures["left"] -= 1
            failures["seen"] += 1
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(services, "sign_publicly", sign_publicly)
    return failures


@pytest.mark.django_db
def test_one_database_failure_is_retried_on_a_fresh_connection(
    client, open_to_anyone, failing_database
):
    failing_database["left"] = 1

    response = client.post(sign_url(open_to_anyone), PUBLIC_SIGNATURE)

    assert response.status_code == 303
    assert failing_database["seen"] == 1
    assert PublicSubmission.objects.get().email == PUBLIC_SIGNATURE["email"]


@pytest.mark.django_db
def test_a_database_that_stays_down_gets_a_try_again_page_keeping_what_was_typed(
    open_to_anyone, failing_database
):
    failing_database["left"] = 2
    client = Client(raise_request_exception=False)

    response = client.post(sign_url(open_to_anyone) + "?lang=fr", PUBLIC_SIGNATURE)

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert 'value="Lagos Tax Justice Network"' in html
    assert 'value="Chioma Eze"' in html
    assert f'value="{PUBLIC_SIGNATURE["email"]}"' in html
    assert '<option value="NG" selected>' in html
    assert f'action="{sign_url(open_to_anyone)}?lang=fr"' in html
    assert "Merci d’envoyer à nouveau votre signature" in html
    assert not PublicSubmission.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_burst_across_a_postgres_restart_gets_no_500_and_loses_no_accepted_signature(
    open_to_anyone, restartable_postgres
):
    client = Client(raise_request_exception=False)
    answers: dict[str, int] = {}
    restarted = threading.Event()

    def restart():
        time.sleep(0.5)
        restartable_postgres.restart()
        restarted.set()

    restarter = threading.Thread(target=restart)
    restarter.start()
    deadline = time.monotonic() + 90
    number, after_restart = 0, 0
    # Sign until well after the server is back: the burst straddles the restart.
    while after_restart < 30 and time.monotonic() < deadline:
        email = f"signer{number}@example.org"
        response = client.post(
            sign_url(open_to_anyone),
            {**PUBLIC_SIGNATURE, "email": email, "organisation_name": f"Org {number}"},
        )
        answers[email] = response.status_code
        if response.status_code == 503:
            assert response["Retry-After"]
            time.sleep(0.05)
        number += 1
        after_restart += restarted.is_set()
    restarter.join()
    restartable_postgres.wait_until_accepting()

    codes = set(answers.values())
    accepted = {email for email, code in answers.items() if code == 303}
    assert codes <= {303, 503}, f"answers other than 303 and 503: {codes}"
    assert 503 in codes or len(accepted) == len(answers)
    stored = set(PublicSubmission.objects.values_list("email", flat=True))
    assert accepted <= stored, f"accepted and lost: {sorted(accepted - stored)}"
    assert len(accepted) >= 30
    connection.close()
