from django.urls import path

from alliance.core.outbox import views

app_name = "outbox"
urlpatterns = [
    path("", views.mailbox, name="mailbox"),
    path("<int:pk>/", views.message, name="message"),
    path("<int:pk>/attachments/<int:index>/", views.attachment, name="attachment"),
]
