from django.apps import AppConfig


class AllianceConfig(AppConfig):
    """The top floor: home pages, health check and demo data, which gather every app."""

    name = "alliance"
    verbose_name = "Alliance Hub"

    def ready(self):
        from django.db.backends.signals import connection_created

        from alliance.core.collation import register_sqlite_collation

        connection_created.connect(register_sqlite_collation)
