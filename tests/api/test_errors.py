"""One error shape everywhere, and throttling per key."""

import pytest

from alliance.core.api.scopes import Scope
from tests.factories import StatementFactory


def assert_error_shape(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


@pytest.mark.django_db
def test_unknown_endpoint_answers_in_the_error_shape(api, read_key):
    assert_error_shape(api(read_key).get("/api/v1/petitions/"), 404, "not_found")


@pytest.mark.django_db
def test_unknown_object_answers_in_the_error_shape(api, read_key):
    assert_error_shape(api(read_key).get("/api/v1/organisations/999999/"), 404, "not_found")


@pytest.mark.django_db
def test_method_not_allowed_answers_in_the_error_shape(api, make_key):
    key = make_key(Scope.READ, Scope.WRITE_SIGNATURES, Scope.WRITE_MEMBERS)
    response = api(key).delete("/api/v1/organisations/")
    assert response.status_code in (403, 405)
    assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.django_db
def test_malformed_json_answers_in_the_error_shape(api, signing_key):
    statement = StatementFactory()
    response = api(signing_key).post(
        f"/api/v1/statements/{statement.pk}/signatures/",
        "{not json",
        content_type="application/json",
    )
    assert_error_shape(response, 400, "parse_error")


@pytest.mark.django_db
def test_throttled_key_is_told_when_to_retry(api, make_key, settings):
    settings.API_THROTTLE_RATE = "3/min"
    limited, other = make_key(Scope.READ), make_key(Scope.READ)
    statuses = [api(limited).get("/api/v1/focus-areas/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api(limited).get("/api/v1/focus-areas/")
    assert_error_shape(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60
    # Each key has its own allowance.
    assert api(other).get("/api/v1/focus-areas/").status_code == 200


@pytest.mark.django_db
def test_guessing_keys_is_throttled_per_address(client, api, read_key):
    wrong = {"HTTP_AUTHORIZATION": "Bearer ah_00000000_guess"}
    statuses = [client.get("/api/v1/focus-areas/", **wrong).status_code for _ in range(21)]
    assert statuses == [401] * 20 + [429]
    response = client.get("/api/v1/focus-areas/", **wrong)
    assert_error_shape(response, 429, "throttled")
    assert "wrong API key" in response.json()["error"]["message"]
    assert 0 < int(response["Retry-After"]) <= 60


@pytest.mark.django_db
def test_guessing_keys_never_locks_out_a_valid_key_from_the_same_address(client, api, read_key):
    wrong = {"HTTP_AUTHORIZATION": "Bearer ah_00000000_guess"}
    for _ in range(25):
        client.get("/api/v1/focus-areas/", **wrong)
    assert client.get("/api/v1/focus-areas/", **wrong).status_code == 429
    # The same address (the test client's), a partner behind the same NAT.
    assert api(read_key).get("/api/v1/focus-areas/").status_code == 200
    assert client.get("/api/v1/focus-areas/", **wrong).status_code == 429
