from django import template

from alliance.core.markup import markdown_to_text, render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.filter(name="markdown_text")
def markdown_text_filter(text):
    """For plain-text emails: the Markdown as a person reads it (alliance.core.markup)."""
    return markdown_to_text(text)
