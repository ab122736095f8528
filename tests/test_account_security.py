"""Convenors and coordinators sign in with a second factor (one sign-in to set it up),
their sessions expire when idle, and signing in, out and second factors are audited.

Every sign-in here goes through allauth's form, as a person's does: `force_login` goes
around the sign-in flow, where the rule lives (alliance.core.accounts.security).
"""

import datetime as dt
import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.core.accounts import security
from alliance.core.audit.models import AuditEntry
from tests.factories import NationalAllianceFactory, UserFactory
from tests.mfa import TOTP_SECRET, forget_used_codes, fresh_code

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def sign_in(client, user, *, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def confirm_password(client, password=PASSWORD):
    """allauth asks for the password again before a second factor is added or removed."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content.decode()


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def actions(user) -> list[str]:
    return list(AuditEntry.objects.for_object(user).order_by("id").values_list("action", flat=True))


@pytest.fixture(autouse=True)
def _codes_from_other_tests_are_forgotten():
    forget_used_codes()


@pytest.fixture
def new_convenor(db):
    return UserFactory(email="new.convenor@alliance.test", is_convenor=True)


@pytest.fixture
def new_superuser(db):
    return UserFactory(
        email="root@alliance.test", is_convenor=True, is_staff=True, is_superuser=True
    )


@pytest.fixture
def new_coordinator(db):
    user = UserFactory(email="new.coordinator@alliance.test")
    NationalAllianceFactory(country="KE").coordinators.add(user)
    return user


PRIVILEGED = ["new_convenor", "new_coordinator", "new_superuser"]


# The grace sign-in and what follows


@pytest.mark.parametrize("who", PRIVILEGED)
def test_first_sign_in_without_second_factor_lets_them_in_only_to_set_one_up(
    request, client, db, who
):
    user = request.getfixturevalue(who)

    response = sign_in(client, user)

    assert signed_in_as(client) == str(user.pk)
    user.refresh_from_db()
    assert user.second_factor_grace_used_at is not None
    for path in [response.url, "/", "/members/directory/", "/me/", "/statements/"]:
        page = client.get(path)
        assert page.status_code == 302, path
        assert page.url == reverse("mfa_index"), path
    setup = client.get(reverse("mfa_index"))
    assert setup.status_code == 200
    assert "Set up two-factor authentication to continue" in setup.content.decode()
    assert client.get(reverse("mfa_activate_totp")).url.startswith(
        reverse("account_reauthenticate")
    )
    confirm_password(client)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert "user.second_factor_grace_used" in actions(user)


@pytest.mark.parametrize("who", PRIVILEGED)
def test_next_sign_in_without_second_factor_is_refused(request, client, db, who):
    user = request.getfixturevalue(who)
    sign_in(client, user)
    client.post(reverse("account_logout"))

    response = sign_in(client, user)

    assert response.status_code == 403
    assert "Two-factor authentication required" in response.content.decode()
    assert signed_in_as(client) is None
    assert client.get("/me/").url.startswith(reverse("account_login"))
    assert actions(user)[-1] == "user.login_refused"


def test_a_convenor_can_give_one_more_sign_in_to_set_it_up(client, new_coordinator, convenor):
    sign_in(client, new_coordinator)
    client.post(reverse("account_logout"))
    assert sign_in(client, new_coordinator).status_code == 403

    security.allow_one_sign_in_to_enrol(user=new_coordinator, allowed_by=convenor)

    sign_in(client, new_coordinator)
    assert signed_in_as(client) == str(new_coordinator.pk)
    assert client.get("/").url == reverse("mfa_index")
    entry = AuditEntry.objects.get(action="user.second_factor_grace_given")
    assert entry.actor == convenor and entry.target == new_coordinator


@pytest.mark.parametrize(
    "language, set_up, refused",
    [
        ("fr", "Configurez l’authentification", "Authentification à deux facteurs requise"),
        ("es", "Configure la autenticación", "Se requiere autenticación de dos factores"),
        ("pt", "Configure a autenticação", "Autenticação de dois fatores obrigatória"),
    ],
)
def test_the_pages_speak_the_language_of_the_interface(
    client, new_coordinator, compiled_translations, language, set_up, refused
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    sign_in(client, new_coordinator)
    assert set_up in client.get(reverse("mfa_index")).content.decode()
    client.post(reverse("account_logout"))
    assert refused in sign_in(client, new_coordinator).content.decode()


def test_the_admin_action_gives_one_more_sign_in(client, new_coordinator, new_superuser):
    new_coordinator.second_factor_grace_used_at = timezone.now()
    new_coordinator.save()
    client.force_login(new_superuser)

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "allow_one_sign_in_to_enrol", "_selected_action": [new_coordinator.pk]},
    )

    new_coordinator.refresh_from_db()
    assert new_coordinator.second_factor_grace_used_at is None
    assert AuditEntry.objects.get(action="user.second_factor_grace_given").actor == new_superuser


def test_the_admin_never_shows_an_authenticator_secret(client, convenor, new_superuser):
    authenticator = convenor.authenticator_set.get()
    client.force_login(new_superuser)

    page = client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))

    assert page.status_code == 200
    assert TOTP_SECRET not in page.content.decode()
    assert authenticator.data["secret"] not in page.content.decode()


@pytest.mark.parametrize("who", ["representative", "outsider"])
def test_others_are_not_asked_for_a_second_factor(request, client, db, who):
    user = request.getfixturevalue(who)
    for _ in range(2):
        response = sign_in(client, user)
        assert response.url == reverse("home")
        assert client.get("/").status_code == 200
        client.post(reverse("account_logout"))
    user.refresh_from_db()
    assert user.second_factor_grace_used_at is None


def test_others_may_add_a_second_factor_from_their_preferences(client, representative):
    sign_in(client, representative)
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert reverse("mfa_index") in page
    assert client.get(reverse("mfa_index")).status_code == 200


# Signing in with a second factor


@pytest.mark.parametrize("who", ["convenor", "uganda_coordinator", "brazil_coordinator"])
def test_enrolled_convenor_or_coordinator_needs_a_right_code(request, client, db, who):
    user = request.getfixturevalue(who)

    response = sign_in(client, user)
    assert response.url == reverse("mfa_authenticate")
    assert signed_in_as(client) is None, "the password alone signs nobody in"
    assert client.get("/me/").url.startswith(reverse("account_login"))

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    assert signed_in_as(client) is None

    right = client.post(reverse("mfa_authenticate"), {"code": fresh_code(user)})
    assert right.url == reverse("home")
    assert signed_in_as(client) == str(user.pk)
    assert client.get("/members/directory/").status_code == 200
    user.refresh_from_db()
    assert user.second_factor_grace_used_at is None, "an enrolled sign-in uses no grace"
    assert actions(user) == ["user.second_factor_failed", "user.logged_in"]


def test_removing_the_last_second_factor_closes_the_pages_again(client, convenor):
    sign_in(client, convenor)
    client.post(reverse("mfa_authenticate"), {"code": fresh_code(convenor)})
    assert client.get("/members/directory/").status_code == 200

    convenor.authenticator_set.all().delete()

    assert client.get("/members/directory/").url == reverse("mfa_index")


def test_the_admin_login_form_goes_through_the_sign_in_with_a_second_factor(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# Idle expiry


def test_convenor_session_expires_after_the_idle_limit(client, convenor, settings):
    settings.PRIVILEGED_SESSION_IDLE_SECONDS = 600
    sign_in(client, convenor)
    client.post(reverse("mfa_authenticate"), {"code": fresh_code(convenor)})

    assert client.session.get_expiry_age() == 600
    session = Session.objects.get(session_key=client.session.session_key)
    # A request a minute after the end last moved pushes it forward: the limit is on
    # idleness, not on the session.
    stored = client.session
    stored[security.IDLE_EXPIRY_MOVED_KEY] -= security.IDLE_EXPIRY_STEP_SECONDS
    stored.save()
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + dt.timedelta(seconds=5)
    )
    assert client.get("/").status_code == 200
    session.refresh_from_db()
    assert session.expire_date > timezone.now() + dt.timedelta(seconds=590)


def test_convenor_session_ends_when_idle_for_the_limit(client, convenor, settings):
    """Waits out a short limit rather than backdating the database's copy: the session is
    read from Redis (SESSION_ENGINE cached_db), whose copy must expire at the same time."""
    settings.PRIVILEGED_SESSION_IDLE_SECONDS = 2
    sign_in(client, convenor)
    client.post(reverse("mfa_authenticate"), {"code": fresh_code(convenor)})
    assert client.get("/").status_code == 200

    time.sleep(3)

    assert client.get("/me/").url.startswith(reverse("account_login"))
    assert signed_in_as(client) is None


def test_requests_within_a_minute_do_not_write_the_privileged_session(client, convenor, settings):
    settings.PRIVILEGED_SESSION_IDLE_SECONDS = 600
    sign_in(client, convenor)
    client.post(reverse("mfa_authenticate"), {"code": fresh_code(convenor)})
    session = Session.objects.get(session_key=client.session.session_key)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
        assert client.get("/me/").status_code == 200

    writes = [
        query["sql"]
        for query in queries.captured_queries
        if "django_session" in query["sql"] and not query["sql"].startswith("SELECT")
    ]
    assert writes == []
    assert Session.objects.get(pk=session.pk).expire_date == session.expire_date


def test_coordinator_grace_session_expires_when_idle_too(client, new_coordinator):
    response = sign_in(client, new_coordinator)
    assert client.session.get_expiry_age() == settings.PRIVILEGED_SESSION_IDLE_SECONDS
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == settings.PRIVILEGED_SESSION_IDLE_SECONDS


def test_other_sessions_keep_the_default_length(client, representative):
    sign_in(client, representative)
    client.get("/")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


# Audit


def test_sign_in_failure_and_sign_out_are_audited(client, representative):
    sign_in(client, representative, password="not the password")
    sign_in(client, representative)
    client.post(reverse("account_logout"))

    assert actions(representative) == ["user.login_failed", "user.logged_in", "user.logged_out"]
    failed = AuditEntry.objects.for_object(representative).get(action="user.login_failed")
    assert failed.actor is None and failed.actor_label == representative.email
    assert failed.note == "127.0.0.1"


def test_second_factor_changes_and_recovery_codes_are_audited(
    client, representative, django_capture_on_commit_callbacks
):
    sign_in(client, representative)
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mfa_activate_totp"), {"code": fresh_code(representative, secret)}
        )
    assert response.url == reverse("mfa_view_recovery_codes")
    codes = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_generate_recovery_codes"))
    codes = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    recovery_code = re.search(r"<textarea[^>]*>\s*(\w+)", codes).group(1)
    client.post(reverse("account_logout"))

    sign_in(client, representative)
    client.post(reverse("mfa_authenticate"), {"code": "12345678"})
    client.post(reverse("mfa_authenticate"), {"code": recovery_code})
    assert signed_in_as(client) == str(representative.pk)
    confirm_password(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_deactivate_totp"))

    assert actions(representative) == [
        "user.logged_in",
        "user.second_factor_added",  # the app
        "user.second_factor_added",  # its recovery codes
        "user.recovery_codes_regenerated",
        "user.logged_out",
        "user.second_factor_failed",
        "user.recovery_code_used",
        "user.logged_in",
        "user.second_factor_removed",
        "user.second_factor_removed",
    ]
    added = AuditEntry.objects.filter(action="user.second_factor_added").order_by("id")
    assert [entry.changes["type"] for entry in added] == ["totp", "recovery_codes"]
