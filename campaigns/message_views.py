"""The editor of a convening's invitation text (alliance.core.messagetexts)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from alliance.core.markup import render_markdown
from alliance.core.messagetexts.views import Editor, message_editor
from alliance.core.outbox.services import Email
from campaigns import messages as convening_messages
from campaigns import services
from campaigns.views import _changeable_convening

PREVIEW_RECIPIENTS = 200


@login_required
def index(request, slug):
    _changeable_convening(request, slug)
    return redirect(
        "campaigns:convening_message",
        slug=slug,
        kind=convening_messages.INVITATION.name,
        language=translation.get_language() or "en",
    )


def sample_email(convening, text, organisation_id: int | None, reader) -> Email:
    """The invitation as an organisation invited (or a sample one) would read it, in the
    reader's time zone; its answer links lead nowhere personal."""
    language = text.language
    organisation = (
        convening.invitations.filter(organisation_id=organisation_id)
        .select_related("organisation")
        .first()
        if organisation_id
        else None
    )
    with translation.override(language):
        name = organisation.organisation.name if organisation else gettext("Sample organisation")
    context = services.convening_context(
        convening,
        kind="invitation",
        language=language,
        zone_name=getattr(reader, "time_zone", "") or convening.time_zone,
        agenda_html=str(render_markdown(convening.agenda)) if convening.agenda else "",
    )
    context["edited"] = text.as_context()
    return Email(
        key="preview",
        to_email=reader.email,
        to_name=str(reader),
        language=language,
        template=text.kind,
        context=context,
        personal={
            "organisation": name,
            "rsvp_path": reverse("campaigns:rsvp", kwargs={"token": "preview"}) + "?contact=0",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug, kind, language):
    convening = _changeable_convening(request, slug)
    editor = Editor(
        target=convening,
        kinds=convening_messages.KINDS,
        recipients=list(
            convening.invitations.order_by("organisation__name").values_list(
                "organisation_id", "organisation__name"
            )[:PREVIEW_RECIPIENTS]
        ),
        sample=lambda text, organisation_id, reader: sample_email(
            convening, text, organisation_id, reader
        ),
        back_url=reverse("campaigns:convening", kwargs={"slug": slug}),
        title=convening.title,
    )
    return message_editor(request, editor, kind=kind, language=language)
