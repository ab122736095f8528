"""The convening invitation's text, which the convening's organiser may rewrite per
language (alliance.core.messagetexts). Times, place, the RSVP links and the calendar file stay
in the email's template."""

from django.utils.translation import gettext_lazy as _

from alliance.core.messagetexts.services import MessageKind, Placeholder, register

INVITATION = register(
    MessageKind(
        name="convening_invitation",
        label=_("Invitation to the convening"),
        permission="campaigns.change_convening",
        placeholders=(
            Placeholder(
                "recipient_name", _("the name of the person written to"), ("recipient_name",)
            ),
            Placeholder("organisation", _("the organisation's name"), ("organisation",)),
            Placeholder("convening", _("the convening's title"), ("convening",)),
            Placeholder("starts", _("when it starts, in the reader's time zone"), ("starts",)),
            Placeholder("venue", _("where it takes place"), ("venue",)),
            Placeholder("deadline", _("the date to answer by"), ("deadline",)),
        ),
        default_subject=_("Invitation: {convening}"),
        default_body=_("{organisation} is invited to {convening}."),
    )
)
KINDS = [INVITATION]
