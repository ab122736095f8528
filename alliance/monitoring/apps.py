from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "alliance.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from alliance.monitoring import tasks  # noqa: F401 - connects Celery's signals
