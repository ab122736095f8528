from django.apps import AppConfig


class AllianceConfig(AppConfig):
    """The top floor: home pages, health check and demo data, which gather every app."""

    name = "alliance"
    verbose_name = "Alliance Hub"
