"""Read settings from the environment, and fail loudly on a value that makes no sense.

A typo in production configuration ("ture", "10s") must stop the process at start-up,
not run it with a silent default.
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# The thresholds `manage.py check --deploy` warns at (security.W009, as Django documents
# it; the check itself is private to Django).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
SECRET_KEY_INSECURE_PREFIX = "django-insecure-"


def refuse_weak_secret_key(name: str, value: str) -> None:
    """Stop on a key that signs sessions and password resets but could be guessed. The
    message never repeats the key: start-up errors end up in logs."""
    if (
        len(value) < SECRET_KEY_MIN_LENGTH
        or len(set(value)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or value.startswith(SECRET_KEY_INSECURE_PREFIX)
    ):
        raise ImproperlyConfigured(
            f"{name} is too weak for DEBUG off: use at least {SECRET_KEY_MIN_LENGTH} random "
            f"characters, at least {SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different, not "
            f"starting with {SECRET_KEY_INSECURE_PREFIX!r} (make one with: "
            'python -c "import secrets; print(secrets.token_urlsafe(64))").'
        )


_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


def parse_email_url(name: str, url: str) -> dict:
    """Turn EMAIL_URL (smtp://user:pass@host:port?tls=1, console://, file:///path) into settings."""
    parts = urlsplit(url)
    backend = _EMAIL_BACKENDS.get(parts.scheme)
    if backend is None:
        raise ImproperlyConfigured(
            f"{name}={url!r}: unknown scheme {parts.scheme!r}; "
            f"use one of {', '.join(sorted(_EMAIL_BACKENDS))}."
        )
    config: dict = {"EMAIL_BACKEND": backend}
    if parts.scheme in ("smtp", "smtps"):
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}={url!r}: the port is not a number.") from None
        config.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=port or (465 if parts.scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=query.get("tls", "0").lower() in _TRUE,
            EMAIL_TIMEOUT=int(query.get("timeout", "10")),
        )
    elif parts.scheme == "file":
        config["EMAIL_FILE_PATH"] = parts.path or "var/mail"
    return config
