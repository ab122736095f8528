from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        # Declares the convening messages an organiser may rewrite.
        # The directory's bulk actions that concern campaigns (members.bulk).
        from campaigns import (
            bulk,
            messages,  # noqa: F401
            webhooks,  # noqa: F401  (declares this app's webhook events)
        )

        bulk.register()
