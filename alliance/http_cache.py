"""A shared HTTP cache in front of Django, inside each web process.

A crowd refreshing a public page (the statement page on launch day) must not run Django
for every reader: even a cache hit inside a view pays for the whole middleware stack and
a round trip to Redis. `SharedCache` wraps the WSGI application and answers anonymous
GET and HEAD requests from responses it keeps in memory, the way a small Varnish or a CDN
in front of the application would, and by the same rules, so that a real proxy in front
of it in production does exactly the same with the same headers:

- It keeps only what Django says any cache may keep: a 200 with `Cache-Control: public`
  and a positive `max-age` (or `s-maxage`), no `private`, `no-store` or `no-cache`, and no
  `Set-Cookie`. It serves it while it is fresh (its `Age`, counted from the `Age` Django
  sent, below that lifetime), with an `Age` header, and the stored headers replayed
  (the security headers Django's middleware added among them).
- Requests that belong to someone never touch it, in either direction: a session or
  messages cookie, or an `Authorization` header, goes straight to Django, and its answer
  is not kept (a logged-in page is never served to anyone else, and nobody logged in is
  served the anonymous page).
- Stored responses are keyed by scheme, host, path and query, and by the request headers
  their `Vary` names (see `_vary_value` for the two Django sends: Accept-Language and
  Cookie). `Vary: *` is never kept.
- Only paths under the configured prefixes are considered, so nothing else changes
  behaviour; it holds at most `max_entries` responses (least recently used goes first).

Each gunicorn process has its own copy: after a page's `max-age` each process asks Django
once (and Django's own cache in Redis renders it once for all of them, see
`statements.views.detail`). Request `Cache-Control` (a browser's reload sends
`max-age=0`) is ignored, as shared caches commonly do: honouring it would let every
refresh of the crowd through to Django, which is what the cache is here to prevent.
`stale-while-revalidate` is left to browsers and proxies: a sync worker answers one
request at a time, so it cannot answer stale and fetch in the background.
"""

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http.cookie import parse_cookie

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
# As django.middleware.gzip decides whether to compress.
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Recomputed on every answer (Age) or by the server (Date), or our own (X-Cache).
NOT_REPLAYED = HOP_BY_HOP | {"age", "date", "x-cache"}


@dataclass(frozen=True)
class StoredResponse:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    stored_at: float
    age_when_stored: float
    lifetime: float

    def age(self, now: float) -> float:
        return self.age_when_stored + (now - self.stored_at)

    def is_fresh(self, now: float) -> bool:
        return self.age(now) < self.lifetime


