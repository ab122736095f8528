"""The OpenAPI document's error responses and `required` lists, as they were before the
schema stopped overriding drf-spectacular's private methods (issue #14): the document a
partner reads must not change with the way it is built. Operations and components added
since are checked by test_schema.py's rules, not against this record."""

import json
from pathlib import Path

import pytest

SNAPSHOT = json.loads((Path(__file__).parent / "schema_snapshot.json").read_text())
ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def document(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operation_errors(document) -> dict[str, dict[str, str]]:
    return {
        f"{method.upper()} {path}": {
            code: response["description"]
            for code, response in operation["responses"].items()
            if int(code) >= 400
        }
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


@pytest.mark.parametrize("operation", sorted(SNAPSHOT["error_responses"]))
def test_error_responses_of_each_operation_are_unchanged(document, operation):
    errors = operation_errors(document)
    assert operation in errors, f"{operation} is no longer in the document"
    assert errors[operation] == SNAPSHOT["error_responses"][operation]


def test_every_error_response_has_the_one_error_shape(document):
    # The partner API's operations; the OSDI layer answers its errors in OSDI's shape.
    path_operations = [
        (path, operations)
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/")
    ]
    for path, operations in path_operations:
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if int(code) >= 400:
                    content = response["content"]
                    assert list(content) == ["application/json"], f"{method} {path} {code}"
                    assert content["application/json"]["schema"] == ERROR_SCHEMA
    assert {"Error", "ErrorDetail"} <= set(document["components"]["schemas"])


@pytest.mark.parametrize("component", sorted(SNAPSHOT["required"]))
def test_required_fields_of_each_component_are_unchanged(document, component):
    schema = document["components"]["schemas"][component]
    assert schema.get("required", []) == SNAPSHOT["required"][component]


def test_fields_only_some_keys_receive_are_not_required(document):
    organisation = document["components"]["schemas"]["OrganisationWithContacts"]
    assert "contacts" in organisation["properties"]
    assert "contacts" not in organisation["required"]
    # Read-only fields every key receives stay required.
    assert {"id", "name", "updated_at"} <= set(organisation["required"])
