"""The public statement page through nginx, configured as in production
(deploy/nginx/alliance.conf.template): anonymous readers share a page Django rendered
once; a page rendered for anyone logged in, or for an API key, is never kept nor served
to anyone else; a page rendered in one language is never served in another."""

import time

import pytest
from django.conf import settings
from django.core.signals import request_started

from statements import services
from statements.models import Statement, StatementText
from tests.factories import OrganisationFactory, SignatureFactory
from tests.statements.conftest import DAVOS_EN, DAVOS_FR

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = "public, max-age=5, stale-while-revalidate=30"
DAVOS_ES = "La sociedad civil intensifica la lucha contra la desigualdad"
DAVOS_PT = "A sociedade civil intensifica a luta contra a desigualdade"


@pytest.fixture
def published(open_statement, uganda_member):
    """Published in the four languages, with a listed and a counted-only signatory."""
    version = open_statement.versions.get()
    for language, title in (("es", DAVOS_ES), ("pt", DAVOS_PT)):
        StatementText.objects.create(
            version=version, language=language, title=title, summary="Davos.", body="62."
        )
    SignatureFactory(statement=open_statement, organisation=uganda_member)
    SignatureFactory(
        statement=open_statement,
        organisation=OrganisationFactory(name="Hidden Defenders Collective", country="UG"),
        listed_publicly=False,
    )
    services.publish(statement=open_statement)
    return open_statement


@pytest.fixture
def django_requests():
    """How many requests reached Django (the live server runs in this process)."""
    started = []

    def count(**kwargs):
        started.append(kwargs)

    request_started.connect(count)
    yield started
    request_started.disconnect(count)


def session_cookie(client, user) -> str:
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def test_anonymous_readers_share_one_page_django_rendered_once(nginx, published, django_requests):
    url = published.get_absolute_url()
    first = nginx.request("GET", url)
    second = nginx.request("GET", url)
    assert (first.status, first.cache_status) == (200, "MISS")
    assert (second.status, second.cache_status) == (200, "HIT")
    assert second.body == first.body
    assert DAVOS_EN in second.text
    assert "Hidden Defenders Collective" not in second.text
    assert second.headers["Cache-Control"] == PUBLIC
    assert len(django_requests) == 1


def test_the_kept_page_carries_djangos_headers_and_sets_no_cookie(nginx, published):
    url = published.get_absolute_url()
    nginx.request("GET", url)
    kept = nginx.request("GET", url)
    assert kept.cache_status == "HIT"
    assert kept.headers["X-Frame-Options"] == "DENY"
    assert kept.headers["X-Content-Type-Options"] == "nosniff"
    assert kept.headers["Content-Language"] == "en"
    assert "Set-Cookie" not in kept.headers
    assert "csrfmiddlewaretoken" not in kept.text


def test_a_logged_in_convenor_is_never_served_the_kept_page(
    nginx, client, convenor, published, django_requests
):
    url = published.get_absolute_url()
    nginx.request("GET", url)
    assert nginx.request("GET", url).cache_status == "HIT"
    own = nginx.request("GET", url, headers={"Cookie": session_cookie(client, convenor)})
    assert own.cache_status == "BYPASS"
    assert own.headers["Cache-Control"] == "private"
    assert "Signatories (CSV)" in own.text
    assert len(django_requests) == 2


def test_a_convenors_page_is_never_kept_for_anonymous_readers(
    nginx, client, convenor, published, django_requests
):
    url = published.get_absolute_url()
    cookie = session_cookie(client, convenor)
    for _ in range(2):
        own = nginx.request("GET", url, headers={"Cookie": cookie})
        assert own.cache_status == "BYPASS"
        assert "Signatories (CSV)" in own.text
    first = nginx.request("GET", url)
    again = nginx.request("GET", url)
    assert (first.cache_status, again.cache_status) == ("MISS", "HIT")
    for anonymous in (first, again):
        assert "Signatories (CSV)" not in anonymous.text
    assert len(django_requests) == 3


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "messages=pending"},
        {"Cookie": "csrftoken=abc; messages=pending"},
        {"Authorization": "Bearer ah_abcdefgh_not-a-real-key"},
    ],
    ids=["pending message", "message among other cookies", "API key"],
)
def test_requests_that_belong_to_someone_neither_read_nor_fill_the_cache(
    nginx, published, django_requests, headers
):
    url = published.get_absolute_url()
    nginx.request("GET", url)
    own = nginx.request("GET", url, headers=headers)
    assert own.cache_status == "BYPASS"
    nginx.request("GET", url, headers=headers)
    assert len(django_requests) == 3
    # What they were answered was not kept: the next reader gets the first page.
    assert nginx.request("GET", url).cache_status == "HIT"


