"""A second factor, and short sessions, for the people who can see who signed.

Convenors and national coordinators see contacts and (convenors) the organisations that
signed without being listed: a stolen password must not be enough to see them. They need
a second factor (allauth.mfa: an authenticator app with recovery codes, or a security
key). The first sign-in without one lets them in to set it up, and nowhere else
(`SecondFactorMiddleware`); after that, their password alone no longer signs them in
(`AccountAdapter.pre_login`) until a convenor gives them another such sign-in.

The rule is applied where allauth's own second-factor check is, in the sign-in flow:
`Client.force_login` in tests goes around both.
"""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone

from alliance.core.audit.services import record
from alliance.core.permissions import is_convenor, is_coordinator

# Set at sign-in on the session of a convenor or coordinator.
PRIVILEGED_SESSION_KEY = "alliance.privileged_session"
# When its idle expiry last moved (seconds since the epoch). It moves at most once a
# minute: writing the session on every request would cost each page a transaction (and
# make it wait for any long write to commit, such as an import on SQLite).
IDLE_EXPIRY_MOVED_KEY = "alliance.idle_expiry_moved_at"
IDLE_EXPIRY_STEP_SECONDS = 60
# Recovery codes alone are not a second factor: allauth deletes them with the last one.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
# Set on the signed-in user by the query that loads them for the request
# (alliance.auth_backends), so that the second-factor rule costs the request no query.
SECOND_FACTOR_WHEN_LOADED = "second_factor_when_loaded"


def must_use_second_factor(user) -> bool:
    return is_convenor(user) or is_coordinator(user)


def has_second_factor(user) -> bool:
    return is_mfa_enabled(user, SECOND_FACTORS)


def second_factor_exists() -> Exists:
    """`has_second_factor` for the user of each row, to annotate a query of users with."""
    return Exists(Authenticator.objects.filter(user=OuterRef("pk"), type__in=SECOND_FACTORS))


def had_second_factor_when_loaded(user) -> bool:
    """`has_second_factor` as it was when this request loaded `user`: a factor removed in
    another request takes effect on the next one, as a query here would."""
    loaded = getattr(user, SECOND_FACTOR_WHEN_LOADED, None)
    return has_second_factor(user) if loaded is None else loaded


def may_sign_in_with_password(user) -> bool:
    """False for a convenor or coordinator without a second factor whose one sign-in to
    set it up is used."""
    return not (
        user.second_factor_grace_used_at is not None
        and must_use_second_factor(user)
        and not has_second_factor(user)
    )


def start_session(request: HttpRequest, user) -> None:
    """At sign-in: a convenor's or coordinator's session expires when idle, and a sign-in
    without a second factor uses up their one sign-in to set it up."""
    if not must_use_second_factor(user):
        return
    request.session[PRIVILEGED_SESSION_KEY] = True
    push_idle_expiry(request)
    if not has_second_factor(user) and user.second_factor_grace_used_at is None:
        user.second_factor_grace_used_at = timezone.now()
        user.save(update_fields=["second_factor_grace_used_at"])
        record(actor=user, action="user.second_factor_grace_used", target=user)


def allow_one_sign_in_to_enrol(*, user, allowed_by) -> None:
    """A convenor lets someone who did not set up their second factor in time sign in
    once more with their password, to do it."""
    user.second_factor_grace_used_at = None
    user.save(update_fields=["second_factor_grace_used_at"])
    record(actor=allowed_by, action="user.second_factor_grace_given", target=user)


def is_privileged_session(request: HttpRequest) -> bool:
    return bool(request.session.get(PRIVILEGED_SESSION_KEY))


def push_idle_expiry(request: HttpRequest) -> None:
    """End a privileged session PRIVILEGED_SESSION_IDLE_SECONDS after this request, give
    or take a minute: the session is written only when its end last moved a minute ago
    or more, or when something else (allauth's "remember me") set another expiry."""
    session = request.session
    now = int(time.time())
    if (
        session.get_expiry_age() == settings.PRIVILEGED_SESSION_IDLE_SECONDS
        and not session.get_expire_at_browser_close()
        and now - session.get(IDLE_EXPIRY_MOVED_KEY, 0) < IDLE_EXPIRY_STEP_SECONDS
    ):
        return
    session[IDLE_EXPIRY_MOVED_KEY] = now
    session.set_expiry(settings.PRIVILEGED_SESSION_IDLE_SECONDS)