class SharedCache:
    """WSGI middleware: see the module docstring. `clock` is there for tests."""

    def __init__(
        self,
        application,
        *,
        path_prefixes: Iterable[str],
        max_entries: int = 300,
        bypass_cookies: Iterable[str] = ("sessionid", "messages"),
        vary_cookies: Iterable[str] = ("django_language",),
        resolve_language: Callable[[dict, str], str] | None = None,
        max_body_bytes: int = 2_000_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.application = application
        self.path_prefixes = tuple(path_prefixes)
        self.max_entries = max_entries
        self.bypass_cookies = frozenset(bypass_cookies)
        self.vary_cookies = tuple(sorted(vary_cookies))
        self.resolve_language = resolve_language
        self.max_body_bytes = max_body_bytes
        self.clock = clock
        # Two LRUs of the same bound: the header names each URL varies by, and the
        # responses, under (url, the request's values of those headers).
        self._vary_by_url: OrderedDict[tuple, tuple[str, ...]] = OrderedDict()
        self._responses: OrderedDict[tuple, StoredResponse] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not self._applies_to(environ):
            return self.application(environ, start_response)
        url = _url_key(environ)
        stored = self._lookup(url, environ)
        if stored is not None:
            return self._replay(stored, environ, start_response)
        return self._fetch(url, environ, start_response)

    def __len__(self) -> int:
        """How many responses are kept."""
        return len(self._responses)

    def clear(self) -> None:
        with self._lock:
            self._vary_by_url.clear()
            self._responses.clear()

    # --- Which requests -----------------------------------------------------------------

    def _applies_to(self, environ) -> bool:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return False
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if not path.startswith(self.path_prefixes):
            return False
        if environ.get("HTTP_AUTHORIZATION"):
            return False
        return not self.bypass_cookies.intersection(_cookies(environ))

    # --- Lookup and replay --------------------------------------------------------------

    def _lookup(self, url: tuple, environ) -> StoredResponse | None:
        with self._lock:
            vary = self._vary_by_url.get(url)
            if vary is None:
                return None
            key = (url, self._vary_values(vary, environ))
            stored = self._responses.get(key)
            if stored is None:
                return None
            if not stored.is_fresh(self.clock()):
                del self._responses[key]
                return None
            self._vary_by_url.move_to_end(url)
            self._responses.move_to_end(key)
            return stored

    def _replay(self, stored: StoredResponse, environ, start_response):
        headers = [
            *stored.headers,
            ("Age", str(int(stored.age(self.clock())))),
            ("X-Cache", "HIT"),
        ]
        start_response(stored.status, headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [stored.body]

    # --- Miss: ask the application, keep what may be kept -------------------------------

    def _fetch(self, url: tuple, environ, start_response):
        head = environ["REQUEST_METHOD"] == "HEAD"
        if head:
            # As Varnish does: fetch the page with a GET so that the body can be kept
            # for the GETs that follow; the HEAD gets the headers only.
            environ = {**environ, "REQUEST_METHOD": "GET"}
        started: list = []
        written: list[bytes] = []

        def capture(status, headers, exc_info=None):
            started[:] = [status, headers, exc_info]
            return written.append

        chunks = self.application(environ, capture)
        if started and not written and not self._may_keep(started[0], started[1]):
            # Not for the cache: pass the body through as it comes (it may stream).
            start_response(*_with_x_cache(started))
            if head:
                _close(chunks)
                return [b""]
            return chunks
        try:
            body = b"".join([*written, *chunks])
        finally:
            _close(chunks)
        if not started:
            raise RuntimeError("the application returned without calling start_response")
        status, headers, _exc_info = started
        if self._may_keep(status, headers) and len(body) <= self.max_body_bytes:
            self._store(url, environ, status, headers, body)
        start_response(*_with_x_cache(started))
        return [b""] if head else [body]

    def _may_keep(self, status: str, headers: list[tuple[str, str]]) -> bool:
        if not status.startswith("200 "):
            return False
        names = {name.lower() for name, _value in headers}
        if "set-cookie" in names:
            return False
        if "*" in _vary_names(headers):
            return False
        directives = _cache_control(headers)
        if not {"private", "no-store", "no-cache"}.isdisjoint(directives):
            return False
        return "public" in directives and _lifetime(directives) > 0

    def _store(self, url: tuple, environ, status: str, headers, body: bytes) -> None:
        directives = _cache_control(headers)
        stored = StoredResponse(
            status=status,
            headers=[(name, value) for name, value in headers if name.lower() not in NOT_REPLAYED],
            body=body,
            stored_at=self.clock(),
            age_when_stored=_age(headers),
            lifetime=_lifetime(directives),
        )
        if not stored.is_fresh(stored.stored_at):
            return
        vary = tuple(sorted(_vary_names(headers)))
        key = (url, self._vary_values(vary, environ))
        with self._lock:
            self._vary_by_url[url] = vary
            self._vary_by_url.move_to_end(url)
            self._responses[key] = stored
            self._responses.move_to_end(key)
            for entries in (self._vary_by_url, self._responses):
                while len(entries) > self.max_entries:
                    entries.popitem(last=False)

    # --- Vary ---------------------------------------------------------------------------

    def _vary_values(self, names: tuple[str, ...], environ) -> tuple:
        return tuple(self._vary_value(name, environ) for name in names)

    def _vary_value(self, name: str, environ):
        """The part of a request header a stored response depends on.

        Cookie: Django varies on the whole header, but with no session or messages cookie
        (those requests never reach the cache) only the language cookie can change a page
        that may be kept. The CSRF cookie changes a page only when the page renders a token,
        and then Django always sets the cookie again in its answer (`get_token` asks for
        it), so that answer is never kept. Keying on the whole header would make every
        reader with a csrftoken or an analytics cookie a miss of their own.

        Accept-Language: browsers send hundreds of spellings of it, and Django only picks
        one of its languages from it; the key is that language, found the way Django's
        LocaleMiddleware finds it: from the language cookie first, then the header. (The
        middleware reads that cookie but only adds `Vary: Accept-Language`: keying on the
        header alone would serve a page in the wrong language.)

        Accept-Encoding: GZipMiddleware only asks whether gzip is named, so the key is that
        (two copies of a page, not one per browser's spelling of the header).
        """
        if name == "cookie":
            cookies = _cookies(environ)
            return tuple((cookie, cookies.get(cookie)) for cookie in self.vary_cookies)
        value = environ.get("HTTP_" + name.upper().replace("-", "_"), "")
        if name == "accept-language" and self.resolve_language is not None:
            return self.resolve_language(_cookies(environ), value)
        if name == "accept-encoding":
            return bool(ACCEPTS_GZIP.search(value))
        return value


def _url_key(environ) -> tuple:
    # The scheme is part of the page: Django adds HSTS to HTTPS answers only. Behind a
    # proxy the scheme arrives in X-Forwarded-Proto.
    return (
        environ.get("wsgi.url_scheme", "http"),
        environ.get("HTTP_X_FORWARDED_PROTO", ""),
        environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}",
        environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
    )


def _cookies(environ) -> dict[str, str]:
    # Django's own parser: the cache must see the cookies Django will see.
    return parse_cookie(environ.get("HTTP_COOKIE", ""))


def _header(headers, wanted: str) -> list[str]:
    return [value for name, value in headers if name.lower() == wanted]


def _vary_names(headers) -> set[str]:
    return {
        name.strip().lower()
        for value in _header(headers, "vary")
        for name in value.split(",")
        if name.strip()
    }


def _cache_control(headers) -> dict[str, str]:
    directives = {}
    for value in _header(headers, "cache-control"):
        for directive in value.split(","):
            name, _sep, argument = directive.strip().partition("=")
            if name:
                directives[name.lower()] = argument.strip('"')
    return directives


def _lifetime(directives: dict[str, str]) -> float:
    """s-maxage, the shared caches' own, wins over max-age."""
    for name in ("s-maxage", "max-age"):
        if name in directives:
            try:
                return float(int(directives[name]))
            except ValueError:
                return 0.0
    return 0.0


def _age(headers) -> float:
    ages = _header(headers, "age")
    try:
        return float(int(ages[0])) if ages else 0.0
    except ValueError:
        return float("inf")


def _with_x_cache(started: list) -> tuple:
    status, headers, exc_info = started
    return status, [*headers, ("X-Cache", "MISS")], exc_info


def _close(chunks) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()


def resolve_language_like_django(cookies: dict, accept_language: str) -> str:
    """The language Django's LocaleMiddleware picks for a request with these cookies and
    this Accept-Language header."""
    from django.http import HttpRequest
    from django.utils import translation

    request = HttpRequest()
    request.COOKIES = cookies
    request.META["HTTP_ACCEPT_LANGUAGE"] = accept_language
    return translation.get_language_from_request(request)


def shared_cache_from_settings(application):
    """The application behind the cache, as settings configure it; the application
    alone when no path prefix is configured."""
    from django.conf import settings
    from django.contrib.messages.storage.cookie import CookieStorage

    prefixes = settings.SHARED_CACHE_PATH_PREFIXES
    if not prefixes:
        return application
    return SharedCache(
        application,
        path_prefixes=prefixes,
        max_entries=settings.SHARED_CACHE_MAX_ENTRIES,
        bypass_cookies=(settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name),
        vary_cookies=(settings.LANGUAGE_COOKIE_NAME,),
        resolve_language=resolve_language_like_django,
    )
