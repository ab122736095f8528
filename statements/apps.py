from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = _("Statements")

    def ready(self):
        # Declares the statement's messages a convenor may rewrite.
        # The directory's bulk actions that concern statements (members.bulk).
        from statements import (
            bulk,
            messages,  # noqa: F401
            webhooks,  # noqa: F401  (declares this app's webhook events)
        )

        bulk.register()
