"""alliance.reversing.reverse_one gives the path Django's reverse gives, under any script
prefix, for the URL-safe values it fills in and for the others it passes to reverse."""

import pytest
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix

from alliance.reversing import reverse_one
from statements.models import new_token


@pytest.fixture(params=["/", "/hub/"])
def script_prefix(request):
    before = get_script_prefix()
    set_script_prefix(request.param)
    yield request.param
    set_script_prefix(before)


def test_the_confirmation_link_is_the_path_django_reverses(script_prefix):
    for token in (new_token(), new_token(), "not url-safe é"):
        expected = reverse("statements:verify", kwargs={"token": token})
        assert reverse_one("statements:verify", "token", token) == expected
    assert reverse_one("statements:verify", "token", "abc").startswith(script_prefix)


def test_the_check_email_page_is_the_path_django_reverses(script_prefix):
    for slug in ("tax-the-richest", "statement-a1b2c3", "H0LE"):
        expected = reverse("statements:check_email", kwargs={"slug": slug})
        assert reverse_one("statements:check_email", "slug", slug) == expected
        assert expected.startswith(script_prefix)


def test_a_value_reverse_refuses_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        reverse_one("statements:check_email", "slug", "no spaces in a slug")
