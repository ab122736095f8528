from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from alliance import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("mailbox/", include("alliance.outbox.urls"))]
