"""Signing once per organisation, and what follows a signature: confirming the address,
claiming, declining, withdrawing, moderating and confirming a changed text.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.core.audit.services import record
from alliance.core.outbox.services import Email, queue_email
from members.models import Organisation
from statements.models import (
    PublicSubmission,
    Signature,
    SignOnRequest,
    Statement,
)
from statements.webhooks import emit_signature_event

# --- Signing ----------------------------------------------------------------------------


class AlreadySigned(Exception):
    """The organisation has a live signature on this statement already."""

    def __init__(self, signature: Signature):
        self.signature = signature
        super().__init__(f"{signature.organisation} already signed, by {signature.signatory_name}")


@dataclass(frozen=True)
class Signatory:
    name: str
    email: str
    title: str = ""
    listed_publicly: bool = True

    @classmethod
    def of(cls, row: "Signature | PublicSubmission") -> "Signatory":
        """The signatory a signature or a public submission names."""
        return cls(
            name=row.signatory_name,
            email=row.email,
            title=row.signatory_title,
            listed_publicly=row.listed_publicly,
        )

    def columns(self) -> dict:
        """The signatory as the columns of a Signature or a PublicSubmission."""
        return {
            "signatory_name": self.name,
            "signatory_title": self.title,
            "email": self.email,
            "listed_publicly": self.listed_publicly,
        }


def sign(
    *,
    statement: Statement,
    organisation: Organisation,
    signatory: Signatory,
    source: str = Signature.Source.MEMBER,
    actor=None,
) -> Signature:
    """Sign `statement` for `organisation`: one live signature per organisation, however
    many people try at once (the database constraint decides; AlreadySigned tells the
    later ones who signed first).

    Members sign from a personal link or logged in, so their address is known: the
    signature is confirmed at once, or waits for a moderator when moderation is on.
    """
    _check_open(statement)
    contact = (
        organisation.contacts.filter(email__iexact=signatory.email).first()
        if signatory.email
        else None
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                statement=statement,
                organisation=organisation,
                version=statement.current_version(),
                contact=contact,
                **signatory.columns(),
                email_verified_at=now if contact else None,
                status=Signature.Status.PENDING_MODERATION
                if statement.moderation
                else Signature.Status.CONFIRMED,
                source=source,
            )
            _answer(statement, organisation, SignOnRequest.Answer.SIGNED, now)
            record(
                actor=actor,
                actor_label="" if actor else f"{signatory.name} <{signatory.email}>",
                action="signature.created",
                target=signature,
                changes={"status": [None, signature.status]},
            )
            emit_signature_event(
                "signature.confirmed",
                signature,
                when=signature.status == Signature.Status.CONFIRMED,
            )
    except IntegrityError:
        existing = live_signature(statement, organisation)
        if existing is None:  # the first one was withdrawn in the meantime
            raise
        raise AlreadySigned(existing) from None
    return signature


# At most this many confirmation emails per signature, whatever the resends.
MAX_CONFIRMATION_EMAILS = 5


def canonical_email(email: str) -> str:
    """The address as compared: lower case, without plus-addressing
    ("Ana+Davos@Example.org" and "ana@example.org" are one person)."""
    local, _at, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def is_own_address(organisation: Organisation, email: str, contact_emails: set[str]) -> bool:
    """Whether `email` is one of the organisation's own: a contact's address (given as
    `contact_emails`, lower case) or an address at its verified domain."""
    address = email.strip().lower()
    domain = organisation.verified_domain.strip().lower()
    return address in contact_emails or bool(domain and address.rpartition("@")[2] == domain)


def _check_open(statement: Statement) -> None:
    if statement.status != Statement.Status.OPEN:
        raise ValidationError(_("This statement is not open for signatures."))
    if statement.signon_closes_at and statement.signon_closes_at <= timezone.now():
        raise ValidationError(_("The deadline to sign this statement has passed."))


def _already_signed_email(statement, organisation, signatory, language, title) -> Email:
    return Email(
        # Once per address and organisation: resubmitting does not make more mail.
        key=(
            f"statement-already-signed:{statement.pk}:{organisation.pk}:"
            f"{canonical_email(signatory.email)}"
        ),
        to_email=signatory.email,
        to_name=signatory.name,
        language=language,
        template="statement_already_signed",
        context={
            "organisation": organisation.name,
            "title": title,
            "path": statement.get_absolute_url(),
        },
    )


def _confirmation_email(signature: Signature, language: str, title: str, *, number: int):
    """The `number`th email with the link that confirms a signer's address."""
    return Email(
        key=f"signature-confirmation:{signature.pk}:{number}",
        to_email=signature.email,
        to_name=signature.signatory_name,
        language=language,
        template="statement_signature_confirmation",
        context={
            "organisation": signature.organisation.name,
            "title": title,
            # The page it opens speaks the email's language.
            "path": reverse("statements:verify", args=[signature.token]) + f"?lang={language}",
        },
    )


