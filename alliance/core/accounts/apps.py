from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "alliance.core.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from alliance.core.accounts import receivers  # noqa: F401  (connects the audit receivers)
