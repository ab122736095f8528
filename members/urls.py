from django.urls import path

from members import organisation_views, views

app_name = "members"
urlpatterns = [
    path("join/", views.apply, name="apply"),
    path("verify/<str:token>/", views.verify_contact, name="verify_contact"),
    path("applications/", views.applications, name="applications"),
    path("memberships/<int:pk>/decide/", views.decide, name="decide"),
    # The directory and the organisation pages.
    path("directory/", organisation_views.directory_page, name="directory"),
    path("directory/export.csv", organisation_views.directory_export, name="directory_export"),
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
]
