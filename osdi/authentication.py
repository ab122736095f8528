"""The key in the `OSDI-API-Token` header, as OSDI and Action Network clients send it."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from alliance.core.api.authentication import ApiKeyAuthentication

HEADER = "OSDI-API-Token"


class OsdiTokenAuthentication(ApiKeyAuthentication):
    """The same keys, scopes and guessing limit as `Authorization: Bearer`."""

    def authenticate(self, request):
        secret = request.headers.get(HEADER)
        if not secret:
            return None
        return self.authenticate_secret(request, secret.strip())

    def authenticate_header(self, request):
        return f'{HEADER} realm="osdi"'


class OsdiTokenScheme(OpenApiAuthenticationExtension):
    target_class = OsdiTokenAuthentication
    name = "osdiApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": HEADER,
            "description": "An API key made by a convenor (`ah_...`), as OSDI clients send it.",
        }
