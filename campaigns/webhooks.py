"""The webhook events of convenings and what they carry."""

from django.utils.translation import gettext_lazy as _

from alliance.core.api import events
from alliance.core.api.webhooks import emit
from campaigns.models import Convening

CONVENING_SCHEDULED = events.declare("convening.scheduled", _("a convening was scheduled"))
CONVENING_CHANGED = events.declare("convening.changed", _("a convening was moved or edited"))
CONVENING_CANCELLED = events.declare("convening.cancelled", _("a convening was cancelled"))


def convening_payload(convening: Convening) -> dict:
    return {"convening": {"id": convening.pk, "status": convening.status}}


def emit_convening_event(event: str, convening: Convening, *, when: bool = True) -> list[int]:
    return emit(event=event, payload=convening_payload(convening), when=when)
