"""`{% when moment %}`: a time that names its zone, in a `<time>` that static/js/local-times.js
can rewrite into the reader's own zone.

Whose zone: a signed-in user's (their preferences, active for the request); on a page
reached from a personal link (`personal_times` in the context), the recipient's, which the
view made current; on any other anonymous page, the event's own (`zone=`, a convening's),
else the current one (UTC), and the script then shows the browser's. `fixed=True` keeps a
time in `zone` whoever reads it ("local time there").
"""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from alliance.core.accounts.models import zone_or_utc

register = template.Library()


@register.simple_tag(takes_context=True)
def when(context, moment, zone="", fixed=False, format="DATETIME_FORMAT"):
    if not moment:
        return ""
    user = context.get("user")
    personal = context.get("personal_times") or (user is not None and user.is_authenticated)
    if fixed or not personal:
        name = zone or timezone.get_current_timezone_name()
    else:
        name = timezone.get_current_timezone_name()
    zone_info = zone_or_utc(name)
    request = context.get("request")
    if request is not None and not fixed and not personal:
        # base.html then loads static/js/local-times.js, once, at the end of the page.
        request.shows_times_to_rewrite = True
    shown = f"{date_format(timezone.localtime(moment, zone_info), format)} ({zone_info.key})"
    return format_html(
        '<time datetime="{}"{}>{}</time>',
        moment.astimezone(dt.UTC).isoformat(),
        "" if fixed else mark_safe(" data-local-time"),
        shown,
    )
