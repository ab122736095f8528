"""The Content-Security-Policy: every page each persona opens (public pages, the logged-in
pages, the admin, the API docs) carries the strict policy, and none of them has the
inline script, style or event handler that the policy would refuse.

tests/browser/test_content_security_policy.py opens the same pages in Chromium and checks
that the browser reports no violation."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, queue_email
from tests.fixtures.site_tour import MISSING_PAGE

PERSONAS = ["anonymous", "representative", "coordinator", "convenor"]

STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
# Swagger UI's stylesheet draws its icons as data: images; nothing else changes.
API_DOCS = {**STRICT, "img-src": {"'self'", "data:"}}
# The widget (statements/sharing_views.py) is the one page any site may frame.
EMBED = {**STRICT, "frame-ancestors": {"*"}}


def policy(response) -> dict[str, set[str]]:
    """{directive: {sources}} of the enforced header ({} when there is none)."""
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (part.strip() for part in header.split(";"))):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def expected_policy(path: str) -> dict[str, set[str]]:
    if path.endswith("/embed/"):
        return EMBED
    return API_DOCS if path.startswith(reverse("api:docs")) else STRICT


class InlineCode(HTMLParser):
    """Collects what a strict policy refuses: <script> without src, <style> elements,
    style="..." and on...= attributes, javascript: links."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append(f"inline <script> {self.getpos()}")
        if tag == "style":
            self.found.append(f"<style> {self.getpos()}")
        for name, value in attrs:
            if name == "style" or re.fullmatch(r"on[a-z]+", name):
                self.found.append(f"<{tag} {name}=...> {self.getpos()}")
            if name in {"href", "action", "src"} and (value or "").startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...> {self.getpos()}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_carries_the_strict_policy(client_for, site_tour, persona):
    tour = site_tour[persona]
    client = client_for(tour.user)
    wrong = {}
    for path in tour.paths:
        response = client.get(path)
        status = 404 if path == MISSING_PAGE else 200
        if response.status_code != status or policy(response) != expected_policy(path):
            wrong[path] = (response.status_code, policy(response))
    assert wrong == {}


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_has_inline_script_style_or_event_handler(client_for, site_tour, persona):
    tour = site_tour[persona]
    client = client_for(tour.user)
    found = {}
    for path in tour.paths:
        html = client.get(path).content.decode()
        if inline_code(html):
            found[path] = inline_code(html)
    assert found == {}


def test_inline_code_is_found_where_it_is(client, db):
    # The check above, shown to see what it looks for.
    html = (
        '<script>alert(1)</script><script src="/static/x.js"></script><style>p{}</style>'
        '<p style="color: red" onclick="go()"><a href="javascript:go()">x</a></p>'
    )
    assert len(inline_code(html)) == 5
    assert inline_code(client.get("/").content.decode()) == []


def test_api_docs_load_their_start_up_script_from_their_own_url(client, db):
    docs = client.get(reverse("api:docs"))
    scripts = re.findall(r'<script src="([^"]+)"', docs.content.decode())

    assert scripts[-1] == reverse("api:docs") + "?script="
    script = client.get(scripts[-1])
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_api_answers_carry_the_policy_too(client, db):
    response = client.get(reverse("api:statements"))  # no key: a JSON 401

    assert response["Content-Type"] == "application/json"
    assert policy(response) == STRICT


@pytest.mark.urls("tests.test_pages")
def test_mailbox_lets_the_emails_style_attributes_apply_and_nothing_else(client, db):
    # DEBUG's mailbox shows an email's HTML in a srcdoc frame, which has this page's policy.
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="staff@alliance.test", is_staff=True))
    queue_email(
        Email(
            key="test:csp-mailbox",
            to_email="grace@alliance.test",
            template="prerendered",
            context={"subject": "Hello", "text": "Welcome.", "html": "<p>Welcome.</p>"},
        )
    )
    outgoing = OutgoingMessage.objects.get(key="test:csp-mailbox")

    response = client.get(reverse("outbox:message", args=[outgoing.pk]))

    assert response.status_code == 200
    assert policy(response) == {**STRICT, "style-src-attr": {"'unsafe-inline'"}}
    assert policy(client.get(reverse("outbox:mailbox"))) == STRICT
