"""The widget other sites frame, through nginx configured as in production: one page for
every reader, rendered once by Django and kept a few seconds like the statement page,
framable, with no cookie; its form signs through the proxy and its POSTs are limited
like the public form's; the statement page beside it still refuses to be framed."""

from urllib.parse import urlencode

import pytest
from django.core.signals import request_started

from statements.models import PublicSubmission, Statement
from tests.statements.test_public_signing import PUBLIC_SIGNATURE

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = "public, max-age=5, stale-while-revalidate=30"


@pytest.fixture
def open_to_anyone(open_statement):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save(update_fields=["audience"])
    return open_statement


@pytest.fixture
def django_requests():
    started = []

    def count(**kwargs):
        started.append(kwargs)

    request_started.connect(count)
    yield started
    request_started.disconnect(count)


def embed_path(statement) -> str:
    return f"/statements/{statement.slug}/embed/"


def test_the_widget_is_kept_and_served_framable_without_a_cookie(
    nginx, open_to_anyone, django_requests
):
    first = nginx.request("GET", embed_path(open_to_anyone))
    second = nginx.request("GET", embed_path(open_to_anyone))
    assert (first.cache_status, second.cache_status) == ("MISS", "HIT")
    assert len(django_requests) == 1
    for answer in (first, second):
        assert answer.status == 200
        assert answer.headers["Cache-Control"] == PUBLIC
        assert "X-Frame-Options" not in answer.headers
        assert "frame-ancestors *" in answer.headers["Content-Security-Policy"]
        assert "Set-Cookie" not in answer.headers
    assert 'name="organisation_name"' in second.text


def test_the_statement_page_beside_it_still_refuses_to_be_framed(nginx, open_to_anyone):
    nginx.request("GET", embed_path(open_to_anyone))
    page = nginx.request("GET", open_to_anyone.get_absolute_url())
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_a_visitor_signs_through_the_widget_behind_the_proxy(nginx, open_to_anyone):
    answer = nginx.request(
        "POST",
        embed_path(open_to_anyone),
        body=urlencode(PUBLIC_SIGNATURE),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        source="127.0.0.7",
    )
    assert answer.status == 303
    assert answer.headers["Location"].startswith(f"{embed_path(open_to_anyone)}sent/")
    assert "Set-Cookie" not in answer.headers
    assert PublicSubmission.objects.count() == 1


def test_a_flood_of_posts_to_the_widget_is_answered_429(nginx, open_to_anyone):
    answers = [
        nginx.request(
            "POST",
            embed_path(open_to_anyone),
            body="organisation_name=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        for _ in range(30)
    ]
    statuses = [answer.status for answer in answers]
    assert 400 in statuses  # the first ones reached Django: an incomplete form
    assert statuses.count(429) >= 5
    # Reading the widget is never limited.
    assert nginx.request("GET", embed_path(open_to_anyone)).status == 200


def test_the_share_image_is_kept_by_the_proxy(nginx, open_to_anyone, django_requests):
    path = f"/statements/{open_to_anyone.slug}/share.png"
    first = nginx.request("GET", path)
    second = nginx.request("GET", path)
    assert (first.status, first.headers["Content-Type"]) == (200, "image/png")
    assert second.cache_status == "HIT"
    assert second.body == first.body
    assert len(django_requests) == 1
