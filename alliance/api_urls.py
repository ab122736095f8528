from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from alliance.core.api import webhook_views as webhooks
from alliance.core.api.views import api_root, not_found
from campaigns.api import views as campaigns
from members.api import views as members
from statements.api import views as statements

app_name = "api"

# Swagger UI within the Content-Security-Policy: the split view serves its start-up script
# from its own URL (?script) instead of inline, api/docs.html moves its inline style to a
# stylesheet, and Swagger UI's stylesheet draws its icons as data: images.
api_docs = csp_update({"img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/docs.html")
)

urlpatterns = [
    path("", api_root, name="root"),
    path("organisations/", members.OrganisationList.as_view(), name="organisations"),
    path("organisations/<int:pk>/", members.OrganisationDetail.as_view(), name="organisation"),
    path("focus-areas/", members.FocusAreaList.as_view(), name="focus-areas"),
    path("national-alliances/", members.NationalAllianceList.as_view(), name="alliances"),
    path("memberships/", members.MembershipList.as_view(), name="memberships"),
    path("memberships/<int:pk>/", members.MembershipDetail.as_view(), name="membership"),
    path("campaigns/", campaigns.CampaignList.as_view(), name="campaigns"),
    path("campaigns/<int:pk>/", campaigns.CampaignDetail.as_view(), name="campaign"),
    path("statements/", statements.StatementList.as_view(), name="statements"),
    path("statements/<int:pk>/", statements.StatementDetail.as_view(), name="statement"),
    path(
        "statements/<int:pk>/signatures/",
        statements.StatementSignatures.as_view(),
        name="signatures",
    ),
    path("convenings/", campaigns.ConveningList.as_view(), name="convenings"),
    path("convenings/<int:pk>/", campaigns.ConveningDetail.as_view(), name="convening"),
    path("webhooks/", webhooks.WebhookSubscriptionList.as_view(), name="webhooks"),
    path("webhooks/<int:pk>/", webhooks.WebhookSubscriptionDetail.as_view(), name="webhook"),
    path(
        "webhooks/<int:pk>/resume/",
        webhooks.WebhookSubscriptionResume.as_view(),
        name="webhook-resume",
    ),
    path(
        "webhooks/<int:pk>/deliveries/",
        webhooks.WebhookDeliveryList.as_view(),
        name="webhook-deliveries",
    ),
    path("schema/", SpectacularAPIView.as_view(schema=None), name="schema"),
    path("docs/", api_docs, name="docs"),
    # [\s\S], not ".": a path with an encoded newline (%0A) must get the JSON 404 too.
    re_path(r"^(?P<path>[\s\S]*)$", not_found),
]
