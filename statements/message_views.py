"""The pages of a statement's messages: the editor, "remind now" and "send again to this
organisation" (from the tracking page)."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from alliance.core.messagetexts.views import Editor, message_editor
from members.models import Organisation
from statements import messages as statement_messages
from statements.models import Statement
from statements.views._common import check_permission, guarded, title_in

# The organisations the preview offers: the first ones asked, by name.
PREVIEW_RECIPIENTS = 200


@guarded
def index(request, slug):
    statement = get_object_or_404(Statement, slug=slug)
    check_permission(request, "statements.change_statement", statement)
    language = translation.get_language() or statement.original_language
    return redirect(
        "statements:message", slug=slug, kind=statement_messages.INVITATION.name, language=language
    )


@guarded
@require_http_methods(["GET", "POST"])
def edit(request, slug, kind, language):
    statement = get_object_or_404(Statement, slug=slug)
    check_permission(request, "statements.change_statement", statement)
    editor = Editor(
        target=statement,
        kinds=statement_messages.KINDS,
        recipients=list(
            statement_messages.asked_organisations(statement).values_list("pk", "name")[
                :PREVIEW_RECIPIENTS
            ]
        ),
        sample=partial(statement_messages.sample_email, statement),
        back_url=reverse("statements:tracking", kwargs={"slug": slug}),
        title=title_in(statement, translation.get_language()),
    )
    return message_editor(request, editor, kind=kind, language=language)


def _done(request, written: int) -> None:
    if written:
        messages.success(
            request,
            ngettext(
                "%(count)d email is on its way.", "%(count)d emails are on their way.", written
            )
            % {"count": written},
        )
    else:
        messages.info(request, _("Nothing more to send: these were sent already."))


@guarded
@require_POST
def remind_now(request, slug):
    statement = get_object_or_404(Statement, slug=slug)
    check_permission(request, "statements.view_tracking", statement)
    token = request.POST.get("token", "")[:40]
    if not token:
        messages.error(request, _("The form has expired: please try again."))
        return redirect("statements:tracking", slug=slug)
    try:
        written = statement_messages.remind_now(
            statement=statement, actor=request.user, token=token
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _done(request, written)
    return redirect("statements:tracking", slug=slug)


@guarded
@require_POST
def send_again(request, slug, organisation):
    statement = get_object_or_404(Statement, slug=slug)
    check_permission(request, "statements.view_tracking", statement)
    organisation = get_object_or_404(Organisation, pk=organisation)
    token = request.POST.get("token", "")[:40]
    if not token:
        messages.error(request, _("The form has expired: please try again."))
        return redirect("statements:tracking", slug=slug)
    try:
        written = statement_messages.send_again(
            statement=statement, actor=request.user, token=token, organisation=organisation
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _done(request, written)
    return redirect("statements:tracking", slug=slug)
