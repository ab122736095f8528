from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("join/", views.apply, name="apply"),
    path("verify/<str:token>/", views.verify_contact, name="verify_contact"),
    path("applications/", views.applications, name="applications"),
    path("memberships/<int:pk>/decide/", views.decide, name="decide"),
]
