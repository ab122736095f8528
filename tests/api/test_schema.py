import re

import pytest
from django.core.management import call_command


def test_schema_generates_valid_without_warnings(tmp_path, settings):
    target = tmp_path / "schema.yaml"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(target),
    )
    schema = target.read_text()
    assert "/api/v1/statements/{id}/signatures/" in schema
    assert "idempotency_key_reused" in schema


@pytest.mark.django_db
def test_schema_lists_error_responses_of_every_operation(api, read_key):
    document = api(read_key).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            for code in ("401", "403", "429"):
                assert code in operation["responses"], f"{method} {path} lacks {code}"
            # The OSDI layer (/osdi/v1/) answers HAL+JSON, its errors in OSDI's shape.
            media, error = (
                ("application/hal+json", "OsdiError")
                if path.startswith("/osdi/")
                else ("application/json", "Error")
            )
            assert operation["responses"]["429"]["content"][media]["schema"] == {
                "$ref": f"#/components/schemas/{error}"
            }


@pytest.mark.django_db
def test_interactive_docs_are_served_from_own_static_files(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    # Every script and stylesheet comes from this site: no absolute URL to another host.
    assert not re.findall(r"""(?:src|href)=["'](?:https?:)?//""", html)
    assert "/static/drf_spectacular_sidecar/" in html


@pytest.mark.django_db
def test_every_field_and_parameter_is_documented(api, read_key):
    document = api(read_key).get("/api/v1/schema/?format=json").json()
    undocumented = [
        f"{name}.{field}"
        for name, component in document["components"]["schemas"].items()
        for field, spec in component.get("properties", {}).items()
        if not (spec.get("description") or "$ref" in spec or "allOf" in spec)
    ]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            undocumented += [
                f"{method} {path} ?{parameter['name']}"
                for parameter in operation.get("parameters", [])
                if not parameter.get("description")
            ]
    assert undocumented == [], "\n".join(undocumented)
