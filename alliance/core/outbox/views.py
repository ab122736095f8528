"""A local mailbox for development (DEBUG only): every email the app wrote, rendered.

Staff only, even there: the emails hold sign-in and confirmation links, and a development
server is sometimes reachable by others."""

import functools
from email.headerregistry import Address

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import TemplateDoesNotExist
from django.utils.http import content_disposition_header

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render as render_email
from alliance.core.outbox.services import render_parts


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
    messages = list(OutgoingMessage.objects.all()[:200])
    rows = [(message, _subject(message), _address(message)) for message in messages]
    return render(request, "outbox/mailbox.html", {"rows": rows})


def _subject(message: OutgoingMessage) -> str:
    try:
        return render_parts(message).subject
    except TemplateDoesNotExist:
        return ""


def _address(message: OutgoingMessage) -> str:
    """`Name <address>` as a person reads it (the header as sent encodes a name that is
    not ASCII, =?utf-8?q?...?=)."""
    if not message.to_name:
        return message.to_email
    return str(Address(display_name=message.to_name, addr_spec=message.to_email))


@staff_only
# The email's HTML, shown in a srcdoc frame that inherits this page's policy, is styled
# with style attributes as email clients need.
@csp_update({"style-src-attr": ["'unsafe-inline'"]})
def message(request, pk):
    outgoing = get_object_or_404(OutgoingMessage, pk=pk)
    email = render_email(outgoing)
    html = next((body for body, kind in email.alternatives if kind == "text/html"), None)
    return render(
        request,
        "outbox/message.html",
        {
            "outgoing": outgoing,
            "email": email,
            "html": html,
            "to": _address(outgoing),
            "attachments": [
                (index, attachment["filename"])
                for index, attachment in enumerate(outgoing.attachments)
            ],
        },
    )


@staff_only
def attachment(request, pk, index):
    """One attachment of a message (an invitation's .ics), as the recipient gets it."""
    outgoing = get_object_or_404(OutgoingMessage, pk=pk)
    if index >= len(outgoing.attachments):
        raise Http404
    attached = outgoing.attachments[index]
    response = HttpResponse(attached["content"], content_type=attached["mimetype"])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attached["filename"]
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
