"""Every form page, each field in turn given invalid values, as the persona who may use
the form: no answer is a server error. A bad value is the user's mistake, told beside the
field (or refused with a 4xx), never a 500.

The forms are read from the pages themselves (field names, and the values the page fills
in), so a field added to a form is fuzzed without touching this file; the pages are listed
here, one per form, for each persona who may post it.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.urls import reverse

INVALID_VALUES = [
    "x" * 5000,  # longer than any column
    "-1",
    "99999999999999999999999999",  # past any integer column
    "1e309",
    "not a date",
    "2027-13-45T25:61",
    "Kampala",  # a city, not a time zone
    "zz-unknown-choice",
    "Africa/Kampala\x00",  # NUL bytes: PostgreSQL refuses them in text
    "\x00",
    "<script>alert(1)</script>",
    "",
]
# Forms that are not the page's own: the language switcher and signing out.
SKIPPED_ACTIONS = ("/i18n/", "/accounts/logout/")


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class FormParser(HTMLParser):
    """The forms of a page, with the values the page fills in."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("action") or ""
            if not action or action.startswith("?"):
                action = self.page_path.split("?")[0] + action
            self.current = Form(method=(attrs.get("method") or "get").lower(), action=action)
            return
        if self.current is None or "name" not in attrs:
            if tag == "option" and self.select is not None:
                self._option(attrs)
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind == "file":
                self.current.files.add(name)
            elif kind in ("checkbox", "radio"):
                self.current.fields.setdefault(name, [])
                if "checked" in attrs:
                    self.current.fields[name].append(attrs.get("value") or "on")
            elif kind not in ("submit", "button", "reset"):
                self.current.fields[name] = [attrs.get("value") or ""]
        elif tag == "select":
            self.select, self.select_first, self.select_chosen = name, None, False
            self.current.fields[name] = []
        elif tag == "textarea":
            self.textarea = name
            self.current.fields[name] = [""]
        elif tag == "button" and attrs.get("value"):
            self.current.fields.setdefault(name, [attrs["value"]])

    def _option(self, attrs):
        value = attrs.get("value") or ""
        if self.select_first is None and value:
            self.select_first = value
        if "selected" in attrs:
            self.current.fields[self.select].append(value)
            self.select_chosen = True

    def handle_data(self, data):
        if self.current is not None and self.textarea:
            self.current.fields[self.textarea] = [self.current.fields[self.textarea][0] + data]

    def handle_endtag(self, tag):
        if tag == "form" and self.current is not None:
            if not self.current.action.startswith(SKIPPED_ACTIONS):
                self.forms.append(self.current)
            self.current = None
        elif tag == "select" and self.select is not None:
            # Nothing selected: a browser sends the first option.
            if not self.select_chosen and self.select_first and self.current is not None:
                self.current.fields[self.select] = [self.select_first]
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_of(client, path) -> list[Form]:
    response = client.get(path)
    assert response.status_code == 200, path
    parser = FormParser(path)
    parser.feed(response.content.decode())
    return parser.forms


# (persona, the page that carries the form, its query string).
FORM_PAGES = [
    ("anonymous", "members:apply", [], ""),
    ("anonymous", "statements:sign_publicly", ["statement"], ""),
    ("anonymous", "statements:respond", ["token"], ""),
    ("anonymous", "campaigns:rsvp", ["rsvp"], ""),
    ("representative", "accounts:preferences", [], ""),
    ("representative", "members:organisation_edit", ["organisation"], ""),
    ("representative", "members:contact_add", ["organisation"], ""),
    ("representative", "statements:detail", ["statement"], ""),
    ("uganda_coordinator", "campaigns:convening_create", [], ""),
    ("uganda_coordinator", "members:alliance_edit", ["alliance"], ""),
    ("superuser_convenor", "members:organisation", ["organisation"], ""),
    ("superuser_convenor", "members:contact_edit", ["organisation", "contact"], ""),
    ("superuser_convenor", "members:applications", [], ""),
    ("superuser_convenor", "members:directory", [], ""),
    ("superuser_convenor", "members:alliance_create", [], ""),
    ("superuser_convenor", "members:alliance", ["alliance"], ""),
    ("superuser_convenor", "members:dashboard", [], ""),
    ("superuser_convenor", "members:principles_publish", [], ""),
    ("superuser_convenor", "members:import_upload", [], ""),
    ("superuser_convenor", "statements:create", [], ""),
    ("superuser_convenor", "statements:edit", ["statement"], ""),
    ("superuser_convenor", "statements:circulate", ["statement"], "?membership_status=approved"),
    ("superuser_convenor", "campaigns:campaign_create", [], ""),
    ("superuser_convenor", "campaigns:campaign_edit", ["campaign"], ""),
    ("superuser_convenor", "campaigns:moment_create", ["campaign"], ""),
    ("superuser_convenor", "campaigns:moment_edit", ["campaign", "moment"], ""),
    ("superuser_convenor", "campaigns:convening_edit", ["convening"], ""),
    ("superuser_convenor", "campaigns:convening_cancel", ["convening"], ""),
    ("superuser_convenor", "campaigns:invitations", ["convening"], ""),
    ("superuser_convenor", "campaigns:invite", ["convening"], "?status=approved"),
]


@pytest.mark.parametrize(("persona", "url_name", "args", "query"), FORM_PAGES)
def test_no_invalid_value_in_any_field_is_a_server_error(
    client_for, personas, world, persona, url_name, args, query
):
    client = client_for(personas[persona])
    path = reverse(url_name, args=[world[arg] for arg in args]) + query
    forms = forms_of(client, path)
    assert forms, f"{path} has no form"
    server_errors = []
    for form in forms:
        send = client.post if form.method == "post" else client.get
        for name in form.fields:
            if name == "csrfmiddlewaretoken":
                continue
            for value in INVALID_VALUES:
                response = send(form.action, {**form.fields, name: [value]})
                if response.status_code >= 500:
                    server_errors.append((form.action, name, value[:40], response.status_code))
    assert server_errors == []


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/members/dashboard/", {"alliance": "uganda\x00"}),
        ("/members/directory/", {"q": "Kap\x00"}),
        ("/statements/", {"x\x00": "1"}),
    ],
)
def test_a_nul_byte_in_any_parameter_is_a_bad_request(client_for, superuser_convenor, path, data):
    response = client_for(superuser_convenor).get(path, data)
    assert response.status_code == 400
    response = client_for(superuser_convenor).post(path, data)
    assert response.status_code == 400
