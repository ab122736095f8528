from django.urls import path

from alliance.core.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("sessions/<int:user_id>/", views.sessions, name="sessions"),
]
