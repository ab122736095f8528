"""A convenor sees where an account is signed in and ends those sessions (a stolen
account); everyone sees and ends their own; nobody else sees anyone's."""

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from alliance.core.audit.models import AuditEntry
from tests.factories import UserFactory

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


@pytest.fixture
def superuser_convenor(db):
    return UserFactory(
        email="root@alliance.test", is_convenor=True, is_staff=True, is_superuser=True
    )


@pytest.fixture
def phone(representative):
    """The representative, signed in on their phone through the real form."""
    phone = Client(HTTP_USER_AGENT="Phone browser 1.0")
    response = phone.post(
        reverse("account_login"), {"login": representative.email, "password": PASSWORD}
    )
    assert response.url == reverse("home")
    return phone


def url(user):
    return reverse("accounts:sessions", args=[user.pk])


def still_signed_in(client) -> bool:
    return client.get("/me/").status_code == 200


MATRIX = [
    ("convenor", True),
    ("superuser_convenor", True),
    ("representative", True),  # their own
    ("uganda_coordinator", False),  # coordinates the representative's alliance, still no
    ("brazil_coordinator", False),
    ("outsider", False),
]


@pytest.mark.parametrize("who, allowed", MATRIX)
def test_who_sees_the_representatives_sessions(
    request, client_for, representative, phone, who, allowed
):
    response = client_for(request.getfixturevalue(who)).get(url(representative))

    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert "Phone browser 1.0" in response.content.decode()


@pytest.mark.parametrize("who, allowed", MATRIX)
def test_who_ends_the_representatives_sessions(
    request, client_for, representative, phone, who, allowed
):
    viewer = request.getfixturevalue(who)

    response = client_for(viewer).post(url(representative), {"session": "all"})

    assert response.status_code == (302 if allowed else 403)
    assert still_signed_in(phone) is not allowed
    assert UserSession.objects.filter(user=representative).exists() is not allowed
    ended = AuditEntry.objects.filter(action="user.sessions_ended")
    assert ended.exists() is allowed
    if allowed:
        assert ended.get().actor == viewer


def test_anonymous_is_sent_to_sign_in(client, representative, phone):
    for response in [client.get(url(representative)), client.post(url(representative))]:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert still_signed_in(phone)


def test_convenor_ends_one_session_and_leaves_the_others(client_for, convenor, representative):
    phone, laptop = Client(HTTP_USER_AGENT="Phone"), Client(HTTP_USER_AGENT="Laptop")
    for device in (phone, laptop):
        device.post(reverse("account_login"), {"login": representative.email, "password": PASSWORD})
    on_phone = UserSession.objects.get(user=representative, user_agent="Phone")

    response = client_for(convenor).post(url(representative), {"session": on_phone.pk})

    assert response.url == url(representative)
    assert not still_signed_in(phone)
    assert still_signed_in(laptop)
    entry = AuditEntry.objects.get(action="user.sessions_ended")
    assert entry.target == representative and entry.changes == {"sessions": 1}


def test_ending_ones_own_current_session_signs_out(client, representative):
    client.post(reverse("account_login"), {"login": representative.email, "password": PASSWORD})

    response = client.post(url(representative), {"session": "all"})

    assert response.url == reverse("account_login")
    assert not still_signed_in(client)


@pytest.mark.parametrize("value", ["", "abc", "-1", "1; DROP TABLE"])
def test_a_bad_session_value_is_a_message_not_an_error(client_for, convenor, phone, value):
    representative = UserSession.objects.get().user

    response = client_for(convenor).post(url(representative), {"session": value}, follow=True)

    assert response.status_code == 200
    assert "Choose a session to end." in response.content.decode()
    assert still_signed_in(phone)


def test_a_session_of_someone_else_is_not_ended_through_another_account(
    client_for, convenor, representative, outsider, phone
):
    theirs = UserSession.objects.get(user=representative)

    client_for(convenor).post(url(outsider), {"session": theirs.pk})

    assert still_signed_in(phone)


def test_unknown_account_is_not_found(client_for, convenor):
    assert client_for(convenor).get(reverse("accounts:sessions", args=[999999])).status_code == 404
