"""Convenors make and revoke partner keys here. The secret is shown once, in the page that
answers the form that made the key; only its hash is kept.

Webhook subscriptions are made by partners through the API (the signing secret is shown
to them once); here convenors see them, pause and resume them, and read the delivery log.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.core.api import webhooks
from alliance.core.api.models import ApiKey, WebhookDelivery, WebhookSubscription
from alliance.core.api.scopes import Scope


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ["partner_name", "organisation", "scopes", "acting_for", "revoked_at"]

    def clean(self):
        cleaned = super().clean()
        key = ApiKey(scopes=cleaned.get("scopes", []), acting_for=cleaned.get("acting_for"))
        if not key.may_hold_its_scopes():
            self.add_error(
                "scopes",
                _("Only a key acting for a convenor may read the signatures counted only."),
            )
        return cleaned


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["partner_name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["partner_name", "prefix"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at"]
    autocomplete_fields = ["organisation", "acting_for"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.new_secret = obj.set_new_secret()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The secret goes into this response only: a message would keep it in the messages
        # cookie (signed, not encrypted) or the session until the next page.
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Copy the new key"),
            "key": obj,
            "secret": obj.new_secret,
        }
        return TemplateResponse(request, "admin/api/apikey/new_secret.html", context)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, _("%(count)d keys revoked.") % {"count": revoked})


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "partner",
        "target_url",
        "event_list",
        "is_active",
        "consecutive_failures",
        "last_delivery",
        "created_at",
    ]
    list_filter = ["is_active", "api_key__partner_name"]
    list_select_related = ["api_key"]
    search_fields = ["target_url", "api_key__partner_name", "contact_email"]
    fields = [
        "api_key",
        "target_url",
        "events",
        "contact_email",
        "is_active",
        "consecutive_failures",
        "paused_at",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["pause", "resume"]

    def get_queryset(self, request):
        # The last attempt of each subscription in the page's one query, not one per row.
        last_attempt = (
            WebhookDelivery.objects.filter(
                subscription=OuterRef("pk"), last_attempt_at__isnull=False
            )
            .order_by("-last_attempt_at")
            .values("last_attempt_at")[:1]
        )
        return super().get_queryset(request).annotate(last_delivery_at=Subquery(last_attempt))

    def has_add_permission(self, request):
        return False  # partners subscribe through the API, which shows them the secret

    def has_change_permission(self, request, obj=None):
        # Pausing and resuming (the actions) change a subscription; its page does not.
        return obj is None and super().has_change_permission(request)

    @admin.display(description=_("partner"), ordering="api_key__partner_name")
    def partner(self, subscription):
        return subscription.api_key.partner_name

    @admin.display(description=_("events"))
    def event_list(self, subscription):
        return ", ".join(subscription.events)

    @admin.display(description=_("last delivery"), ordering="last_delivery_at")
    def last_delivery(self, subscription):
        return subscription.last_delivery_at

    @admin.action(description=_("Pause the selected subscriptions"), permissions=["change"])
    def pause(self, request, queryset):
        paused = sum(
            webhooks.pause(subscription=subscription, actor=request.user)
            for subscription in queryset
        )
        messages.success(
            request,
            ngettext("%(count)d subscription paused.", "%(count)d subscriptions paused.", paused)
            % {"count": paused},
        )

    @admin.action(
        description=_("Resume the selected subscriptions (pending deliveries are sent)"),
        permissions=["change"],
    )
    def resume(self, request, queryset):
        paused = list(queryset.filter(is_active=False))
        for subscription in paused:
            webhooks.resume(subscription=subscription, actor=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d subscription resumed.", "%(count)d subscriptions resumed.", len(paused)
            )
            % {"count": len(paused)},
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read-only: rows are written by the events and the worker."""

    list_display = [
        "event",
        "target",
        "status",
        "last_response_code",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event", "subscription__api_key__partner_name"]
    list_select_related = ["subscription__api_key"]
    search_fields = ["=idempotency_id", "subscription__target_url"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("target URL"), ordering="subscription__target_url")
    def target(self, delivery):
        return delivery.subscription.target_url
