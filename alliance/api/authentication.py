"""`Authorization: Bearer <key>` for partner systems."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from alliance.api.models import KEY_PREFIX, PREFIX_LENGTH, ApiKey
from alliance.api.throttling import count_request, current_count


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """A partner's key. `request.user` stays anonymous: a key reads what an anonymous
    visitor sees, plus what its scopes add (see alliance.api.scopes); `request.auth` is
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
        self._refuse_guessing(request)
        key = self._find(secret)
        if key is None or not key.matches(secret):
            self._count_failure(request)
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        if not key.is_active:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        key.touch()
        return AnonymousUser(), key

    # Wrong keys are refused before the per-key throttle can count them: count them per
    # client address instead, so that nobody can try keys at full speed.
    FAILURES_ALLOWED = 20
    FAILURE_WINDOW = 60

    def _failure_key(self, request) -> str:
        return f"failed-auth:{request.META.get('REMOTE_ADDR', 'unknown')}"

    def _refuse_guessing(self, request) -> None:
        if current_count(self._failure_key(request)) >= self.FAILURES_ALLOWED:
            raise exceptions.Throttled(wait=self.FAILURE_WINDOW)

    def _count_failure(self, request) -> None:
        count_request(self._failure_key(request), self.FAILURE_WINDOW)

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
