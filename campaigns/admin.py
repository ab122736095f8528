from django.contrib import admin
from django.db import models

from campaigns.models import Campaign, Convening, Invitation, Moment


class MomentInline(admin.TabularInline):
    model = Moment
    fields = ["date", "title", "description"]
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "starts_on", "ends_on", "is_public"]
    list_filter = ["status", "is_public", "focus_areas", "national_alliances"]
    search_fields = ["title", "vision", "strategy"]
    date_hierarchy = "starts_on"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["focus_areas", "national_alliances"]
    inlines = [MomentInline]


@admin.register(Moment)
class MomentAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "campaign"]
    list_filter = ["campaign"]
    list_select_related = ["campaign"]
    search_fields = ["title", "campaign__title"]
    date_hierarchy = "date"
    autocomplete_fields = ["campaign"]


class InvitationInline(admin.TabularInline):
    """The invitations of a convening, to follow the answers. Invitations are sent by
    the convening's own page (which emails the .ics); here they are only read, and
    their attendance recorded."""

    model = Invitation
    fields = ["organisation", "answer", "answered_at", "delegates", "attended"]
    readonly_fields = ["organisation", "answer", "answered_at", "delegates"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


@admin.register(Convening)
class ConveningAdmin(admin.ModelAdmin):
    # Addresses typed without a scheme are taken as https, as on the public forms.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "title",
        "scope",
        "national_alliance",
        "format",
        "starts_at",
        "time_zone",
        "status",
    ]
    list_filter = ["status", "scope", "format", "national_alliance", "campaign"]
    list_select_related = ["national_alliance"]
    search_fields = ["title", "venue", "agenda"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["campaign", "moment", "national_alliance"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["sequence", "created_at"]
    inlines = [InvitationInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "convening", "answer", "answered_at", "attended"]
    list_filter = ["answer", "attended", "convening__national_alliance", "convening__scope"]
    list_select_related = ["organisation", "convening"]
    search_fields = ["organisation__name", "convening__title"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["convening", "organisation"]
    raw_id_fields = ["contacts"]
    show_full_result_count = False
