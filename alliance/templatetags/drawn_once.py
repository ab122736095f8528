"""`{% drawn_once value ... %}...{% enddrawn_once %}`: a part of a page drawn once per
process for each language and each set of values, then reused.

For what only a deploy changes (translations, URLs, static paths) and the values named:
the chrome of every page (brand, menus, footer) costs more to draw through the template
engine than many a page's own queries. Everything the part shows must come from the
language, the URLconf or the values named; a part that shows anything else (the user's
email, a CSRF token, a count) must stay outside it.
"""

import itertools
from collections import OrderedDict
from threading import Lock

from django import template
from django.conf import settings
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Bounded: one entry per part, language and set of values (roles, time zones) seen.
MAX_KEPT = 2048
# Each part as parsed: a template parsed again (in development) draws its parts anew.
part_numbers = itertools.count()


class DrawnOnceNode(template.Node):
    kept: "OrderedDict[tuple, str]" = OrderedDict()
    lock = Lock()

    def __init__(self, nodelist, values):
        self.nodelist = nodelist
        self.values = values
        self.number = next(part_numbers)

    def render(self, context):
        key = (
            self.number,
            get_language(),
            get_urlconf() or settings.ROOT_URLCONF,
            get_script_prefix(),
            *(repr(value.resolve(context)) for value in self.values),
        )
        with self.lock:
            html = self.kept.get(key)
            if html is not None:
                self.kept.move_to_end(key)
        if html is None:
            html = str(self.nodelist.render(context))
            with self.lock:
                self.kept[key] = html
                while len(self.kept) > MAX_KEPT:
                    self.kept.popitem(last=False)
        # Drawn by the template engine, which escaped every value.
        return mark_safe(html)  # noqa: S308


@register.tag
def drawn_once(parser, token):
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("enddrawn_once",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(CsrfTokenNode):
        raise template.TemplateSyntaxError("a CSRF token changes with each visitor")
    return DrawnOnceNode(nodelist, values)
