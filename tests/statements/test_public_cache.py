"""The public page of a statement under a crowd: anonymous readers share one cached page
for a few seconds; anyone logged in gets a page of their own, never the shared one."""

import time
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from alliance.http_cache import shared_cache_from_settings
from statements import services
from statements.models import Statement
from tests.factories import OrganisationFactory, SignatureFactory, SignOnRequestFactory
from tests.statements.conftest import DAVOS_EN, DAVOS_FR

PUBLIC = "public, max-age=5, stale-while-revalidate=30"


@pytest.fixture
def published(open_statement, uganda_member):
    SignatureFactory(statement=open_statement, organisation=uganda_member)
    SignatureFactory(
        statement=open_statement,
        organisation=OrganisationFactory(name="Hidden Defenders Collective", country="UG"),
        listed_publicly=False,
    )
    services.publish(statement=open_statement)
    return open_statement


def test_a_second_anonymous_reader_is_served_without_a_query(
    client, published, django_assert_num_queries
):
    url = published.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert DAVOS_EN in second.content.decode()


def test_anonymous_readers_get_a_publicly_cacheable_page(client, published):
    url = published.get_absolute_url()
    for response in (client.get(url), client.get(url)):
        assert response["Cache-Control"] == PUBLIC
        assert response["Content-Language"] == "en"


def test_the_shared_page_carries_no_csrf_token_and_sets_no_cookie(client, published):
    url = published.get_absolute_url()
    for response in (client.get(url), client.get(url)):
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert not response.cookies


def test_unlisted_names_never_appear_on_the_shared_page(client, published):
    url = published.get_absolute_url()
    for response in (client.get(url), client.get(url)):
        page = response.content.decode()
        assert "Hidden Defenders Collective" not in page
        assert published.signatures.get(listed_publicly=True).organisation.name in page


def test_each_language_has_its_own_cached_page(client, published):
    url = published.get_absolute_url()
    client.get(url)
    french = client.get(url, {"lang": "fr"})
    assert DAVOS_FR in french.content.decode()
    assert french["Content-Language"] == "fr"
    assert DAVOS_EN in client.get(url).content.decode()


def test_a_convenor_never_gets_the_cached_page(client, convenor, published):
    url = published.get_absolute_url()
    shared = client.get(url)
    client.force_login(convenor)
    own = client.get(url)
    assert own["Cache-Control"] == "private"
    assert own.content != shared.content
    page = own.content.decode()
    assert "Hidden Defenders Collective" not in page  # the page lists names only
    assert own.context["can_export"]
    assert "csrfmiddlewaretoken" in page


def test_a_logged_in_page_is_never_served_to_anonymous_readers(client, convenor, published):
    url = published.get_absolute_url()
    client.force_login(convenor)
    client.get(url)
    client.logout()
    client.cookies.clear()
    anonymous = client.get(url)
    assert anonymous["Cache-Control"] == PUBLIC
    assert anonymous.context["can_export"] is False


def test_a_reader_with_a_pending_message_gets_a_page_of_their_own(client, published):
    url = published.get_absolute_url()
    client.get(url)
    client.cookies["messages"] = "anything"
    response = client.get(url)
    assert response["Cache-Control"] == "private"


def test_a_statement_any_organisation_may_sign_is_shared_with_a_link_to_its_form(
    client, open_statement
):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save(update_fields=["audience"])
    url = open_statement.get_absolute_url()
    for response in (client.get(url), client.get(url)):
        page = response.content.decode()
        assert response["Cache-Control"] == PUBLIC
        assert f'href="/statements/{open_statement.slug}/sign/public/?lang=en"' in page
        assert 'name="organisation_name"' not in page
        assert "csrfmiddlewaretoken" not in page


def test_a_representative_who_may_sign_keeps_their_form_on_a_page_of_their_own(
    client, representative, open_statement, uganda_member
):
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member)
    client.get(open_statement.get_absolute_url())
    client.force_login(representative)
    response = client.get(open_statement.get_absolute_url())
    assert response["Cache-Control"] == "private"
    assert response.context["sign_form"] is not None
    assert 'value="rep@kapchorwa.test"' in response.content.decode()


def test_a_member_sees_their_own_signature_not_the_shared_page(
    client_for, uganda_member, representative, published
):
    url = published.get_absolute_url()
    client = client_for(None)
    client.get(url)
    response = client_for(representative).get(url)
    assert response["Cache-Control"] == "private"
    assert response.context["own_signature"] is not None


def english_page_key(statement) -> str:
    from statements import views

    return ":".join([views.PUBLIC_PAGE_KEY_PREFIX, statement.slug, "en", "country", ""])


