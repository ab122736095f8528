"""Text answers leave compressed: Django's GZipMiddleware, kept to the types that shrink.

It sits at the top of the middleware so that it also compresses what WhiteNoise serves
when there is no pre-compressed copy (the quick start serves static files straight from
the source folders). In production `collectstatic` writes .br and .gz copies (whitenoise
with Brotli installed) and WhiteNoise sends those with their Content-Encoding, which
GZipMiddleware leaves alone.

BREACH: a compressed page that carries a secret and reflects what an attacker sent leaks
the secret through its length. Django's CSRF token is masked anew in every response, and
GZipMiddleware adds up to 100 random bytes to each response (Heal The Breach), so a page
with a token and a reflected search term does not give the token away; a secret the site
shows once (a new API key) cannot be asked for again, which the attack needs. Session
cookies travel in headers, which are not compressed.
"""

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/geo+json",
    "application/vnd.oai.openapi",
    "image/svg+xml",
)


class TextGZipMiddleware(GZipMiddleware):
    """GZipMiddleware for text only: images, fonts and archives are compressed already,
    and gzipping them again would cost time for nothing."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").lower()
        if not content_type.startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
