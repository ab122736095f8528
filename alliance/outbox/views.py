"""A local mailbox for development (DEBUG only): every email the app wrote, rendered.

Staff only, even there: the emails hold sign-in and confirmation links, and a development
server is sometimes reachable by others."""

import functools

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from alliance.outbox.models import OutgoingMessage
from alliance.outbox.services import render as render_email


def staff_only(view):
    """Anonymous visitors are sent to log in; people who are not staff get a 403."""

    @login_required
    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


@staff_only
def mailbox(request):
    messages = OutgoingMessage.objects.only(
        "id", "to_email", "template", "language", "status", "created_at"
    )[:200]
    return render(request, "outbox/mailbox.html", {"outgoing": messages})


@staff_only
# The email's HTML, shown in a srcdoc frame that inherits this page's policy, is styled
# with style attributes as email clients need.
@csp_update({"style-src-attr": ["'unsafe-inline'"]})
def message(request, pk):
    outgoing = get_object_or_404(OutgoingMessage, pk=pk)
    email = render_email(outgoing)
    html = next((body for body, kind in email.alternatives if kind == "text/html"), None)
    return render(
        request, "outbox/message.html", {"outgoing": outgoing, "email": email, "html": html}
    )
