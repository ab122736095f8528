"""The public signing form through nginx, configured as in production: the address a
submission is counted under is the signer's, never one the signer wrote in a header; a
body too large is refused with 413 and a flood of submissions from one address with 429,
both before Django, on pages that say what to do."""

import re
from urllib.parse import urlencode

import pytest

from statements import services
from statements.models import PublicSubmission, Statement
from tests.statements.test_public_signing import PUBLIC_SIGNATURE, sign_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def open_to_anyone(open_statement):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save(update_fields=["audience"])
    return open_statement


def post_form(nginx, path, data, *, source="127.0.0.1", headers=None):
    """GET the form (its token and cookie), then POST `data` with them, from `source`.
    Django accepts the https Origin only if it sees the request as HTTPS, as nginx says
    in X-Forwarded-Proto."""
    form = nginx.request("GET", path, source=source)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    cookie = re.search(r"csrftoken=([^;]+)", form.headers["Set-Cookie"]).group(1)
    return nginx.request(
        "POST",
        path,
        body=urlencode({**data, "csrfmiddlewaretoken": token}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "Origin": nginx.https_url("").rstrip("/"),
            **(headers or {}),
        },
        source=source,
    )


def signer(number: int) -> dict:
    return {
        **PUBLIC_SIGNATURE,
        "organisation_name": f"Organisation {number}",
        "email": f"signer{number}@example.org",
    }


def over_the_address_limit(settings, nginx, statement, sources_and_claims) -> list[bool]:
    """Submit one signature from each (source address, X-Forwarded-For claimed) with one
    submission allowed per address, process them, and say which went over the limit."""
    settings.PUBLIC_SIGNING_LIMITS = {**settings.PUBLIC_SIGNING_LIMITS, "ip": 1}
    for number, (source, claimed) in enumerate(sources_and_claims):
        headers = {"X-Forwarded-For": claimed, "X-Real-IP": claimed} if claimed else {}
        answer = post_form(
            nginx, sign_url(statement), signer(number), source=source, headers=headers
        )
        assert answer.status == 303
    services.process_public_submissions()
    submissions = PublicSubmission.objects.order_by("created_at", "pk")
    return ["from this ip" in submission.suspicion for submission in submissions]


def test_submissions_are_counted_under_the_address_nginx_saw(nginx, open_to_anyone, settings):
    over = over_the_address_limit(
        settings,
        nginx,
        open_to_anyone,
        [("127.0.0.2", "203.0.113.1"), ("127.0.0.2", "203.0.113.2"), ("127.0.0.3", None)],
    )
    # The second claimed another address: counted under its real one all the same.
    assert over == [False, True, False]


def test_without_behind_proxy_every_submission_has_the_proxys_address(
    nginx, open_to_anyone, settings
):
    settings.BEHIND_PROXY = False
    over = over_the_address_limit(
        settings, nginx, open_to_anyone, [("127.0.0.2", None), ("127.0.0.3", None)]
    )
    assert over == [False, True]


def test_a_body_too_large_for_the_form_is_refused_with_413_before_django(nginx, open_to_anyone):
    answer = nginx.request(
        "POST",
        sign_url(open_to_anyone),
        body=urlencode({**PUBLIC_SIGNATURE, "signatory_title": "x" * 40_000}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 413
    assert "What you sent is too large" in answer.text
    assert "Votre envoi est trop volumineux" in answer.text
    assert not PublicSubmission.objects.exists()


def test_a_flood_of_submissions_from_one_address_is_answered_429(nginx, open_to_anyone):
    path = sign_url(open_to_anyone)
    answers = [
        nginx.request("POST", path, body="x=1", headers={"Content-Type": "text/plain"})
        for _ in range(30)
    ]
    statuses = [answer.status for answer in answers]
    refused = [answer for answer in answers if answer.status == 429]
    assert 403 in statuses  # the first ones reached Django (no CSRF token: refused there)
    assert len(refused) >= 5
    assert refused[0].headers["Retry-After"] == "60"
    assert "Too many submissions from your connection" in refused[0].text
    assert "Demasiados envíos desde su conexión" in refused[0].text
    # Another address still signs; reading pages is never limited.
    assert post_form(nginx, path, PUBLIC_SIGNATURE, source="127.0.0.3").status == 303
    assert nginx.request("GET", open_to_anyone.get_absolute_url()).status == 200
    assert nginx.request("GET", path).status == 200
