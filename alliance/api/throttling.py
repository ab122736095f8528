from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

DEFAULT_RATE = "1200/min"


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Requests per API key (per user for sessions). The rate is the API_THROTTLE_RATE
    setting, read per request so that it can change without a restart of the class."""

    scope = "api_key"

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATE", DEFAULT_RATE)

    def allow_request(self, request, view):
        # The rate is read here rather than once at construction, as DRF does.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if request.auth is not None and hasattr(request.auth, "prefix"):
            ident = f"key:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
