from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "alliance.core.outbox"
    label = "outbox"
    verbose_name = "Outgoing messages"