def test_a_page_that_sets_a_cookie_is_never_kept(nginx, open_statement, django_requests):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save(update_fields=["audience"])
    form_url = f"/statements/{open_statement.slug}/sign/public/"
    for _ in range(2):
        form = nginx.request("GET", form_url)
        assert "csrftoken=" in form.headers["Set-Cookie"]
        assert "csrfmiddlewaretoken" in form.text
        assert form.cache_status == "MISS"
    assert len(django_requests) == 2


# --- Languages: the key is the language Django picks, and Django is told it -----------


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ({}, "en"),
        ({"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}, "fr"),
        ({"Accept-Language": "de-DE,de;q=0.9,fr;q=0.8,en;q=0.7"}, "fr"),
        ({"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"}, "en"),
        ({"Accept-Language": "pt-BR,pt;q=0.9"}, "pt"),
        ({"Accept-Language": "zh-CN,zh;q=0.9"}, "en"),
        ({"Accept-Language": "en", "Cookie": "django_language=fr"}, "fr"),
        ({"Accept-Language": "fr", "Cookie": f"csrftoken={'k' * 32}; django_language=es"}, "es"),
    ],
)
def test_each_reader_gets_the_page_in_the_language_django_picks(
    nginx, published, headers, language
):
    page = nginx.request("GET", published.get_absolute_url(), headers=headers)
    assert page.cache_status == "MISS"
    assert f'<html lang="{language}"' in page.text
    again = nginx.request("GET", published.get_absolute_url(), headers=headers)
    assert (again.cache_status, again.body) == ("HIT", page.body)


def test_a_page_rendered_in_one_language_is_never_served_in_another(nginx, published):
    url = published.get_absolute_url()
    readers = {
        "fr": {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"},
        "en": {"Accept-Language": "en-GB,en;q=0.9"},
        "es": {"Cookie": "django_language=es"},
        "pt": {"Accept-Language": "pt-BR"},
    }
    for _ in range(2):
        for language, headers in readers.items():
            page = nginx.request("GET", url, headers=headers)
            assert f'<html lang="{language}"' in page.text
    french = nginx.request("GET", url, headers={"Accept-Language": "fr", "Cookie": "a=1"})
    assert french.cache_status == "HIT"
    assert DAVOS_FR in french.text
    assert DAVOS_EN in nginx.request("GET", url).text


def test_a_header_django_would_read_otherwise_is_answered_in_the_language_it_is_kept_in(
    nginx, published
):
    # Django sorts Accept-Language by q; nginx takes the first of en/fr/es/pt. The page is
    # rendered for the language nginx keys on, so whoever shares the key shares the page.
    url = published.get_absolute_url()
    odd = nginx.request("GET", url, headers={"Accept-Language": "en;q=0.1, fr;q=0.9"})
    assert '<html lang="en"' in odd.text
    english = nginx.request("GET", url, headers={"Accept-Language": "en"})
    assert (english.cache_status, english.body) == ("HIT", odd.body)


def test_a_language_cookie_django_reads_its_own_way_is_not_cached(nginx, published):
    url = published.get_absolute_url()
    for _ in range(2):
        page = nginx.request("GET", url, headers={"Cookie": "django_language=fr-ca"})
        assert page.cache_status == "BYPASS"
        assert '<html lang="fr"' in page.text


def test_the_language_asked_in_the_address_has_its_own_page(nginx, published):
    url = published.get_absolute_url()
    nginx.request("GET", url)
    french = nginx.request("GET", f"{url}?lang=fr")
    assert french.cache_status == "MISS"
    assert DAVOS_FR in french.text
    assert french.headers["Content-Language"] == "fr"
    assert nginx.request("GET", url).cache_status == "HIT"


# --- Freshness --------------------------------------------------------------------------


@pytest.mark.slow
def test_past_its_max_age_the_page_is_served_stale_once_and_then_fresh(
    nginx, published, uganda_member
):
    url = published.get_absolute_url()
    first = nginx.request("GET", url)
    published.signatures.filter(organisation=uganda_member).update(listed_publicly=False)
    time.sleep(7)  # max-age is 5 s; nginx counts whole seconds
    stale = nginx.request("GET", url)
    assert stale.cache_status in ("STALE", "UPDATING")
    assert stale.body == first.body
    deadline = time.monotonic() + 5
    while (fresh := nginx.request("GET", url)).body == first.body:
        assert time.monotonic() < deadline, "the page was not renewed in the background"
        time.sleep(0.1)
    assert fresh.cache_status == "HIT"
    assert uganda_member.name not in fresh.text
