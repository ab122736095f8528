from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageTextQuerySet(models.QuerySet):
    def of(self, target, kind: str):
        return self.filter(
            content_type=ContentType.objects.get_for_model(target), object_id=target.pk, kind=kind
        )


class MessageText(models.Model):
    """One version of a message's text as a coordinator wrote it for one statement or
    convening (`target`), in one language. Saving makes a new version, never changes one:
    an email records the version it was written from (its context's ``text_version``)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("message"), max_length=50)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    number = models.PositiveIntegerField(_("version"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), help_text=_("Markdown."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MessageTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("message text")
        verbose_name_plural = _("message texts")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "language", "number"],
                name="message_text_version_unique",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id", "kind", "language"])]

    def __str__(self):
        return f"{self.kind} {self.language} v{self.number}"
