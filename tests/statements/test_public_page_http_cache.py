"""The shared cache in front of Django (alliance.http_cache), on a tiny WSGI application:
what it keeps, for how long, for whom, and under which key."""

from wsgiref.util import setup_testing_defaults

import pytest

from alliance.http_cache import (
    SharedCache,
    resolve_language_like_django,
    shared_cache_from_settings,
)

PAGE = "/statements/davos/"
PUBLIC = "public, max-age=5"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class TinyApp:
    """Answers with the headers it is given; its body says how many times it ran."""

    def __init__(self, status="200 OK", cache_control=PUBLIC, extra_headers=()):
        self.status = status
        self.headers = [("Content-Type", "text/html"), *extra_headers]
        if cache_control:
            self.headers.append(("Cache-Control", cache_control))
        self.calls = 0
        self.methods = []
        self.closed = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        self.methods.append(environ["REQUEST_METHOD"])
        start_response(self.status, list(self.headers))
        return ClosingBody([f"answer {self.calls}".encode()], self)


class ClosingBody(list):
    def __init__(self, chunks, app):
        super().__init__(chunks)
        self.app = app

    def close(self):
        self.app.closed += 1


def cache_for(app, **options):
    options.setdefault("path_prefixes", ["/statements/"])
    options.setdefault("clock", Clock())
    options.setdefault("bypass_cookies", ["sessionid", "messages"])
    options.setdefault("vary_cookies", ["django_language"])
    return SharedCache(app, **options)


def request(cache, path=PAGE, method="GET", query="", **headers):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query}
    for name, value in headers.items():
        environ[f"HTTP_{name.upper()}"] = value
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = status
        answer["headers"] = response_headers

    chunks = cache(environ, start_response)
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return answer["status"], dict(answer["headers"]), body


def test_a_public_response_is_served_from_memory_the_second_time():
    app = TinyApp()
    cache = cache_for(app)
    first = request(cache)
    second = request(cache)
    assert app.calls == 1
    assert second[2] == first[2] == b"answer 1"
    assert first[1]["X-Cache"] == "MISS"
    assert second[1]["X-Cache"] == "HIT"
    assert second[1]["Cache-Control"] == PUBLIC


def test_the_age_counts_up_and_the_response_expires_after_its_max_age():
    app = TinyApp()
    clock = Clock()
    cache = cache_for(app, clock=clock)
    request(cache)
    clock.now += 4.5
    status, headers, body = request(cache)
    assert (headers["Age"], body) == ("4", b"answer 1")
    clock.now += 0.5
    assert request(cache)[2] == b"answer 2"
    assert app.calls == 2


def test_an_age_sent_by_the_application_counts_against_the_freshness():
    app = TinyApp(extra_headers=[("Age", "4")])
    clock = Clock()
    cache = cache_for(app, clock=clock)
    request(cache)
    clock.now += 0.5
    assert request(cache)[1]["Age"] == "4"
    clock.now += 0.5
    assert request(cache)[2] == b"answer 2"


def test_an_answer_already_past_its_max_age_is_not_kept():
    app = TinyApp(extra_headers=[("Age", "12")])
    cache = cache_for(app)
    request(cache)
    request(cache)
    assert app.calls == 2
    assert len(cache) == 0


def test_s_maxage_is_the_shared_caches_own_lifetime():
    app = TinyApp(cache_control="public, max-age=60, s-maxage=2")
    clock = Clock()
    cache = cache_for(app, clock=clock)
    request(cache)
    clock.now += 2
    assert request(cache)[2] == b"answer 2"


@pytest.mark.parametrize(
    "cache_control",
    [
        None,
        "max-age=5",  # not said to be public
        "private, max-age=5",
        "public, max-age=5, no-store",
        "public, max-age=5, no-cache",
        "public",  # no lifetime
        "public, max-age=0",
        "public, max-age=soon",
    ],
)
def test_only_public_answers_with_a_lifetime_are_kept(cache_control):
    app = TinyApp(cache_control=cache_control)
    cache = cache_for(app)
    assert request(cache)[1]["X-Cache"] == "MISS"
    request(cache)
    assert app.calls == 2


