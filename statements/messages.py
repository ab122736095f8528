"""The messages of a statement that its convenor may rewrite (invitation, reminder,
thank-you and notice at publication), and the messages sent from the tracking page:
"remind now" and "send again to this organisation"."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alliance.core.audit.services import record
from alliance.core.messagetexts.services import MessageKind, Placeholder, TextsOf, register
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, queue_emails
from alliance.core.permissions import require
from members.models import Contact, Organisation
from statements.models import PublicSubmission, Signature, SignOnRequest, Statement

# A contact written to by a reminder (scheduled or "remind now") this recently, or whose
# reminder waits in the outbox, is not reminded again by "remind now".
REMINDED_RECENTLY = dt.timedelta(hours=24)

RECIPIENT = Placeholder(
    "recipient_name", _("the name of the person written to"), ("recipient_name",)
)
ORGANISATION = Placeholder("organisation", _("the organisation's name"), ("organisation",))
TITLE = Placeholder("title", _("the statement's title, in the reader's language"), ("title",))
SIGNING_LINK = Placeholder(
    "link", _("the organisation's own link to sign or decline"), ("site_url", "path"), link=True
)
DEADLINE = Placeholder("deadline", _("the deadline, in the reader's time zone"), ("deadline",))
PUBLIC_LINK = Placeholder(
    "public_link", _("the public page of the statement"), ("site_url", "public_path"), link=True
)
SIGNATURES = Placeholder("signatures", _("how many organisations signed"), ("signatures",))

INVITATION = register(
    MessageKind(
        name="statement_invitation",
        label=_("Invitation to sign"),
        permission="statements.change_statement",
        placeholders=(
            RECIPIENT,
            ORGANISATION,
            TITLE,
            Placeholder("summary", _("the statement's summary"), ("summary",)),
            DEADLINE,
            SIGNING_LINK,
        ),
        default_subject=_("Will {organisation} sign? {title}"),
        default_body=_(
            'The alliance invites {organisation} to sign a joint statement: "{title}".\n\n'
            "{summary}\n\n"
            "You choose whether your organisation is listed publicly or only counted in the total."
        ),
    )
)
REMINDER = register(
    MessageKind(
        name="statement_reminder",
        label=_("Reminder"),
        permission="statements.change_statement",
        placeholders=(RECIPIENT, ORGANISATION, TITLE, DEADLINE, SIGNING_LINK),
        default_subject=_("Reminder: will {organisation} sign? {title}"),
        default_body=_(
            'We have not heard from {organisation} yet about the joint statement "{title}".'
        ),
    )
)
THANKS = register(
    MessageKind(
        name="statement_thanks",
        label=_("Thank-you on publication"),
        permission="statements.change_statement",
        placeholders=(
            RECIPIENT,
            ORGANISATION,
            TITLE,
            SIGNATURES,
            PUBLIC_LINK,
            Placeholder(
                "handover_link",
                _("the hand-over document (PDF)"),
                ("site_url", "handover_path"),
                link=True,
            ),
        ),
        default_subject=_("Published: {title}. Thank you for signing"),
        default_body=_(
            'Thank you for signing "{title}" for {organisation}. The statement is now '
            "public, signed by {signatures} organisations. Please share it widely."
        ),
    )
)
NOTICE = register(
    MessageKind(
        name="statement_published_notice",
        label=_("Notice on publication (to those who did not sign)"),
        permission="statements.change_statement",
        placeholders=(RECIPIENT, ORGANISATION, TITLE, SIGNATURES, PUBLIC_LINK),
        default_subject=_("Published: {title}"),
        default_body=_(
            'The joint statement "{title}", which {organisation} was invited to sign, is now '
            "public, signed by {signatures} organisations. Thank you for considering it."
        ),
    )
)
KINDS = [INVITATION, REMINDER, THANKS, NOTICE]


def handover_path(statement: Statement) -> str:
    return reverse("statements:handover", args=[statement.slug])


# --- at publication ---------------------------------------------------------------------


def _signature_languages(signatures: list[Signature], fallback: str) -> dict[int, str]:
    """Each signer's language: its contact's, else the page it signed from, else the
    statement's own."""
    submitted = dict(
        PublicSubmission.objects.filter(signature__in=[s.pk for s in signatures])
        .order_by("created_at")
        .values_list("signature_id", "language")
    )
    return {
        signature.pk: (signature.contact.language if signature.contact else None)
        or submitted.get(signature.pk)
        or fallback
        for signature in signatures
    }


