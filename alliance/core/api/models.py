"""API keys of partner systems, and the responses kept for Idempotency-Key replays."""

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.core.api.scopes import Scope
from alliance.core.permissions import is_convenor

KEY_PREFIX = "ah"
# The part of a key stored in clear, to find the row and to show which key is which.
PREFIX_LENGTH = 8
# last_used_at is written at most this often per key: a write on every request would
# make each read a write, on the one hot row every request of a partner touches.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A partner's key. The secret is shown once, when the key is made; only its SHA-256
    is stored (the secret is random and long, so a slow hash would add nothing)."""

    partner_name = models.CharField(_("partner"), max_length=200)
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_keys",
        help_text=_("The member organisation the partner system belongs to, if any."),
    )
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # Never the person who made the key by default: a convenor making a key for a
    # member's CRM must not hand it the convenor's own powers without saying so.
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Writes made with this key (write:members) carry this person's permissions, "
            "never more than their own pages allow. Empty: applications to join only."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["partner_name", "-created_at"]

    def __str__(self):
        return f"{self.partner_name} ({KEY_PREFIX}_{self.prefix}…)"

    @classmethod
    def issue(
        cls,
        *,
        partner_name: str,
        scopes: list[str],
        organisation=None,
        created_by=None,
        acting_for=None,
    ) -> tuple["ApiKey", str]:
        """A new key and its secret, which is never stored and cannot be shown again."""
        unknown = set(scopes) - set(Scope.values)
        if unknown:
            raise ValueError(f"Unknown scopes: {', '.join(sorted(unknown))}")
        key = cls(
            partner_name=partner_name,
            organisation=organisation,
            scopes=sorted(set(scopes)),
            created_by=created_by,
            acting_for=acting_for,
        )
        if not key.may_hold_its_scopes():
            raise ValueError(f"{Scope.READ_UNLISTED} is only for a key acting for a convenor")
        secret = key.set_new_secret()
        key.save()
        return key, secret

    def set_new_secret(self) -> str:
        self.prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        secret = f"{KEY_PREFIX}_{self.prefix}_{secrets.token_urlsafe(32)}"
        self.secret_hash = hash_secret(secret)
        return secret

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, hash_secret(secret))

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def may_hold_its_scopes(self) -> bool:
        """read:unlisted (who signed without being listed) is only for a key acting for a
        convenor: the one rule, for `issue`, the admin's form and every read."""
        return Scope.READ_UNLISTED not in self.scopes or is_convenor(self.acting_for)

    @property
    def sees_unlisted(self) -> bool:
        """Whether the key may read who signed without being listed: only with the scope
        made for it, only while it acts for a convenor, and only while it is not revoked."""
        return self.is_active and self.has_scope(Scope.READ_UNLISTED) and self.may_hold_its_scopes()

    def touch(self, now: dt.datetime | None = None) -> None:
        """Record a use, at most once per LAST_USED_RESOLUTION (a conditional update, so
        that concurrent requests write once)."""
        now = now or timezone.now()
        if self.last_used_at and now - self.last_used_at < LAST_USED_RESOLUTION:
            return
        ApiKey.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION),
            pk=self.pk,
        ).update(last_used_at=now)
        self.last_used_at = now


class IdempotentRequest(models.Model):
    """The first response to a request sent with an Idempotency-Key, replayed when the
    partner retries with the same key (and refused when the body differs)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "key"], name="idempotent_request_one_per_key"
            ),
        ]

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"


class WebhookSubscriptionQuerySet(models.QuerySet):
    def owned_by(self, api_key):
        return self.filter(api_key=api_key)


class WebhookSubscription(models.Model):
    """A partner's URL that receives the events it chose, signed with a secret that is
    shown once, when the subscription is made (it must be kept in clear: we sign with it)."""

    api_key = models.ForeignKey(
        ApiKey,
        verbose_name=_("API key"),
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    target_url = models.URLField(_("target URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_("Who hears when the subscription is paused after repeated failures."),
    )
    # How each delivery's body is written: the API's own envelope, or a format a layer
    # above registers (alliance.core.api.webhooks.register_payload_format), e.g. "osdi".
    payload_format = models.CharField(
        _("payload format"),
        max_length=20,
        choices=[("alliance", "Alliance Hub"), ("osdi", "OSDI")],
        default="alliance",
    )
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.target_url} ({self.api_key})"

    @staticmethod
    def new_secret() -> str:
        return f"whsec_{secrets.token_urlsafe(32)}"


class WebhookDelivery(models.Model):
    """One event for one subscription, written in the transaction of the change. The row,
    not the broker, is the source of truth (as in the outbox): a task posts it after
    commit, and the sweeper retries it with back-off."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERING = "delivering", _("delivering")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    # One of the declared events (alliance.core.api.events): each app declares its own.
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    # Sent as X-Alliance-Delivery: the receiver drops a delivery it has seen already.
    idempotency_id = models.UUIDField(_("delivery id"), unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # When the row was last handed to the broker; NULL means "not on any queue".
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(_("last response code"), null=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweeper's scan: only unfinished rows are indexed, so it stays small.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="webhook_unfinished_idx",
                condition=Q(status__in=["pending", "delivering"]),
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription.target_url} ({self.status})"
