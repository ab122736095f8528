"""The tracking charts' figures as CSV (the page draws them:
statements.views.circulation.tracking)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from alliance.core.csv_export import csv_response
from alliance.core.permissions import require
from statements.charts import csv_rows, tracking_charts
from statements.models import Statement


@login_required
def charts_csv(request, slug):
    statement = get_object_or_404(Statement, slug=slug)
    require(request.user, "statements.view_tracking", statement)
    return csv_response(
        filename=f"{statement.slug}-charts.csv",
        header=["chart", "label", "figure", "total_so_far"],
        rows=csv_rows(tracking_charts(statement)),
    )
