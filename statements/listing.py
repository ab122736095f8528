"""The statement list's search and filters: words of the title or the text (in any of
its languages and versions), campaign, focus area, status and year, every one a URL
parameter, applied to the statements the viewer may see."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _

from alliance.core.permissions import is_convenor
from campaigns.models import Campaign
from members.models import FocusArea
from statements.models import Statement, StatementText


def _year():
    """The year a statement belongs to: of its publication, else of its drafting."""
    return ExtractYear(Coalesce("published_at", "created_at"))


class StatementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Words of the title or the text, in any language."),
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), queryset=Campaign.objects.none(), to_field_name="slug"
    )
    focus = django_filters.ModelChoiceFilter(
        label=_("Focus area"),
        queryset=FocusArea.objects.all(),
        to_field_name="slug",
        method="filter_focus",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Statement.Status.choices)
    year = django_filters.ChoiceFilter(label=_("Year"), method="filter_year")

    class Meta:
        model = Statement
        fields = ["q", "campaign", "focus", "status", "year"]

    def __init__(self, data, *, user):
        statements = Statement.objects.visible_to(user)
        super().__init__(data, queryset=statements)
        self.filters["campaign"].queryset = Campaign.objects.visible_to(user).order_by("title")
        self.form.fields["campaign"].queryset = self.filters["campaign"].queryset
        if not is_convenor(user):
            # Drafts are for convenors: nobody else may filter on them.
            self.form.fields["status"].choices = [
                choice
                for choice in self.form.fields["status"].choices
                if choice[0] != Statement.Status.DRAFT
            ]
        years = sorted(
            set(
                Statement.objects.filter(pk__in=statements.values("pk"))
                .annotate(year=_year())
                .values_list("year", flat=True)
            ),
            reverse=True,
        )
        self.form.fields["year"].choices = [("", "---------")] + [(str(y), str(y)) for y in years]

    def filter_search(self, queryset, name, value):
        words = value.split()
        if not words:
            return queryset
        texts = StatementText.objects.filter(version__statement=OuterRef("pk"))
        for word in words[:10]:
            texts = texts.filter(
                Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
            )
        return queryset.filter(Exists(texts))

    def filter_focus(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Statement.focus_areas.through.objects.filter(
                    statement=OuterRef("pk"), focusarea=value
                )
            )
        )

    def filter_year(self, queryset, name, value):
        return queryset.alias(year=_year()).filter(year=int(value))