def test_a_page_past_its_seconds_is_rendered_again_by_one_request(
    client, published, django_assert_num_queries
):
    url = published.get_absolute_url()
    client.get(url)
    key = english_page_key(published)
    cache.set(key, {**cache.get(key), "fresh_until": 0})
    cache.add(f"{key}:rendering", 1)  # another request is rendering it
    with django_assert_num_queries(0):
        stale = client.get(url)
    assert stale["Cache-Control"] == PUBLIC
    cache.delete(f"{key}:rendering")
    fresh = client.get(url)
    assert fresh.context is not None  # rendered, not read from the cache
    with django_assert_num_queries(0):
        assert client.get(url).context is None


def test_a_page_from_the_cache_says_how_old_it_is(client, published):
    url = published.get_absolute_url()
    client.get(url)
    key = english_page_key(published)
    cache.set(key, {**cache.get(key), "fresh_until": time.time() + 2})
    assert client.get(url)["Age"] == "3"


# --- Through alliance.wsgi: the shared cache in front of Django -------------------------


class CountingApplication:
    def __init__(self, application):
        self.application = application
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.application(environ, start_response)


@pytest.fixture
def django_behind_the_cache(db):
    """The stack alliance.wsgi builds (the shared cache, as the settings configure it, in
    front of Django's WSGI handler), called in this process. Django closes database
    connections at the end of each request: not inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    django = CountingApplication(WSGIHandler())
    try:
        yield django, shared_cache_from_settings(django)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def wsgi_get(application, path, **headers):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": ""}
    environ.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer.update(status=status, headers=dict(response_headers))

    chunks = application(environ, start_response)
    try:
        body = b"".join(chunks).decode()
    finally:
        getattr(chunks, "close", lambda: None)()
    return answer["status"], answer["headers"], body


def session_cookie(client, user) -> str:
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def test_the_next_reader_is_answered_before_django_runs(
    django_behind_the_cache, published, django_assert_num_queries
):
    django, application = django_behind_the_cache
    url = published.get_absolute_url()
    started = []

    def count_request(**kwargs):
        started.append(kwargs)

    request_started.connect(count_request)
    try:
        first = wsgi_get(application, url)
        assert len(started) == 1
        with django_assert_num_queries(0):
            second = wsgi_get(application, url)
    finally:
        request_started.disconnect(count_request)
    assert (first[0], first[1]["X-Cache"]) == ("200 OK", "MISS")
    assert (second[0], second[1]["X-Cache"]) == ("200 OK", "HIT")
    assert second[2] == first[2]
    assert DAVOS_EN in second[2]
    assert django.calls == 1
    assert len(started) == 1  # Django, and so its middleware, did not run for the second


def test_the_kept_page_carries_djangos_security_headers(django_behind_the_cache, published):
    _django, application = django_behind_the_cache
    wsgi_get(application, published.get_absolute_url())
    status, headers, body = wsgi_get(application, published.get_absolute_url())
    assert headers["X-Cache"] == "HIT"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Language"] == "en"
    assert headers["Cache-Control"] == PUBLIC
    assert "Set-Cookie" not in headers


def test_a_convenors_page_is_neither_kept_nor_served_to_anonymous_readers(
    django_behind_the_cache, client, convenor, published
):
    django, application = django_behind_the_cache
    url = published.get_absolute_url()
    own = wsgi_get(application, url, cookie=session_cookie(client, convenor))
    assert "Signatories (CSV)" in own[2]
    assert own[1]["Cache-Control"] == "private"
    for _ in range(2):
        anonymous = wsgi_get(application, url)
        assert "Signatories (CSV)" not in anonymous[2]
    assert anonymous[1]["X-Cache"] == "HIT"
    assert django.calls == 2


def test_a_logged_in_convenor_is_never_served_the_kept_page(
    django_behind_the_cache, client, convenor, published
):
    django, application = django_behind_the_cache
    url = published.get_absolute_url()
    wsgi_get(application, url)
    wsgi_get(application, url)
    status, headers, body = wsgi_get(application, url, cookie=session_cookie(client, convenor))
    assert "X-Cache" not in headers
    assert "Signatories (CSV)" in body
    assert django.calls == 2


def test_readers_of_one_language_share_a_page_whatever_their_csrftoken(
    django_behind_the_cache, published
):
    django, application = django_behind_the_cache
    url = published.get_absolute_url()
    french = wsgi_get(application, url, accept_language="fr-FR,fr;q=0.9,en;q=0.5")
    again = wsgi_get(application, url, accept_language="fr", cookie="csrftoken=abcdef")
    english = wsgi_get(application, url, accept_language="en-GB")
    assert DAVOS_FR in french[2]
    assert (again[1]["X-Cache"], again[2]) == ("HIT", french[2])
    assert english[1]["X-Cache"] == "MISS"
    assert DAVOS_EN in english[2]


def test_the_public_form_page_is_never_kept(django_behind_the_cache, open_statement):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save(update_fields=["audience"])
    django, application = django_behind_the_cache
    form_url = f"/statements/{open_statement.slug}/sign/public/"
    for _ in range(2):
        status, headers, body = wsgi_get(application, form_url)
        assert "csrfmiddlewaretoken" in body
        assert headers["X-Cache"] == "MISS"
    assert django.calls == 2
