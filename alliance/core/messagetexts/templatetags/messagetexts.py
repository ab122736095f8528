"""The editable part of an email (alliance.core.messagetexts): `{% edited_subject %}`,
`{% edited_text %}` and `{% edited_html %}` print the text the email's context carries
(``edited``), its placeholders filled in from that same context."""

from django import template
from django.utils.safestring import mark_safe

from alliance.core.messagetexts import services

register = template.Library()


def _edited(context) -> dict | None:
    edited = context.get("edited")
    return edited if isinstance(edited, dict) and edited.get("kind") in services.KINDS else None


@register.simple_tag(takes_context=True)
def edited_subject(context) -> str:
    edited = _edited(context)
    return services.fill_subject(edited, context) if edited else ""


@register.simple_tag(takes_context=True)
def edited_text(context) -> str:
    edited = _edited(context)
    return services.fill_text(edited, context) if edited else ""


@register.simple_tag(takes_context=True)
def edited_html(context) -> str:
    edited = _edited(context)
    # Markdown sanitised by alliance.core.markup, values escaped as they are filled in.
    return mark_safe(services.fill_html(edited, context)) if edited else ""  # noqa: S308
