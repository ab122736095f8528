from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def path_without_lang(context) -> str:
    """The page's path and query without `?lang=`: set_language comes back to it, and a
    `lang` in the URL would win over the language just chosen."""
    request = context.get("request")
    if request is None:  # a page rendered without its request (an error page)
        return ""
    query = request.GET.copy()
    query.pop("lang", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path
