"""What pages weigh: a page loads JavaScript only when it uses it (htmx, for pages with
hx- attributes), and text answers, pages and static files alike, leave gzipped when the
browser accepts it (alliance.core.compression). tests/browser/test_every_page.py weighs the
public statement page in Chromium."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.urls import reverse

from alliance.context_processors import navigation
from tests.fixtures.site_tour import MISSING_PAGE

PERSONAS = ["anonymous", "representative", "coordinator", "convenor"]
HX_ATTRIBUTE = re.compile(r"<[^>]*\shx-[a-z-]+=", re.S)
HTMX_SCRIPT = '<script src="/static/vendor/htmx/htmx.min.js" defer>'


@pytest.fixture
def htmx_vendored():
    if navigation(RequestFactory().get("/"))["htmx_url"] is None:
        pytest.skip("htmx is not vendored: run scripts/assets.sh")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_pages_with_hx_attributes_load_htmx(client_for, site_tour, htmx_vendored, persona):
    tour = site_tour[persona]
    client = client_for(tour.user)
    wrong = {}
    for path in tour.paths:
        html = client.get(path).content.decode()
        uses_htmx, loads_htmx = bool(HX_ATTRIBUTE.search(html)), HTMX_SCRIPT in html
        if uses_htmx != loads_htmx:
            wrong[path] = {"uses": uses_htmx, "loads": loads_htmx}
    assert wrong == {}


def test_the_directory_loads_htmx_and_public_pages_load_no_script(
    client_for, site_tour, htmx_vendored
):
    convenor = client_for(site_tour["convenor"].user)
    assert HTMX_SCRIPT in convenor.get(reverse("members:directory")).content.decode()
    anonymous = client_for(None)
    for path in site_tour["anonymous"].paths:
        if not path.startswith(("/admin/", reverse("api:docs"))):  # their own scripts
            html = anonymous.get(path).content.decode()
            scripts = re.findall(r"<script[^>]*>", html)
            # The scripts a public page may load, each only where the page uses it: the
            # times in the reader's zone, the copy buttons of the statement's share
            # section, and the widget's report of its height to the page that frames it.
            expected = [
                f'<script src="/static/js/{script}" defer>'
                for script, used in (
                    ("local-times.js", "data-local-time" in html),
                    ("copy.js", "data-copy" in html),
                    ("embed-frame.js", path.endswith("/embed/")),
                )
                if used
            ]
            assert sorted(scripts) == sorted(expected), path


def gunzip(response) -> bytes:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return gzip.decompress(body)


@pytest.mark.parametrize("persona", ["anonymous", "convenor"])
def test_pages_are_gzipped_for_browsers_that_accept_it(client_for, site_tour, persona):
    client = client_for(site_tour[persona].user)
    for path in site_tour[persona].paths:
        response = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert response.status_code == (404 if path == MISSING_PAGE else 200), path
        assert response["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in response["Vary"], path
        assert b"</html>" in gunzip(response), path


def test_pages_are_plain_for_clients_that_do_not_accept_gzip(client, db):
    response = client.get("/")
    assert not response.has_header("Content-Encoding")
    assert b"</html>" in response.content


def test_api_answers_are_gzipped(client, db):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"openapi" in gunzip(response)


@pytest.mark.parametrize("path", ["css/app.css", "geo/world.json"])
def test_static_text_files_are_gzipped(client, db, path):
    response = client.get(f"/static/{path}", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    with open(finders.find(path), "rb") as original:
        assert gunzip(response) == original.read()


def test_images_are_not_compressed_again(client, db):
    path = "drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png"
    assert finders.find(path), "the sidecar ships Swagger UI's favicon"
    response = client.get(f"/static/{path}", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
