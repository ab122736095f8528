from django.urls import path

from statements import message_views, views

app_name = "statements"
urlpatterns = [
    path("", views.statement_list, name="list"),
    path("new/", views.edit, name="create"),
    path("s/<str:token>/", views.respond, name="respond"),
    path("confirm/<str:token>/", views.verify, name="verify"),
    path("signatures/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("signatures/<int:pk>/moderate/", views.moderate, name="moderate"),
    path("claims/", views.claims, name="claims"),
    path("signatures/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/sign/", views.sign, name="sign"),
    path("<slug:slug>/sign/public/", views.sign_publicly, name="sign_publicly"),
    path("<slug:slug>/sign/public/sent/", views.check_email, name="check_email"),
    path("<slug:slug>/circulate/", views.circulate, name="circulate"),
    path("<slug:slug>/tracking/", views.tracking, name="tracking"),
    path("<slug:slug>/publish/", views.publish, name="publish"),
    path("<slug:slug>/signatories.csv", views.export, name="export"),
    path("<slug:slug>/messages/", message_views.index, name="messages"),
    path("<slug:slug>/messages/<str:kind>/<str:language>/", message_views.edit, name="message"),
    path("<slug:slug>/remind/", message_views.remind_now, name="remind_now"),
    path(
        "<slug:slug>/send-again/<int:organisation>/",
        message_views.send_again,
        name="send_again",
    ),
]
