"""The API's front door and its lists' parameters: /api/v1/ links to every list and to
the documentation; organisations are searched by name as the directory searches them; and
every list answers 400 to a parameter it does not know instead of ignoring it."""

import pytest
from django.urls import reverse

from alliance import api_urls
from members.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def list_paths() -> list[str]:
    """Every list endpoint of the API, found in its URL configuration."""
    paths = []
    for pattern in api_urls.urlpatterns:
        view = getattr(pattern.callback, "cls", None)
        if view is not None and hasattr(view, "list"):
            route = str(pattern.pattern).replace("<int:pk>", "1")
            paths.append(f"/api/v1/{route}")
    return paths


def test_every_list_is_found():
    assert "/api/v1/organisations/" in list_paths()
    assert "/api/v1/webhooks/1/deliveries/" in list_paths()
    assert len(list_paths()) >= 10


@pytest.mark.parametrize("key", [None, "read"])
def test_the_root_links_to_every_list_and_the_documentation(api, read_key, key):
    response = api(read_key if key else None).get("/api/v1/")

    assert response.status_code == 200
    links = response.json()
    for path in list_paths():
        if "/1/" not in path:
            assert f"http://testserver{path}" in links.values(), path
    assert links["schema"] == f"http://testserver{reverse('api:schema')}"
    assert links["docs"] == f"http://testserver{reverse('api:docs')}"
    for url in links.values():
        assert api(read_key).get(url).status_code == 200, url


def test_organisations_are_searched_by_name_as_in_the_directory(api, read_key):
    for name in ["Kampala Domestic Workers Union", "Tororo Youth Movement", "Lima Tax Watch"]:
        MembershipFactory(
            organisation=OrganisationFactory(name=name), status=Membership.Status.APPROVED
        )

    response = api(read_key).get("/api/v1/organisations/", {"search": "domestic work"})

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Kampala Domestic Workers Union"]


@pytest.mark.parametrize("path", list_paths())
def test_every_list_refuses_a_parameter_it_does_not_know(api, read_key, path):
    response = api(read_key).get(path, {"serach": "tax"})

    assert response.status_code == 400, (path, response.content)
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["serach"]


def test_known_parameters_are_still_accepted(api, read_key):
    response = api(read_key).get(
        "/api/v1/convenings/",
        {"ordering": "-starts_at", "page_size": 5, "starts_after": "2026-01-01T00:00:00Z"},
    )
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_a_browser_gets_json_from_the_api_never_a_page_with_inline_styles(client):
    # DRF's browsable pages style themselves inline: the Content-Security-Policy refuses
    # that, and the interactive documentation lives at /api/v1/docs/.
    response = client.get("/api/v1/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "<style" not in response.content.decode()
