"""The signed-in user, loaded once per request with what every page asks of them."""

from functools import cache

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model

from alliance.core import permissions
from alliance.core.accounts import security


@cache
def _users():
    """Built once per process: resolving the two subqueries costs more Python than running
    the query, and each request only filters (a copy of) it."""
    return (
        get_user_model()
        ._default_manager.select_related("contact__organisation")
        .annotate(
            **{
                security.SECOND_FACTOR_WHEN_LOADED: security.second_factor_exists(),
                permissions.COORDINATES_WHEN_LOADED: permissions.coordinates_an_alliance(),
            }
        )
    )


class SignedInUserBackend(AuthenticationBackend):
    """allauth's backend (sign-in by email), whose user of each request comes in one query
    with their contact and its organisation (the navigation, the permission checks and
    the views read `user.contact`), whether they coordinate an alliance (the navigation and
    the permission checks ask) and whether they have a second factor (which
    `SecondFactorMiddleware` asks on every convenor's and coordinator's request)."""

    def get_user(self, user_id):
        try:
            user = _users().get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
