"""The parts of every page drawn once per process ({% drawn_once %}): each reader still
sees their own name, role, language and time zone, and a part that would keep a CSRF
token cannot be written."""

import pytest
from django.template import Template, TemplateSyntaxError
from django.urls import reverse


def test_each_reader_gets_their_own_menu_and_navigation(client, convenor, representative):
    client.force_login(convenor)
    convenor_page = client.get(reverse("privacy")).content.decode()
    client.force_login(representative)
    representative_page = client.get(reverse("privacy")).content.decode()

    assert convenor.email in convenor_page
    assert representative.email in representative_page
    assert convenor.email not in representative_page
    assert reverse("members:directory") in convenor_page
    assert reverse("members:directory") not in representative_page


def test_the_chrome_follows_the_language(client, convenor):
    client.force_login(convenor)
    english = client.get(reverse("privacy")).content.decode()
    client.cookies["django_language"] = "fr"
    french = client.get(reverse("privacy")).content.decode()

    assert "Skip to main content" in english
    assert "Skip to main content" not in french
    assert 'lang="fr"' in french


def test_the_footer_follows_the_time_zone(client, convenor):
    client.force_login(convenor)
    convenor.time_zone = "Africa/Kampala"
    convenor.save(update_fields=["time_zone"])
    assert "Africa/Kampala" in client.get(reverse("privacy")).content.decode()

    convenor.time_zone = "America/Sao_Paulo"
    convenor.save(update_fields=["time_zone"])
    assert "America/Sao_Paulo" in client.get(reverse("privacy")).content.decode()


def test_a_part_drawn_once_may_not_hold_a_csrf_token():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load drawn_once %}{% drawn_once %}{% csrf_token %}{% enddrawn_once %}")
