import zoneinfo

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone, translation

from alliance.core.accounts import security


class UserPreferencesMiddleware:
    """Show times in the user's own time zone, and the interface in their language.

    The language a user picks with the switcher (stored by `set_language` in a cookie)
    wins over the one saved on their profile, so a French speaker can look at the
    English interface without changing their settings.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        else:
            timezone.deactivate()
        return self.get_response(request)


class SecondFactorMiddleware:
    """In a convenor's or coordinator's session (`security.start_session`): push its idle
    expiry forward (`security.push_idle_expiry`), and while they have no second factor, send every
    page but those that set one up to the page that does.

    Other sessions cost nothing here: the mark is read from the session, already loaded.
    """

    # What someone setting up a second factor may need besides allauth.mfa's pages
    # (`mfa_*`): to sign out, to confirm their password again, to switch language.
    ALLOWED_URL_NAMES = frozenset(
        {
            "account_logout",
            "account_reauthenticate",
            "account_email",
            "account_confirm_email",
            "set_language",
            "healthz",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            security.is_privileged_session(request)
            and request.user.is_authenticated
            and not security.had_second_factor_when_loaded(request.user)
        ):
            request.second_factor_required = True
            if not self._may_visit(request.path_info):
                return self._push_expiry(request, redirect("mfa_index"))
        return self._push_expiry(request, self.get_response(request))

    def _push_expiry(self, request, response):
        # After the view: the sign-in itself marks the session, and allauth's form then
        # sets its own expiry ("remember me"), which this one replaces.
        if security.is_privileged_session(request):
            security.push_idle_expiry(request)
        return response

    def _may_visit(self, path: str) -> bool:
        if path.startswith(f"/{settings.STATIC_URL.strip('/')}/"):
            return True
        try:
            url_name = resolve(path).url_name or ""
        except Resolver404:
            return False
        return url_name.startswith("mfa_") or url_name in self.ALLOWED_URL_NAMES