def send_signature_confirmation(*, signature: Signature, language: str) -> bool:
    """Send the link that confirms the signer's address again, at most
    MAX_CONFIRMATION_EMAILS times per signature (the processor sends the first).
    Returns whether an email was queued."""
    with transaction.atomic():
        claimed = Signature.objects.filter(
            pk=signature.pk,
            status=Signature.Status.PENDING_VERIFICATION,
            confirmation_emails_sent__lt=MAX_CONFIRMATION_EMAILS,
        ).update(confirmation_emails_sent=F("confirmation_emails_sent") + 1)
        if not claimed:
            return False
        sent = Signature.objects.values_list("confirmation_emails_sent", flat=True).get(
            pk=signature.pk
        )
        title = signature.statement.current_text(language).title
        queue_email(_confirmation_email(signature, language, title, number=sent))
    return True


def _take_place(rows: QuerySet, status: str, **fields) -> str | None:
    """Set `status` (and `fields`) on the one signature of `rows`, in a savepoint; if the
    one-live-signature index refuses it (the organisation's place is taken), it becomes
    SUPERSEDED instead. Returns the status written, or None when `rows` matched nothing."""
    try:
        with transaction.atomic():
            if rows.update(status=status, **fields):
                return status
            return None
    except IntegrityError:
        fields.pop("listed_publicly", None)
        rows.update(status=Signature.Status.SUPERSEDED, **fields)
        return Signature.Status.SUPERSEDED


def verify_signature(*, signature: Signature) -> Signature:
    """The signer followed the link in the confirmation email and confirmed (a POST).

    From an address of the organisation's own, the signature now holds its place and
    counts, or waits for a moderator when moderation is on or it looked automated; if the
    organisation signed meanwhile, it is not needed (its signer may know: the address is
    the organisation's). From anyone else it waits for a convenor or the organisation's
    coordinator to approve it (approve_claim), holding no place and naming nobody."""
    statement = signature.statement
    if signature.needs_approval:
        new_status = Signature.Status.PENDING_APPROVAL
    elif statement.moderation or signature.suspicious:
        new_status = Signature.Status.PENDING_MODERATION
    else:
        new_status = Signature.Status.CONFIRMED
    now = timezone.now()
    with transaction.atomic():
        waiting = Signature.objects.filter(
            pk=signature.pk, status=Signature.Status.PENDING_VERIFICATION
        )
        # The organisation's place may be held by the signature of another of its people.
        new_status = _take_place(waiting, new_status, email_verified_at=now, updated_at=now)
        if new_status is not None:
            if new_status in Signature.LIVE_STATUSES:
                _answer(statement, signature.organisation_id, SignOnRequest.Answer.SIGNED, now)
            record(
                actor_label=signature.email,
                action="signature.email_verified",
                target=signature,
                changes={"status": [Signature.Status.PENDING_VERIFICATION, new_status]},
            )
            signature.status = new_status
            emit_signature_event("signature.confirmed", signature, when=new_status == "confirmed")
    signature.refresh_from_db()
    return signature


def claim_signature(
    *,
    statement: Statement,
    organisation: Organisation,
    signatory: Signatory,
    source: str,
    language: str,
) -> Signature:
    """A signature for an existing organisation from someone not known as one of its
    people (a partner acting for nobody in particular): like a public submission, it
    waits for its address to be confirmed and, unless the address is the organisation's
    own, for approval. The answer is the same whether or not the organisation signed;
    sending it again for the same address finds the one waiting."""
    _check_open(statement)
    contacts = set(
        organisation.contacts.annotate(lower_email=Lower("email"))
        .filter(lower_email=signatory.email.strip().lower())
        .values_list("lower_email", flat=True)
    )
    own = is_own_address(organisation, signatory.email, contacts)
    with transaction.atomic():
        waiting = [
            signature
            for signature in Signature.objects.select_for_update().filter(
                statement=statement,
                organisation=organisation,
                status=Signature.Status.PENDING_VERIFICATION,
            )
            if canonical_email(signature.email) == canonical_email(signatory.email)
        ]
        if waiting:
            return waiting[0]
        signature = Signature.objects.create(
            statement=statement,
            organisation=organisation,
            version=statement.current_version(),
            **signatory.columns(),
            status=Signature.Status.PENDING_VERIFICATION,
            source=source,
            needs_approval=not own,
            confirmation_emails_sent=1,
        )
        record(
            actor_label=f"{signatory.name} <{signatory.email}>",
            action="signature.submitted",
            target=signature,
            changes={"status": [None, signature.status]},
            note=f"source: {source}",
        )
        title = statement.current_text(language).title
        queue_email(_confirmation_email(signature, language, title, number=1))
    return signature


def live_signature(statement: Statement, organisation: Organisation) -> Signature | None:
    return (
        Signature.objects.live()
        .filter(statement=statement, organisation=organisation)
        .select_related("organisation")
        .first()
    )