@pytest.mark.parametrize("status", ["404 Not Found", "500 Internal Server Error", "301 Moved"])
def test_errors_and_redirects_are_never_kept(status):
    app = TinyApp(status=status)
    cache = cache_for(app)
    request(cache)
    assert request(cache)[0] == status
    assert app.calls == 2


def test_an_answer_that_sets_a_cookie_is_never_kept():
    app = TinyApp(extra_headers=[("Set-Cookie", "csrftoken=abc; Path=/")])
    cache = cache_for(app)
    request(cache)
    status, headers, body = request(cache)
    assert app.calls == 2
    assert headers["Set-Cookie"] == "csrftoken=abc; Path=/"


@pytest.mark.parametrize("cookie", ["sessionid=s3cr3t", "messages=hello", "a=1; sessionid=x"])
def test_a_request_with_a_session_or_messages_cookie_never_gets_the_kept_page(cookie):
    app = TinyApp()
    cache = cache_for(app)
    request(cache)
    status, headers, body = request(cache, cookie=cookie)
    assert body == b"answer 2"
    assert "X-Cache" not in headers


def test_the_answer_to_a_request_with_a_session_is_never_kept_for_others():
    app = TinyApp()
    cache = cache_for(app)
    request(cache, cookie="sessionid=s3cr3t")
    assert len(cache) == 0
    assert request(cache)[2] == b"answer 2"


def test_a_request_with_credentials_goes_to_the_application():
    app = TinyApp()
    cache = cache_for(app)
    request(cache)
    assert request(cache, authorization="Api-Key abc")[2] == b"answer 2"


def test_posts_and_paths_outside_the_prefixes_always_reach_the_application():
    app = TinyApp()
    cache = cache_for(app)
    for _ in range(2):
        request(cache, method="POST")
        request(cache, path="/members/")
    assert app.calls == 4
    assert len(cache) == 0


def test_a_head_is_answered_from_the_kept_get_without_a_body():
    app = TinyApp()
    cache = cache_for(app)
    request(cache)
    status, headers, body = request(cache, method="HEAD")
    assert (status, headers["X-Cache"], body) == ("200 OK", "HIT", b"")
    assert app.calls == 1


def test_a_head_miss_is_fetched_as_a_get_and_kept_for_the_gets_that_follow():
    app = TinyApp()
    cache = cache_for(app)
    assert request(cache, method="HEAD")[2] == b""
    assert request(cache)[2] == b"answer 1"
    assert app.methods == ["GET"]


def test_the_query_is_part_of_the_key():
    app = TinyApp()
    cache = cache_for(app)
    request(cache, query="page=2")
    assert request(cache, query="page=3")[2] == b"answer 2"
    assert request(cache, query="page=2")[2] == b"answer 1"


def test_each_language_django_would_pick_gets_its_own_page_whatever_its_spelling():
    app = TinyApp(extra_headers=[("Vary", "Accept-Language")])
    cache = cache_for(app, resolve_language=resolve_language_like_django)
    request(cache, accept_language="fr-FR,fr;q=0.9,en;q=0.8")
    assert request(cache, accept_language="fr")[2] == b"answer 1"
    assert request(cache, accept_language="en-GB,en;q=0.9")[2] == b"answer 2"
    assert request(cache, accept_language="xx")[2] == b"answer 2"  # Django falls back to en


def test_the_language_cookie_picks_the_page_even_when_only_accept_language_is_named():
    app = TinyApp(extra_headers=[("Vary", "Accept-Language")])
    cache = cache_for(app, resolve_language=resolve_language_like_django)
    request(cache, accept_language="en")
    french = request(cache, accept_language="en", cookie="django_language=fr")
    assert french[2] == b"answer 2"


