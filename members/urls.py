from django.urls import path

from members import (
    alliance_views,
    bulk_views,
    import_views,
    organisation_views,
    principles_views,
    views,
)

app_name = "members"
urlpatterns = [
    path("join/", views.apply, name="apply"),
    path("verify/<str:token>/", views.verify_contact, name="verify_contact"),
    path("applications/", views.applications, name="applications"),
    path("memberships/<int:pk>/decide/", views.decide, name="decide"),
    # The directory and the organisation pages.
    path("directory/", organisation_views.directory_page, name="directory"),
    path("directory/export.csv", organisation_views.directory_export, name="directory_export"),
    path("directory/bulk/", bulk_views.bulk_confirm, name="bulk"),
    path("directory/bulk/<int:pk>/", bulk_views.bulk_detail, name="bulk_detail"),
    path("directory/bulk/<int:pk>/progress/", bulk_views.bulk_progress, name="bulk_progress"),
    path("directory/bulk/<int:pk>/export.csv", bulk_views.bulk_export, name="bulk_export"),
    path("o/<slug:slug>/", organisation_views.organisation_page, name="organisation"),
    path("o/<slug:slug>/edit/", organisation_views.organisation_edit, name="organisation_edit"),
    path("o/<slug:slug>/contacts/add/", organisation_views.contact_edit, name="contact_add"),
    path(
        "o/<slug:slug>/contacts/<int:pk>/edit/",
        organisation_views.contact_edit,
        name="contact_edit",
    ),
    path(
        "o/<slug:slug>/contacts/<int:pk>/export/",
        organisation_views.contact_export,
        name="contact_export",
    ),
    path(
        "o/<slug:slug>/contacts/<int:pk>/erase/",
        organisation_views.contact_erase,
        name="contact_erase",
    ),
    # CSV import of organisations and contacts (convenors).
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/template.csv", import_views.import_template, name="import_template"),
    path("import/<int:pk>/", import_views.import_detail, name="import"),
    path("import/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("import/<int:pk>/run/", import_views.import_run, name="import_run"),
    # National alliances and the dashboard.
    path("alliances/", alliance_views.alliances, name="alliances"),
    path("alliances/new/", alliance_views.alliance_create, name="alliance_create"),
    path("alliances/<slug:slug>/", alliance_views.alliance_page, name="alliance"),
    path("alliances/<slug:slug>/edit/", alliance_views.alliance_edit, name="alliance_edit"),
    path(
        "alliances/<slug:slug>/coordinators/",
        alliance_views.alliance_appoint,
        name="alliance_appoint",
    ),
    path(
        "alliances/<slug:slug>/coordinators/<int:user_id>/remove/",
        alliance_views.alliance_remove_coordinator,
        name="alliance_remove_coordinator",
    ),
    path("dashboard/", alliance_views.dashboard_page, name="dashboard"),
    path("dashboard/export.csv", alliance_views.dashboard_export, name="dashboard_export"),
    path("dashboard/targets/", alliance_views.dashboard_target, name="dashboard_target"),
    # The principles: read them, publish a new version (convenors), endorse it (members).
    path("principles/", principles_views.principles_page, name="principles"),
    path(
        "principles/v<int:version>/",
        principles_views.principles_page,
        name="principles_version",
    ),
    path("principles/publish/", principles_views.publish, name="principles_publish"),
    path(
        "principles/endorse/<str:token>/",
        principles_views.endorse,
        name="principles_endorse",
    ),
]
