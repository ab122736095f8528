"""The webhook events partners may subscribe to. Delivery (alliance.core.api.webhooks)
knows events only by name: each app declares its own, with their payloads, in its
webhooks module, which its AppConfig.ready() imports (members/webhooks.py, ...)."""

from django.core.exceptions import ImproperlyConfigured

_declared: dict[str, str] = {}


def declare(name: str, label: str) -> str:
    """Make `name` an event partners may subscribe to; returns the name, so that an app
    keeps it in a constant. Declaring it again with the same label is harmless."""
    if _declared.get(name, label) != label:
        raise ImproperlyConfigured(f"Webhook event {name} is declared twice.")
    _declared[name] = label
    return name


def names() -> list[str]:
    return list(_declared)


def choices() -> list[tuple[str, str]]:
    return list(_declared.items())
