"""The message editor a statement's or a convening's pages open: one message in one
language, its placeholders beside it, a preview as a chosen recipient and a test sent to
oneself through the outbox. The apps' views find the target and check who may open it."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

import nh3
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alliance.core.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from alliance.core.messagetexts import services
from alliance.core.messagetexts.forms import MessageTextForm
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, queue_email, render_parts


@dataclass(frozen=True)
class Editor:
    """What an app gives the editor about its statement or convening."""

    target: object
    kinds: list[services.MessageKind]
    # The organisations the preview may be written to, as (id, name).
    recipients: list[tuple[int, str]]
    # (text, organisation id or None, reader) -> the email as it would be written.
    sample: Callable[[services.Text, int | None, object], Email]
    back_url: str
    title: str


def _preview(email: Email):
    parts = render_parts(
        OutgoingMessage(
            key=email.key,
            to_email=email.to_email,
            to_name=email.to_name,
            language=email.language,
            template=email.template,
            context=email.context,
            personal=email.personal,
        )
    )
    # The email's HTML without its page and inline styles: shown inside this page.
    html = nh3.clean(
        parts.html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        clean_content_tags={"head", "title", "style", "script"},
    )
    return {"subject": parts.subject, "text": parts.text, "html": html}


def message_editor(request, editor: Editor, *, kind: str, language: str):
    """GET: the current text; POST with action "save", "preview" or "test"."""
    chosen = next((k for k in editor.kinds if k.name == kind), None)
    if chosen is None or language not in dict(_languages()):
        raise Http404
    current = services.current_text(target=editor.target, kind=kind, language=language)
    preview = None
    if request.method == "POST":
        form = MessageTextForm(request.POST, kind=kind, recipients=editor.recipients)
        if form.is_valid():
            text = services.Text(
                kind=kind,
                language=language,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                # The version the test records is the saved one, if the form still says it.
                version=current.version
                if (current.subject, current.body)
                == (form.cleaned_data["subject"], form.cleaned_data["body"])
                else None,
            )
            action = request.POST.get("action")
            if action == "save":
                try:
                    services.save_text(
                        target=editor.target,
                        kind=kind,
                        language=language,
                        subject=text.subject,
                        body=text.body,
                        saved_by=request.user,
                    )
                except ValidationError as error:
                    form.add_error("body", error)
                else:
                    messages.success(request, _("The message is saved."))
                    return redirect(request.get_full_path())
            else:
                email = editor.sample(text, form.cleaned_data["preview_as"], request.user)
                if action == "test":
                    written = queue_email(
                        Email(
                            key=f"message-test:{kind}:{form.cleaned_data['token']}",
                            to_email=request.user.email,
                            to_name=str(request.user),
                            language=language,
                            template=kind,
                            context=email.context,
                            personal=email.personal,
                        )
                    )
                    if written:
                        messages.success(
                            request,
                            _("A test is on its way to %(address)s.")
                            % {"address": request.user.email},
                        )
                    else:
                        messages.info(request, _("This test was sent already."))
                    return redirect(request.get_full_path())
                preview = _preview(email)
    else:
        form = MessageTextForm(
            initial={
                "subject": current.subject,
                "body": current.body,
                "token": secrets.token_urlsafe(12),
            },
            kind=kind,
            recipients=editor.recipients,
        )
    return render(
        request,
        "messagetexts/editor.html",
        {
            "editor": editor,
            "kind": chosen,
            "language": language,
            "languages": _languages(),
            "current": current,
            "versions": services.versions_of(target=editor.target, kind=kind, language=language),
            "form": form,
            "preview": preview,
        },
    )


def _languages():
    from django.conf import settings

    return settings.LANGUAGES
