from django.urls import path

from statements import (
    chart_views,
    handover_views,
    message_views,
    offline_views,
    sharing_views,
)
from statements.views import (
    circulation,
    drafting,
    moderation,
    public_page,
    public_signing,
    publication,
    signing,
)

app_name = "statements"
urlpatterns = [
    path("", public_page.statement_list, name="list"),
    path("new/", drafting.edit, name="create"),
    path("s/<str:token>/", signing.respond, name="respond"),
    path("confirm/<str:token>/", public_signing.verify, name="verify"),
    path("signatures/<int:pk>/withdraw/", signing.withdraw, name="withdraw"),
    path("signatures/<int:pk>/moderate/", moderation.moderate, name="moderate"),
    path("claims/", moderation.claims, name="claims"),
    path("offline-scans/<int:pk>/", offline_views.scan, name="offline_scan"),
    path("signatures/<int:pk>/confirm/", moderation.confirm, name="confirm"),
    path("<slug:slug>/", public_page.detail, name="detail"),
    path("<slug:slug>/edit/", drafting.edit, name="edit"),
    path("<slug:slug>/sign/", signing.sign, name="sign"),
    path("<slug:slug>/sign/public/", public_signing.sign_publicly, name="sign_publicly"),
    path("<slug:slug>/sign/public/sent/", public_signing.check_email, name="check_email"),
    path("<slug:slug>/circulate/", circulation.circulate, name="circulate"),
    path("<slug:slug>/tracking/", circulation.tracking, name="tracking"),
    path("<slug:slug>/tracking/charts.csv", chart_views.charts_csv, name="charts_csv"),
    path("<slug:slug>/offline/", offline_views.record_signature, name="offline_record"),
    path("<slug:slug>/offline/import/", offline_views.import_signatures, name="offline_import"),
    path(
        "<slug:slug>/offline/template.csv", offline_views.import_template, name="offline_template"
    ),
    path("<slug:slug>/publish/", publication.publish, name="publish"),
    path("<slug:slug>/signatories.csv", publication.export, name="export"),
    path("<slug:slug>/handover.pdf", handover_views.handover_pdf, name="handover"),
    path(
        "<slug:slug>/handover/<int:pk>/",
        handover_views.handover_progress,
        name="handover_progress",
    ),
    path("<slug:slug>/share.png", sharing_views.share_image, name="share_image"),
    path("<slug:slug>/embed/", sharing_views.embed, name="embed"),
    path("<slug:slug>/embed/sent/", sharing_views.embed_sent, name="embed_sent"),
    path("<slug:slug>/messages/", message_views.index, name="messages"),
    path("<slug:slug>/messages/<str:kind>/<str:language>/", message_views.edit, name="message"),
    path("<slug:slug>/remind/", message_views.remind_now, name="remind_now"),
    path(
        "<slug:slug>/send-again/<int:organisation>/",
        message_views.send_again,
        name="send_again",
    ),
]
