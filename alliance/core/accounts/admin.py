from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alliance.core.accounts import security
from alliance.core.accounts.models import User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, for a user whose login is the email address."""

    form = UserEditForm
    add_form = UserCreationForm
    list_display = [
        "email",
        "name",
        "is_convenor",
        "is_staff",
        "is_active",
        "language",
        "time_zone",
        "last_login",
    ]
    list_filter = ["is_convenor", "is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "name"]
    ordering = ["email"]
    date_hierarchy = "date_joined"
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["name", "language", "time_zone"]}),
        (
            _("Role and permissions"),
            {
                "fields": [
                    "is_convenor",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
        (_("Account security"), {"fields": ["second_factor_grace_used_at", "sessions"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "name", "usable_password", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined", "second_factor_grace_used_at", "sessions"]
    actions = ["allow_one_sign_in_to_enrol"]

    @admin.display(description=_("sessions"))
    def sessions(self, user):
        url = reverse("accounts:sessions", args=[user.pk])
        return format_html('<a href="{}">{}</a>', url, _("See and end this account's sessions"))

    @admin.action(description=_("Allow one more sign-in to set up two-factor authentication"))
    def allow_one_sign_in_to_enrol(self, request, queryset):
        for user in queryset.exclude(second_factor_grace_used_at=None):
            security.allow_one_sign_in_to_enrol(user=user, allowed_by=request.user)


admin.site.unregister(Authenticator)
admin.site.unregister(UserSession)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Which second factors an account has. Never their data: it holds the secret of the
    authenticator app. Deleting one here is how a convenor helps someone who lost theirs."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__name"]
    fields = readonly_fields = ["user", "type", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Where accounts are signed in (recorded at sign-in). To end them: the sessions
    page linked from the account."""

    list_display = ["user", "created_at", "ip", "user_agent"]
    list_select_related = ["user"]
    search_fields = ["user__email", "ip"]
    fields = readonly_fields = ["user", "created_at", "last_seen_at", "ip", "user_agent"]

    def has_add_permission(self, request):
        return False
