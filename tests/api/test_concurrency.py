"""Concurrent retries on Postgres: the unique index on (api key, idempotency key) and the
one-live-signature constraint decide, not the Python code."""

import threading

import pytest
from django.db import connection, connections

from statements.models import Signature, Statement
from tests.factories import StatementFactory

pytestmark = pytest.mark.django_db(transaction=True)


def post_together(requests):
    """Run each request in its own thread (its own connection), all released at once."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            responses[index] = request()
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


@pytest.fixture
def own_key(make_key, uganda_member):
    """The member's own system, which signs as the organisation (a key acting for nobody
    only makes claims that wait for their signatory: tests/statements/test_signers_at_risk)."""
    from alliance.core.api.scopes import Scope

    return make_key(Scope.READ, Scope.WRITE_SIGNATURES, organisation=uganda_member)


@pytest.fixture(autouse=True)
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by Postgres here")


def test_concurrent_retries_with_one_idempotency_key_sign_once(api, own_key, uganda_member):
    statement = StatementFactory(audience=Statement.Audience.MEMBERS)
    url = f"/api/v1/statements/{statement.pk}/signatures/"
    payload = {
        "organisation": uganda_member.pk,
        "signatory_name": "Sarah Chebet",
        "signatory_email": "sarah@kapchorwa.test",
    }

    def attempt():
        return api(own_key).post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="once")

    responses = post_together([attempt] * 4)
    assert [response.status_code for response in responses] == [201] * 4
    assert len({response.json()["id"] for response in responses}) == 1
    assert Signature.objects.filter(statement=statement).count() == 1


def test_concurrent_signatures_of_one_organisation_leave_one(api, own_key, uganda_member):
    statement = StatementFactory(audience=Statement.Audience.MEMBERS)
    url = f"/api/v1/statements/{statement.pk}/signatures/"

    def attempt(name):
        payload = {
            "organisation": uganda_member.pk,
            "signatory_name": name,
            "signatory_email": f"{name.lower()}@kapchorwa.test",
        }
        return lambda: api(own_key).post(url, payload, format="json")

    responses = post_together([attempt(name) for name in ("Sarah", "Moses", "Ruth")])
    assert sorted(response.status_code for response in responses) == [201, 409, 409]
    assert Signature.objects.filter(statement=statement).count() == 1
