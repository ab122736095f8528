from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = _("Statements")

    def ready(self):
        # The directory's bulk actions that concern statements (members.bulk).
        from statements import bulk

        bulk.register()
