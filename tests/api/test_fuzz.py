"""Schemathesis against the OpenAPI document the app serves, on a live server with the demo
data: whatever a partner sends, no answer is a 5xx, and every answer (status code, content
type, body) is one the document describes.

The schema can be fetched only once the live server runs, inside the test, so each
operation gets a Hypothesis test built there from `operation.as_strategy()`
(schemathesis's own pytest plugin, `schemathesis.pytest.from_fixture`, does the same but
fails on pytest 9.2's node ids). Every generated request is sent twice, with a key that
holds every scope and with a read-only key, so that answers and refusals are both checked.
The database is flushed after the test (transaction=True): the signatures and
subscriptions the fuzzer writes never reach another test.
"""

import hypothesis
import pytest
import requests
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from alliance.core.api.models import ApiKey
from alliance.core.api.scopes import Scope

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Valid and invalid requests, this many of each per operation, each sent with two keys:
# about a minute for twenty operations on the CI machine.
EXAMPLES = 25
FUZZ_SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # A failure is reported as generated: shrinking against a live server takes minutes.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture
def partner_keys(transactional_db):
    """Bearer headers of a key with every scope (acting for a convenor, the only one who
    may hold read:unlisted) and of a read-only one acting for nobody."""
    from tests.factories import UserFactory

    convenor = UserFactory(email="fuzz-convenor@alliance.test", is_convenor=True)
    headers = []
    for name, scopes, acting_for in [
        ("Fuzzer (all scopes)", Scope.values, convenor),
        ("Fuzzer (read)", [Scope.READ], None),
    ]:
        _, secret = ApiKey.issue(partner_name=name, scopes=scopes, acting_for=acting_for)
        headers.append({"Authorization": f"Bearer {secret}"})
    return headers


@pytest.fixture
def api_schema(live_server, transactional_db, settings):
    # The throttle would soon answer only 429s (documented, but then nothing else is
    # tested); and generated webhook targets must not make the server resolve names.
    settings.API_THROTTLE_RATE = "1000000/min"
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    call_command("seed_demo", verbosity=0)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    # A request that waits 30 s for its answer is sent again on a fresh connection (twice
    # at most): once in a few thousand runs a keep-alive request on this machine's loopback
    # never reached the test server's thread, and the run hung with nothing to report. A
    # server that truly hangs still fails the test, after the last try.
    schema.config.update(base_url=live_server.url, request_timeout=30, request_retries=2)
    # The test sends the keys. Generated Authorization headers would only be refused
    # (401, then 429 once 20 wrong keys have been counted from this address).
    schema.config.generation.update(with_security_parameters=False)
    return schema


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def fuzz(operation, mode: GenerationMode, *, keys: list[dict], http) -> None:
    @FUZZ_SETTINGS
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def every_answer_is_documented(case):
        for headers in keys:
            # A copy: schemathesis adds its own headers to the dict it is given.
            case.call_and_validate(headers=dict(headers), session=http, checks=CHECKS)

    every_answer_is_documented()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_no_answer_is_a_server_error_and_every_answer_is_documented(api_schema, partner_keys, http):
    failures = []
    operations = 0
    for result in api_schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"invalid schema: {result.err()}")
            continue
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(operation, mode, keys=partner_keys, http=http)
            # Schemathesis raises a group of failures (a BaseExceptionGroup): catch it too,
            # so that every operation is fuzzed and every failure reported at once.
            except (Exception, BaseExceptionGroup) as failure:
                failures.append(f"{operation.label} ({mode}):\n{failure}")
    assert operations >= 10, "the schema lost its operations"
    assert not failures, "\n\n".join(failures)


# What the fuzzer found, kept as plain tests: they run in a second, on every backend.


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/statements/?updated_since={}",
        "/api/v1/organisations/?updated_since={}",
        "/api/v1/convenings/?starts_after={}",
    ],
)
def test_time_filters_take_any_offset_python_reads(api, read_key, path):
    # +19:09 is valid ISO 8601 and beyond PostgreSQL's ±15:59: it was a 500.
    response = api(read_key).get(path.format("2026-06-21T18:23:11%2B19:09"))
    assert response.status_code == 200
    # A time before year 1 in UTC cannot be compared with anything: refused, not a 500.
    response = api(read_key).get(path.format("0001-01-01T00:00:00%2B05:00"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.django_db
def test_made_up_cursor_is_a_documented_not_found(api, read_key):
    # base64 of "o=abc": an offset that is not a number.
    response = api(read_key).get("/api/v1/statements/?cursor=bz1hYmM%3D")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    document = api(read_key).get("/api/v1/schema/?format=json").json()
    assert "404" in document["paths"]["/api/v1/statements/"]["get"]["responses"]


@pytest.mark.django_db
def test_errors_inside_a_list_are_reported_under_a_dotted_path(api, read_key):
    response = api(read_key).post(
        "/api/v1/webhooks/",
        {"target_url": "https://hooks.partner.example/", "events": ["statement.published", 7]},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["events.1"]
    assert all(isinstance(message, str) for message in fields["events.1"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/webhooks/%0A/deliveries/", "/api/v1/statements/1%0A/signatures/"]
)
def test_unknown_path_with_a_newline_answers_in_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
