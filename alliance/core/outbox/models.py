from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutgoingMessage(models.Model):
    """One email, written in the same transaction as the change that causes it.

    The row, not the broker, is the source of truth: a task sends it after commit, and
    `sweep_outbox` puts back in the queue whatever the broker lost or a dead worker held.
    `key` says what the message is about (for example ``statement-reminder:42:17:3d``),
    so writing the same message twice is a no-op.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    to_email = models.EmailField(_("recipient"))
    to_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    template = models.CharField(_("template"), max_length=100)
    # What the templates need. Shared by many messages (every invitee of a convening who
    # reads the same language in the same time zone), so a worker renders each distinct
    # (template, language, context) once and fills in `personal` per message.
    context = models.JSONField(_("context"), default=dict, blank=True)
    # The values that differ per recipient (an organisation's name, a personal link),
    # printed by the templates as they are: no filters, only `{% if %}` on them.
    personal = models.JSONField(_("personal values"), default=dict, blank=True)
    # [{"filename": ..., "mimetype": ..., "content": <text>}], e.g. an .ics invitation.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When the row was last handed to the broker; NULL means "not on any queue".
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweeper's scan: only unfinished rows are indexed, so it stays small.
            models.Index(
                fields=["status", "queued_at"],
                name="outbox_unfinished_idx",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self):
        return f"{self.template} → {self.to_email} ({self.status})"
