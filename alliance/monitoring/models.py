from django.db import models
from django.utils.translation import gettext_lazy as _


class BeatRun(models.Model):
    """When beat last sent each entry of CELERY_BEAT_SCHEDULE (for /healthz and /metrics)."""

    entry = models.CharField(_("schedule entry"), max_length=100, primary_key=True)
    task = models.CharField(_("task"), max_length=200)
    last_sent_at = models.DateTimeField(_("last sent"))

    class Meta:
        verbose_name = _("beat run")
        verbose_name_plural = _("beat runs")

    def __str__(self):
        return f"{self.entry} at {self.last_sent_at:%Y-%m-%d %H:%M:%S}"


class BeatLock(models.Model):
    """The one beat allowed to send: a second beat started by mistake waits for the lock."""

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} held by {self.holder or 'nobody'} until {self.expires_at}"
