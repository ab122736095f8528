"""Convenors make and revoke partner keys here. The secret is shown once, in the message
after saving a new key; only its hash is kept."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.api.models import ApiKey
from alliance.api.scopes import Scope


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ["partner_name", "organisation", "scopes", "revoked_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["partner_name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["partner_name", "prefix"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at"]
    autocomplete_fields = ["organisation"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            secret = obj.set_new_secret()
            super().save_model(request, obj, form, change)
            messages.warning(
                request,
                _("The key for %(partner)s is %(secret)s — copy it now: it is not shown again.")
                % {"partner": obj.partner_name, "secret": secret},
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, _("%(count)d keys revoked.") % {"count": revoked})