def publication_emails(statement: Statement) -> list[Email]:
    """A thank-you to every organisation whose signature counts (to its signatory's own
    address: a counted-only signer's name goes to nobody else), and a notice to every
    organisation asked that did not sign, each in its language. Called by
    statements.services.publish in its transaction; the keys make a second call a no-op."""
    version = statement.current_version()
    texts = {text.language: text for text in version.texts.all()} if version else {}
    signatures = list(
        Signature.objects.counted()
        .filter(statement=statement)
        .select_related("organisation", "contact")
        .order_by("pk")
    )
    # The public count: every counted signature, listed or not; no name.
    total = len(signatures)
    public_path = statement.get_absolute_url()
    thanks, notices = TextsOf(statement, THANKS.name), TextsOf(statement, NOTICE.name)

    def context(language: str, organisation: Organisation, texts_of: TextsOf) -> dict:
        text = texts.get(language) or texts.get(statement.original_language)
        return {
            "organisation": organisation.name,
            "title": text.title if text else statement.slug,
            "signatures": str(total),
            "public_path": f"{public_path}?lang={language}",
            "handover_path": handover_path(statement),
            "edited": texts_of.context(language),
        }

    emails = []
    languages = _signature_languages(signatures, statement.original_language)
    for signature in signatures:
        if not signature.email:
            continue  # erased: nobody to thank
        language = languages[signature.pk]
        emails.append(
            Email(
                key=f"statement-thanks:{statement.pk}:{signature.pk}",
                to_email=signature.email,
                to_name=signature.signatory_name,
                language=language,
                template=THANKS.name,
                context=context(language, signature.organisation, thanks),
            )
        )
    not_signed = (
        SignOnRequest.objects.filter(statement=statement)
        .exclude(answer=SignOnRequest.Answer.SIGNED)
        .exclude(organisation__in=[s.organisation_id for s in signatures])
    )
    contacts = (
        Contact.objects.authorised_to_sign()
        .exclude(email="")
        .filter(organisation__in=not_signed.values("organisation"))
        .select_related("organisation")
        .order_by("pk")
    )
    for contact in contacts:
        emails.append(
            Email(
                key=f"statement-published-notice:{statement.pk}:{contact.pk}",
                to_email=contact.email,
                to_name=contact.name,
                language=contact.language,
                template=NOTICE.name,
                context=context(contact.language, contact.organisation, notices),
            )
        )
    return emails


# --- from the tracking page -------------------------------------------------------------


def recently_reminded(
    statement: Statement,
    contacts: list[Contact],
    *,
    pressed_only: bool = False,
    now: dt.datetime | None = None,
) -> set[int]:
    """The contacts a reminder of this statement is waiting for, or reached lately (only
    those of "remind now" with `pressed_only`: what the scheduled scan leaves out). Every
    reminder's key ends with its contact (see services._remind and `remind_now`)."""
    prefix = f"statement-reminder:{statement.pk}:" + ("now:" if pressed_only else "")
    keys = (
        OutgoingMessage.objects.filter(key__startswith=prefix)
        .filter(
            Q(status__in=[OutgoingMessage.Status.PENDING, OutgoingMessage.Status.SENDING])
            | Q(sent_at__gte=(now or timezone.now()) - REMINDED_RECENTLY)
        )
        .values_list("key", flat=True)
    )
    wanted = {str(contact.pk) for contact in contacts}
    return {int(key.rsplit(":", 1)[-1]) for key in keys if key.rsplit(":", 1)[-1] in wanted}


