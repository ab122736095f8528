from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from alliance import views
from alliance.monitoring.metrics import metrics_view
from osdi.urls import entry_point as osdi_entry_point

admin.site.site_header = _("Alliance Hub")
admin.site.site_title = _("Alliance Hub")
admin.site.index_title = _("Administration")
# The changelists have many columns and filters; the sidebar would squeeze them.
admin.site.enable_nav_sidebar = False
# The admin's own login form would skip allauth's: its rate limits and the second factor.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", views.privacy, name="privacy"),
    path("metrics", metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("alliance.core.accounts.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("statements/", include("statements.urls")),
    path("api/v1/", include("alliance.api_urls")),
    # /osdi/v1 answers as /osdi/v1/ (OSDI links have no trailing slash).
    re_path(r"^osdi/v1$", osdi_entry_point),
    path("osdi/v1/", include("osdi.urls")),
    path("members/", include("members.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("mailbox/", include("alliance.core.outbox.urls"))]
