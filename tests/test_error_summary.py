"""A form sent back with errors starts with a summary of them (GOV.UK's pattern): a box
headed "There is a problem", focused on load by a static script (the Content-Security-
Policy forbids inline ones), listing each error with a link to its field."""

import re

import pytest
from django.urls import reverse

# (persona, the page whose form is sent back with errors when posted empty)
PAGES_WITH_FORMS = [
    ("anonymous", "members:apply", []),
    ("anonymous", "statements:sign_publicly", ["statement"]),
    ("anonymous", "statements:respond", ["token"]),
    ("representative", "accounts:preferences", []),
    ("representative", "members:organisation_edit", ["organisation"]),
    ("representative", "members:contact_add", ["organisation"]),
    ("uganda_coordinator", "campaigns:convening_create", []),
    ("superuser_convenor", "members:alliance_create", []),
    ("superuser_convenor", "members:principles_publish", []),
    ("superuser_convenor", "statements:create", []),
    ("superuser_convenor", "campaigns:campaign_create", []),
    ("superuser_convenor", "campaigns:moment_create", ["campaign"]),
]


@pytest.mark.parametrize(("persona", "url_name", "args"), PAGES_WITH_FORMS)
def test_a_form_with_errors_starts_with_a_summary_linking_to_each_field(
    client_for,
    personas,
    world,
    persona,
    url_name,
    args,  # noqa: F811
):
    path = reverse(url_name, args=[world[arg] for arg in args])
    response = client_for(personas[persona]).post(path, {"nothing": ""})

    html = response.content.decode()
    form = response.context["form"]
    assert form.errors, "posted empty, the form has errors"
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary, "no error summary"
    assert 'tabindex="-1"' in summary.group(0) and 'role="alert"' in summary.group(0)
    assert "There is a problem" in summary.group(1)
    assert html.index('class="error-summary"') < html.index('class="field field--invalid"')
    for name in form.errors:
        if name in form.fields and not form[name].is_hidden:
            field = form[name]
            target = field.id_for_label or field.subwidgets[0].id_for_label
            assert f'href="#{target}"' in summary.group(1), name
    assert '<script src="/static/js/error-summary.js" defer></script>' in html


def test_a_form_without_errors_has_no_summary(client_for, representative):
    html = client_for(representative).get(reverse("accounts:preferences")).content.decode()
    assert "error-summary" not in html
