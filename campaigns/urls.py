from django.urls import path

from campaigns import message_views, views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_edit, name="campaign_create"),
    path("convenings/", views.convening_list, name="convenings"),
    path("convenings/new/", views.convening_create, name="convening_create"),
    path("convenings/<slug:slug>/", views.convening_detail, name="convening"),
    path("convenings/<slug:slug>/edit/", views.convening_edit, name="convening_edit"),
    path("convenings/<slug:slug>/schedule/", views.convening_schedule, name="convening_schedule"),
    path("convenings/<slug:slug>/cancel/", views.convening_cancel, name="convening_cancel"),
    path("convenings/<slug:slug>/invite/", views.convening_invite, name="invite"),
    path("convenings/<slug:slug>/invitations/", views.convening_invitations, name="invitations"),
    path(
        "convenings/<slug:slug>/attendance.csv",
        views.convening_attendance_csv,
        name="attendance_csv",
    ),
    path(
        "convenings/<slug:slug>/messages/",
        message_views.index,
        name="convening_messages",
    ),
    path(
        "convenings/<slug:slug>/messages/<str:kind>/<str:language>/",
        message_views.edit,
        name="convening_message",
    ),
    path("rsvp/<str:token>/", views.rsvp, name="rsvp"),
    path("<slug:slug>/", views.campaign_detail, name="campaign"),
    path("<slug:slug>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<slug:slug>/moments/new/", views.moment_edit, name="moment_create"),
    path("<slug:slug>/moments/<int:pk>/edit/", views.moment_edit, name="moment_edit"),
]
