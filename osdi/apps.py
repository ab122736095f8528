from django.apps import AppConfig


class OsdiConfig(AppConfig):
    name = "osdi"
    verbose_name = "OSDI"

    def ready(self):
        from alliance.core.api.webhooks import register_payload_format
        from osdi.webhooks import osdi_payload

        register_payload_format("osdi", osdi_payload)
