import zoneinfo

from django.conf import settings
from django.utils import timezone, translation


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