def test_vary_cookie_keys_on_the_language_cookie_but_not_on_csrftoken_or_others():
    app = TinyApp(extra_headers=[("Vary", "Accept-Language, Cookie")])
    cache = cache_for(app, resolve_language=resolve_language_like_django)
    request(cache)
    assert request(cache, cookie="csrftoken=abc; _analytics=1")[2] == b"answer 1"
    assert request(cache, cookie="csrftoken=def; django_language=pt")[2] == b"answer 2"
    assert request(cache, cookie="django_language=pt")[2] == b"answer 2"


def test_other_vary_headers_key_on_their_value():
    app = TinyApp(extra_headers=[("Vary", "X-Device")])
    cache = cache_for(app)
    request(cache, x_device="phone")
    assert request(cache, x_device="desk")[2] == b"answer 2"
    assert request(cache, x_device="phone")[2] == b"answer 1"


def test_vary_accept_encoding_keys_on_whether_gzip_is_accepted_not_its_spelling():
    app = TinyApp(extra_headers=[("Vary", "Accept-Encoding")])
    cache = cache_for(app)
    request(cache, accept_encoding="gzip, deflate, br, zstd")
    assert request(cache, accept_encoding="gzip, deflate, br")[2] == b"answer 1"
    assert request(cache, accept_encoding="gzip")[2] == b"answer 1"
    assert request(cache)[2] == b"answer 2"
    assert request(cache, accept_encoding="identity")[2] == b"answer 2"


def test_vary_star_is_never_kept():
    app = TinyApp(extra_headers=[("Vary", "*")])
    cache = cache_for(app)
    request(cache)
    request(cache)
    assert app.calls == 2


def test_at_most_max_entries_are_kept_the_least_recently_used_going_first():
    app = TinyApp()
    cache = cache_for(app, max_entries=2)
    request(cache, query="page=1")  # answer 1
    request(cache, query="page=2")  # answer 2
    request(cache, query="page=1")  # read again: page=2 is now the oldest
    request(cache, query="page=3")  # answer 3 pushes page=2 out
    assert len(cache) == 2
    assert request(cache, query="page=1")[2] == b"answer 1"
    assert request(cache, query="page=2")[2] == b"answer 4"


def test_a_body_too_large_is_passed_on_but_not_kept():
    app = TinyApp()
    cache = cache_for(app, max_body_bytes=3)
    assert request(cache)[2] == b"answer 1"
    assert len(cache) == 0


def test_security_headers_are_replayed_and_hop_by_hop_ones_are_not():
    security = [
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Strict-Transport-Security", "max-age=31536000"),
        ("Referrer-Policy", "same-origin"),
    ]
    app = TinyApp(extra_headers=[*security, ("Connection", "close")])
    cache = cache_for(app)
    request(cache)
    status, headers, body = request(cache)
    assert headers["X-Cache"] == "HIT"
    for name, value in security:
        assert headers[name] == value
    assert "Connection" not in headers


def test_the_applications_body_is_always_closed():
    for cache_control in (PUBLIC, "private"):
        app = TinyApp(cache_control=cache_control)
        request(cache_for(app))
        assert app.closed == 1


def test_a_body_not_to_be_kept_is_passed_through_as_it_streams():
    def streaming(environ, start_response):
        start_response("200 OK", [("Cache-Control", "private")])
        return (chunk for chunk in (b"one ", b"two"))

    cache = cache_for(streaming)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": PAGE}
    setup_testing_defaults(environ)
    body = cache(environ, lambda status, headers, exc_info=None: None)
    assert not isinstance(body, list)
    assert b"".join(body) == b"one two"


def test_without_path_prefixes_in_the_settings_there_is_no_cache(settings):
    app = TinyApp()
    settings.SHARED_CACHE_PATH_PREFIXES = []
    assert shared_cache_from_settings(app) is app
    settings.SHARED_CACHE_PATH_PREFIXES = ["/statements/"]
    cache = shared_cache_from_settings(app)
    request(cache)
    assert request(cache)[1]["X-Cache"] == "HIT"