def remind_now(
    *, statement: Statement, actor, token: str, organisation: Organisation | None = None
) -> int:
    """Remind the organisations that have not answered (or only `organisation`) now,
    outside the schedule. `token` comes with the form: the same form sent twice (a double
    click) writes the same outbox keys, so it sends once. A contact whose reminder waits
    in the outbox or went out in the last day is skipped, so a scheduled reminder and
    this one do not both arrive. Returns how many emails were written."""
    from statements import services

    require(actor, "statements.view_tracking", statement)
    if statement.status != Statement.Status.OPEN:
        raise ValidationError(_("Only a statement open for sign-on can be reminded."))
    requests = statement.signon_requests.filter(answer=SignOnRequest.Answer.NO_REPLY)
    if organisation is not None:
        requests = requests.filter(organisation=organisation)
    contacts = list(
        services.contacts_to_write_to(
            Organisation.objects.filter(pk__in=requests.values("organisation"))
        )
    )
    reminded = recently_reminded(statement, contacts)
    contacts = [contact for contact in contacts if contact.pk not in reminded]
    with transaction.atomic():
        written = queue_emails(
            services.request_emails(
                statement,
                requests,
                template=REMINDER.name,
                contacts=contacts,
                key=lambda request, contact: (
                    f"statement-reminder:{statement.pk}:now:{token}:{contact.pk}"
                ),
            )
        )
        if written:
            record(
                actor=actor,
                action="statement.reminded_now",
                target=statement,
                changes={"emails": [None, len(written)]},
                note=organisation.name if organisation else "",
            )
    return len(written)


def send_again(*, statement: Statement, actor, token: str, organisation: Organisation) -> int:
    """Send the invitation to sign once more to one organisation asked (its contacts
    lost it, or a new contact joined). Idempotent per `token`, like `remind_now`."""
    from statements import services

    require(actor, "statements.view_tracking", statement)
    if statement.status != Statement.Status.OPEN:
        raise ValidationError(_("Only a statement open for sign-on can be sent again."))
    requests = statement.signon_requests.filter(organisation=organisation)
    answer = requests.values_list("answer", flat=True).first()
    if answer is None:
        raise ValidationError(_("This organisation was not asked to sign."))
    if answer == SignOnRequest.Answer.SIGNED:
        raise ValidationError(_("This organisation has signed already."))
    with transaction.atomic():
        written = queue_emails(
            services.request_emails(
                statement,
                requests,
                template=INVITATION.name,
                key=lambda request, contact: (
                    f"statement-invitation:{statement.pk}:again:{token}:{contact.pk}"
                ),
            )
        )
        if written:
            record(
                actor=actor,
                action="statement.invitation_sent_again",
                target=statement,
                changes={"emails": [None, len(written)]},
                note=organisation.name,
            )
    return len(written)


def asked_organisations(statement: Statement) -> QuerySet:
    return Organisation.objects.filter(signon_requests__statement=statement).order_by("name")


# --- the editor's preview ---------------------------------------------------------------


def sample_email(statement: Statement, text, organisation_id: int | None, reader) -> Email:
    """The email `text` makes, as an organisation asked (or a sample one) would read it
    in the text's language. Its links lead nowhere personal: the preview and the test
    go to the editor, who is not the organisation."""
    from statements import services

    language = text.language
    organisation = (
        asked_organisations(statement).filter(pk=organisation_id).first()
        if organisation_id
        else None
    )
    with translation.override(language):
        name = organisation.name if organisation else gettext("Sample organisation")
    # Written to as one of its people would be: their name, their time zone.
    contact = (
        services.contacts_to_write_to(Organisation.objects.filter(pk=organisation.pk))
        .order_by("pk")
        .first()
        if organisation
        else None
    )
    zone = contact.time_zone if contact else getattr(reader, "time_zone", "") or "UTC"
    statement_text = statement.current_text(language)
    context = {
        "organisation": name,
        "title": statement_text.title if statement_text else str(statement),
        "summary": statement_text.summary if statement_text else "",
        "deadline": services.local_date_time(statement.signon_closes_at, language, zone),
        "path": reverse("statements:respond", kwargs={"token": "preview"}),
        "public_path": f"{statement.get_absolute_url()}?lang={language}",
        "handover_path": handover_path(statement),
        "signatures": str(Signature.objects.counted().filter(statement=statement).count()),
        "edited": text.as_context(),
    }
    return Email(
        key="preview",
        to_email=contact.email if contact else reader.email,
        to_name=contact.name if contact else str(reader),
        language=language,
        template=text.kind,
        context=context,
    )
