from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from alliance.api.views import not_found
from campaigns.api import views as campaigns
from members.api import views as members
from statements.api import views as statements

app_name = "api"

urlpatterns = [
    path("organisations/", members.OrganisationList.as_view(), name="organisations"),
    path("organisations/<int:pk>/", members.OrganisationDetail.as_view(), name="organisation"),
    path("focus-areas/", members.FocusAreaList.as_view(), name="focus-areas"),
    path("national-alliances/", members.NationalAllianceList.as_view(), name="alliances"),
    path("statements/", statements.StatementList.as_view(), name="statements"),
    path("statements/<int:pk>/", statements.StatementDetail.as_view(), name="statement"),
    path(
        "statements/<int:pk>/signatures/",
        statements.StatementSignatures.as_view(),
        name="signatures",
    ),
    path("convenings/", campaigns.ConveningList.as_view(), name="convenings"),
    path("schema/", SpectacularAPIView.as_view(schema=None), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^(?P<path>.*)$", not_found),
]
