from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        # The directory's bulk actions that concern campaigns (members.bulk).
        from campaigns import bulk

        bulk.register()