def _answer(statement, organisation, answer: str, when) -> None:
    SignOnRequest.objects.filter(statement=statement, organisation=organisation).update(
        answer=answer, answered_at=when
    )


def decline(*, signon_request: SignOnRequest, declined_by: str) -> SignOnRequest:
    """The organisation says it will not sign: no more reminders."""
    with transaction.atomic():
        request = SignOnRequest.objects.select_for_update().get(pk=signon_request.pk)
        if request.answer == SignOnRequest.Answer.SIGNED:
            raise ValidationError(
                _("Your organisation has signed: withdraw the signature instead.")
            )
        if request.answer != SignOnRequest.Answer.DECLINED:
            request.answer = SignOnRequest.Answer.DECLINED
            request.answered_at = timezone.now()
            request.save(update_fields=["answer", "answered_at"])
            record(actor_label=declined_by, action="signon_request.declined", target=request)
    return request


def withdraw(*, signature: Signature, actor=None, actor_label: str = "", reason: str = ""):
    """The organisation takes its signature back. Recorded; the organisation counts as
    having declined (it is not reminded), and may sign again while sign-on is open."""
    with transaction.atomic():
        updated = Signature.objects.filter(
            pk=signature.pk, status__in=Signature.LIVE_STATUSES
        ).update(status=Signature.Status.WITHDRAWN, updated_at=timezone.now())
        if not updated:
            raise ValidationError(_("This signature has already been withdrawn or rejected."))
        _answer(
            signature.statement_id,
            signature.organisation_id,
            SignOnRequest.Answer.DECLINED,
            timezone.now(),
        )
        record(
            actor=actor,
            actor_label=actor_label,
            action="signature.withdrawn",
            target=signature,
            changes={"status": [signature.status, Signature.Status.WITHDRAWN]},
            note=reason,
        )
        emit_signature_event("signature.withdrawn", signature)
    signature.status = Signature.Status.WITHDRAWN
    return signature


def moderate(*, signature: Signature, approve: bool, moderator, reason: str = "") -> Signature:
    """Confirm a signature waiting for moderation, or reject it (with a reason, kept in
    the audit trail). A rejected organisation is back to "no reply": it may sign again.

    A signature waiting for approval (from someone not known as one of the
    organisation's people) is decided the same way; approved, it counts, named only if
    the organisation is listed in the public directory: a submission from outside an
    organisation never names it where the organisation chose not to be named. If the
    organisation's own signature came first, the claim is simply not needed."""
    if not approve and not reason.strip():
        raise ValidationError(_("Please give a reason for the rejection."))
    waiting = (Signature.Status.PENDING_MODERATION, Signature.Status.PENDING_APPROVAL)
    new_status = Signature.Status.CONFIRMED if approve else Signature.Status.REJECTED
    now = timezone.now()
    with transaction.atomic():
        current = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(pk=signature.pk, status__in=waiting)
            .first()
        )
        if current is None:
            raise ValidationError(_("This signature is not waiting for moderation."))
        fields = {"updated_at": now}
        if approve and current.needs_approval and not current.organisation.listed_publicly:
            fields["listed_publicly"] = False
        new_status = _take_place(Signature.objects.filter(pk=current.pk), new_status, **fields)
        if new_status == Signature.Status.SUPERSEDED:
            fields.pop("listed_publicly", None)
        fields["status"] = new_status
        changes = {"status": [current.status, new_status]}
        if new_status == Signature.Status.CONFIRMED:
            _answer(current.statement_id, current.organisation_id, SignOnRequest.Answer.SIGNED, now)
        elif not approve and current.status == Signature.Status.PENDING_MODERATION:
            SignOnRequest.objects.filter(
                statement_id=current.statement_id, organisation_id=current.organisation_id
            ).update(answer=SignOnRequest.Answer.NO_REPLY, answered_at=None)
        record(
            actor=moderator,
            action="signature.approved" if approve else "signature.rejected",
            target=current,
            changes=changes,
            note=reason.strip(),
        )
        for name, value in fields.items():
            setattr(current, name, value)
        emit_signature_event(
            "signature.confirmed", current, when=new_status == Signature.Status.CONFIRMED
        )
    signature.status, signature.listed_publicly = current.status, current.listed_publicly
    return signature


def confirm_current_text(*, signature: Signature, actor=None, actor_label: str = "") -> bool:
    """The signer confirms the changed text: the signature now records the current
    version. Returns False when there was nothing to confirm."""
    with transaction.atomic():
        current = signature.statement.current_version()
        previous = signature.version_id
        updated = (
            Signature.objects.live()
            .filter(pk=signature.pk)
            .exclude(version=current)
            .update(version=current, updated_at=timezone.now())
        )
        if updated:
            signature.version = current
            record(
                actor=actor,
                actor_label=actor_label,
                action="signature.confirmed_again",
                target=signature,
                changes={"version": [previous, current.pk]},
            )
    return bool(updated)
