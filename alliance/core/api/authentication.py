"""`Authorization: Bearer <key>` for partner systems."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from alliance.core.api.models import KEY_PREFIX, PREFIX_LENGTH, ApiKey
from alliance.core.ratelimits import count_request, seconds_until_reset


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """A partner's key. `request.user` stays anonymous: a key reads what an anonymous
    visitor sees, plus what its scopes add (see alliance.core.api.scopes); `request.auth` is
    the ApiKey."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as 'Bearer <key>'."))
        try:
            secret = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from None
        return self.authenticate_secret(request, secret)

    def authenticate_secret(self, request, secret: str):
        """(user, key) for a key's secret however it was sent, or AuthenticationFailed."""
        key = self._find(secret)
        if key is None or not key.matches(secret):
            self._refuse_guessing(request)
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        if not key.is_active:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        key.touch()
        return AnonymousUser(), key

    # Wrong keys are counted per client address, and past the limit answered 429 instead
    # of 401. A valid key is never refused here: refusing every key from an address would
    # let anyone behind the same NAT lock a partner out by sending wrong ones. Keys carry
    # 256 random bits, so checking every guess gives nothing away.
    FAILURES_ALLOWED = 20
    FAILURE_WINDOW = 60

    def _refuse_guessing(self, request) -> None:
        counter = f"failed-auth:{request.META.get('REMOTE_ADDR', 'unknown')}"
        if count_request(counter, self.FAILURE_WINDOW) > self.FAILURES_ALLOWED:
            raise exceptions.Throttled(
                wait=seconds_until_reset(counter, self.FAILURE_WINDOW),
                # DRF appends the wait to a plain string, not a lazy one.
                detail=gettext("Too many requests with a wrong API key from this address."),
            )

    def _find(self, secret: str) -> ApiKey | None:
        # ah_<prefix>_<random>: the prefix finds the row, the hash comparison decides.
        parts = secret.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != PREFIX_LENGTH:
            return None
        return ApiKey.objects.filter(prefix=parts[1]).first()

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key made by a convenor: `Authorization: Bearer ah_...`.",
        }
