"""The convenors' back office for statements and signatures.

A statement's title lives in its newest version's text (`Statement.__str__` costs two
queries), so every list here reads the title with a subquery instead, in the same query
as the rows.
"""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.core.queueing import enqueue
from members.admin import region_filter
from statements.models import (
    PublicSubmission,
    Signature,
    SignOnRequest,
    Statement,
    StatementText,
    StatementVersion,
    title_of,
)


class _Labelled:
    """Stands in for a statement where Django only needs its pk and its label."""

    def __init__(self, pk, label):
        self.pk, self.label = pk, label

    def __str__(self):
        return self.label


class StatementTitleFilter(admin.SimpleListFilter):
    """Filter by statement, listing statements by title (the default filter would call
    `Statement.__str__` for each)."""

    title = _("statement")
    parameter_name = "statement"

    def lookups(self, request, model_admin):
        # The newest hundred: older statements are found by searching.
        statements = Statement.objects.annotate(title=title_of()).order_by("-created_at")[:100]
        return [(str(statement.pk), statement.title) for statement in statements]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(statement_id=self.value())
        return queryset


class StatementVersionInline(admin.TabularInline):
    model = StatementVersion
    fields = ["number", "note", "created_at"]
    readonly_fields = ["number", "note", "created_at"]
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "audience",
        "signon_closes_at",
        "embargo_until",
        "published_at",
        "signature_count",
    ]
    list_filter = ["status", "audience", "original_language", "moderation", "campaign"]
    search_fields = ["slug", "versions__texts__title"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["campaign", "moment"]
    raw_id_fields = ["created_by"]
    filter_horizontal = ["focus_areas"]
    readonly_fields = ["published_at", "created_at", "updated_at"]
    inlines = [StatementVersionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                title=title_of(),
                signature_count=Count(
                    "signatures", filter=Q(signatures__status=Signature.Status.CONFIRMED)
                ),
            )
        )

    @admin.display(description=_("title"), ordering="title")
    def title(self, statement):
        return statement.title

    def action_checkbox(self, statement):
        # Django labels each row's checkbox with str(statement): two queries a row. The
        # title is already here.
        return super().action_checkbox(_Labelled(statement.pk, statement.title))

    @admin.display(description=_("signatures"), ordering="signature_count")
    def signature_count(self, statement):
        return statement.signature_count


class StatementTextInline(admin.StackedInline):
    model = StatementText
    fields = ["language", "title", "summary", "body"]
    extra = 1


@admin.register(StatementVersion)
class StatementVersionAdmin(admin.ModelAdmin):
    list_display = ["statement_title", "number", "note", "created_at"]
    list_filter = [StatementTitleFilter]
    search_fields = ["statement__slug", "texts__title", "note"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["statement"]
    raw_id_fields = ["created_by"]
    inlines = [StatementTextInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(statement_title=title_of("statement"))

    @admin.display(description=_("statement"), ordering="statement_title")
    def statement_title(self, version):
        return version.statement_title


@admin.register(SignOnRequest)
class SignOnRequestAdmin(admin.ModelAdmin):
    list_display = ["organisation", "statement_title", "answer", "requested_at", "answered_at"]
    list_filter = [
        StatementTitleFilter,
        "answer",
        region_filter("organisation__region"),
        "organisation__kind",
    ]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name"]
    date_hierarchy = "requested_at"
    autocomplete_fields = ["statement", "organisation"]
    raw_id_fields = ["requested_by"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(statement_title=title_of("statement"))

    @admin.display(description=_("statement"), ordering="statement_title")
    def statement_title(self, sign_on):
        return sign_on.statement_title


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "statement_title",
        "signatory_name",
        "status",
        "listed_publicly",
        "source",
        "suspicious",
        "created_at",
    ]
    list_filter = [
        StatementTitleFilter,
        "status",
        "source",
        "listed_publicly",
        "suspicious",
        region_filter("organisation__region"),
    ]
    list_select_related = ["organisation"]
    search_fields = ["signatory_name", "email", "organisation__name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["statement", "organisation"]
    raw_id_fields = ["version", "contact"]
    readonly_fields = ["email_verified_at", "created_at", "updated_at"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(statement_title=title_of("statement"))

    @admin.display(description=_("statement"), ordering="statement_title")
    def statement_title(self, signature):
        return signature.statement_title


@admin.register(PublicSubmission)
class PublicSubmissionAdmin(admin.ModelAdmin):
    """Public signatures as submitted, before the processor turns them into signatures.
    A convenor looks here when a signer says nothing arrived: a failed row says why, and
    can be sent through the processor again."""

    list_display = [
        "organisation_name",
        "country",
        "statement_title",
        "email",
        "status",
        "suspicion",
        "created_at",
        "processed_at",
    ]
    list_filter = [StatementTitleFilter, "status"]
    search_fields = ["organisation_name", "email", "signatory_name"]
    date_hierarchy = "created_at"
    # The address's digest means nothing to a person: not shown.
    exclude = ["ip_digest"]
    readonly_fields = [
        field.name for field in PublicSubmission._meta.fields if field.name != "ip_digest"
    ]
    actions = ["process_again"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(statement_title=title_of("statement"))

    @admin.display(description=_("statement"), ordering="statement_title")
    def statement_title(self, submission):
        return submission.statement_title

    @admin.action(description=_("Process the selected failed submissions again"))
    def process_again(self, request, queryset):
        from statements.tasks import process_public_submissions

        again = queryset.filter(status=PublicSubmission.Status.FAILED).update(
            status=PublicSubmission.Status.RECEIVED, error=""
        )
        transaction.on_commit(
            lambda: enqueue(process_public_submissions, what="public signature submissions")
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d submission queued again.", "%(count)d submissions queued again.", again
            )
            % {"count": again},
        )
