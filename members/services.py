"""Operations on members that touch several rows or have side effects: applying to
join, verifying the applicant's address, and deciding on memberships.

Each is one transaction with an audit entry; emails are outbox rows written in the same
transaction, so a decision and its email commit together or not at all.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alliance.core.audit.services import record
from alliance.core.outbox.services import Email, queue_email, queue_emails
from members.models import (
    Contact,
    Membership,
    NationalAlliance,
    Organisation,
    PendingApplicant,
    Principles,
)
from members.webhooks import emit_membership_approved

User = get_user_model()

VERIFICATION_SALT = "members.contact-email"
VERIFICATION_MAX_AGE = 7 * 24 * 3600


def website_domain(url: str) -> str:
    host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    return host.lower().removeprefix("www.")


def find_duplicates(*, name: str, country: str, website: str = "", seen_by):
    """Organisations that are probably the same as the one described (the same website
    domain, or the same name, case-insensitive, in the same country) among those
    `seen_by` may see in the directory: the existence of an organisation hidden from
    them is not for them to learn, nor may they apply in its name."""
    same_name = Organisation.objects.annotate(lower_name=Lower("name")).filter(
        lower_name=name.strip().lower(), country=country
    )
    ids = set(same_name.values_list("pk", flat=True))
    domain = website_domain(website) if website else ""
    if domain:
        candidates = Organisation.objects.filter(website__icontains=domain).only("pk", "website")
        ids |= {o.pk for o in candidates if website_domain(o.website) == domain}
    return Organisation.objects.visible_to(seen_by).filter(pk__in=ids).order_by("name")


@dataclass(frozen=True)
class Applicant:
    """The person applying on behalf of their organisation."""

    name: str
    email: str
    role: str = ""
    language: str = "en"


class ApplicationsClosed(Exception):
    """No principles are published yet: there is nothing to endorse."""


class PrinciplesChanged(ValidationError):
    """The applicant endorsed a version of the principles that is no longer the current one."""

    def __init__(self, current_version: int):
        super().__init__(
            _(
                "The principles have just been updated: please read them again before you "
                "endorse them."
            ),
            code="principles_changed",
        )
        self.current_version = current_version


class PossibleDuplicates(Exception):
    """The new organisation is probably one already recorded (among those the applicant
    may see): they apply with one of these, or say it is none of them."""

    def __init__(self, organisations: list[Organisation]):
        super().__init__("possible duplicates")
        self.organisations = organisations


def apply_to_join(
    *,
    organisation: Organisation,
    applicant: Applicant,
    principles_version: int,
    seen_by,
    principles_language: str | None = None,
    focus_areas=(),
    not_a_duplicate: bool = False,
) -> Membership:
    """Record an application to the national alliance of the organisation's country (the
    international alliance where it has none). The join page and the partner API both
    call this: every rule of joining is here, in one transaction.

    The principles endorsed are version `principles_version`, which must be the current
    one (read in `principles_language`, by default the applicant's). `organisation` may
    be new (unsaved) or an existing one the applicant chose among the duplicates
    offered. A new one is refused as a `PossibleDuplicates` while organisations `seen_by`
    may see probably are the same, unless `not_a_duplicate`; it gets its `focus_areas`.
    Of a new organisation the applicant becomes a contact. Of an existing one they become
    a pending applicant, not one of its people: confirming their address makes them the
    contact with that address if it has one, and otherwise only a reviewer's approval
    does (so that nobody joins its convenings or signs for it by naming it). Either way
    they receive a link to confirm their address; reviewers see the application once it
    is confirmed.
    """
    with transaction.atomic():
        principles = Principles.objects.current(principles_language or applicant.language)
        if principles is None:
            raise ApplicationsClosed
        if principles_version != principles.version:
            raise PrinciplesChanged(principles.version)
        is_new = organisation.pk is None
        if is_new and not not_a_duplicate:
            duplicates = list(
                find_duplicates(
                    name=organisation.name,
                    country=organisation.country,
                    website=organisation.website,
                    seen_by=seen_by,
                )
            )
            if duplicates:
                raise PossibleDuplicates(duplicates)
        national_alliance = NationalAlliance.objects.filter(country=organisation.country).first()
        if is_new:
            organisation.save()
            organisation.focus_areas.set(focus_areas)
        existing = (
            Membership.objects.select_for_update()
            .filter(organisation=organisation, national_alliance=national_alliance)
            .first()
        )
        if existing is not None and existing.status != Membership.Status.LEFT:
            # Neither the membership nor its status: they need not be public.
            raise ValidationError(
                _(
                    "This organisation cannot apply there through this form. If you are "
                    "one of its people, please write to the alliance's coordinators."
                )
            )
        membership = existing or Membership(
            organisation=organisation, national_alliance=national_alliance
        )
        membership.status = Membership.Status.APPLIED
        membership.principles = principles
        membership.endorsed_by = _new_contact(organisation, applicant) if is_new else None
        membership.applied_at = timezone.now()
        membership.decided_at = membership.decided_by = None
        membership.decision_reason = ""
        membership.save()
        if is_new:
            person = membership.endorsed_by
        else:
            PendingApplicant.objects.filter(membership=membership).delete()
            person = PendingApplicant.objects.create(
                membership=membership,
                name=applicant.name,
                email=applicant.email,
                role=applicant.role,
                language=applicant.language,
            )
        record(
            actor_label=f"{applicant.name} <{applicant.email}>",
            action="membership.applied",
            target=membership,
            changes={"principles": [None, f"v{principles.version} ({principles.language})"]},
        )
        send_verification(person=person)
    return membership


def _new_contact(organisation: Organisation, applicant: Applicant | PendingApplicant) -> Contact:
    return Contact.objects.create(
        organisation=organisation,
        email=applicant.email,
        name=applicant.name,
        role=applicant.role,
        language=applicant.language,
        email_verified_at=getattr(applicant, "email_verified_at", None),
        consent_given_at=getattr(applicant, "created_at", None) or timezone.now(),
        consent_text=_("Applied to join the alliance through the public form."),
    )


# The kind of person a verification link is for, by its key in the signed payload.
_PERSON_KINDS = {"contact": Contact, "applicant": PendingApplicant}


def verification_token(person: Contact | PendingApplicant) -> str:
    kind = "applicant" if isinstance(person, PendingApplicant) else "contact"
    return signing.dumps({kind: person.pk, "email": person.email.lower()}, salt=VERIFICATION_SALT)


def send_verification(*, person: Contact | PendingApplicant) -> None:
    kind = "applicant" if isinstance(person, PendingApplicant) else "contact"
    url = reverse("members:verify_contact", kwargs={"token": verification_token(person)})
    queue_email(
        Email(
            key=f"{kind}-verification:{person.pk}:{person.email.lower()}",
            to_email=person.email,
            to_name=person.name,
            language=person.language,
            template="contact_verification",
            context={"path": url, "organisation": person.organisation.name},
        )
    )


def contact_for_token(token: str) -> Contact | PendingApplicant:
    """The contact or pending applicant a verification link was made for; ValidationError
    if it is forged, expired, or the address has changed since."""
    try:
        data = signing.loads(token, salt=VERIFICATION_SALT, max_age=VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("This link has expired. Please apply again.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This link is not valid.")) from None
    person = None
    for kind, model in _PERSON_KINDS.items():
        if kind in data:
            person = model.objects.filter(pk=data[kind]).first()
    if person is None or person.email.lower() != data["email"]:
        raise ValidationError(_("This link is not valid."))
    return person


def verify_contact_email(*, token: str) -> Contact | PendingApplicant:
    """Confirm the applicant's address (called from a POST: mail scanners follow GETs).

    A pending applicant whose address is one of the organisation's contacts' is thereby
    verified as one of its people: the application becomes that contact's."""
    person = contact_for_token(token)
    model = type(person)
    with transaction.atomic():
        updated = model.objects.filter(pk=person.pk, email_verified_at__isnull=True).update(
            email_verified_at=timezone.now()
        )
        if updated:
            # A pending applicant is no row of the organisation's: the application keeps it.
            target = person.membership if isinstance(person, PendingApplicant) else person
            record(actor_label=person.email, action="contact.email_verified", target=target)
            # The application is now in the reviewers' queue: they hear of it once.
            if isinstance(person, PendingApplicant):
                applications = [person.membership]
            else:
                applications = Membership.objects.filter(
                    endorsed_by=person, status=Membership.Status.APPLIED
                ).select_related("organisation", "national_alliance")
            for membership in applications:
                _tell_reviewers(membership)
        if isinstance(person, PendingApplicant):
            contact = (
                person.organisation.contacts.filter(
                    email__iexact=person.email, erased_at__isnull=True
                )
                .select_for_update()
                .first()
            )
            if contact is not None:
                _admit(person, contact=contact)
                person = contact
    person.refresh_from_db()
    return person


def _tell_reviewers(membership: Membership) -> None:
    """Email a confirmed application to those who decide on it: the coordinators of the
    national alliance, or the convenors for the international one, each in their language."""
    if membership.national_alliance is not None:
        reviewers = membership.national_alliance.coordinators.filter(is_active=True)
    else:
        reviewers = User.objects.filter(is_active=True).filter(
            Q(is_convenor=True) | Q(is_superuser=True)
        )
    applied = int(membership.applied_at.timestamp()) if membership.applied_at else 0
    emails = []
    for reviewer in reviewers.exclude(email="").order_by("pk"):
        with translation.override(reviewer.language):
            context = {
                "organisation": membership.organisation.name,
                "country": str(membership.organisation.country.name),
                "alliance": str(membership.alliance_name),
                "path": reverse("members:applications"),
            }
        emails.append(
            Email(
                key=f"application-received:{membership.pk}:{applied}:{reviewer.pk}",
                to_email=reviewer.email,
                to_name=reviewer.name,
                language=reviewer.language,
                template="application_received",
                context=context,
            )
        )
    queue_emails(emails)


def _admit(pending: PendingApplicant, *, contact: Contact | None = None) -> Contact:
    """Make the pending applicant the application's contact: `contact` (the one with
    their address), or a new contact of the organisation. Their confirmed address stays
    confirmed."""
    membership = pending.membership
    if contact is None:
        contact = membership.organisation.contacts.filter(
            email__iexact=pending.email, erased_at__isnull=True
        ).first() or _new_contact(membership.organisation, pending)
    if contact.email_verified_at is None and pending.email_verified_at is not None:
        contact.email_verified_at = pending.email_verified_at
        contact.save(update_fields=["email_verified_at"])
    membership.endorsed_by = contact
    membership.save(update_fields=["endorsed_by"])
    pending.delete()
    record(
        actor_label=pending.email,
        action="membership.applicant_admitted",
        target=membership,
        changes={"endorsed_by": [None, contact.email]},
    )
    return contact


def decide_membership(
    *,
    membership: Membership,
    status: str,
    decided_by,
    reason: str = "",
) -> Membership:
    """Approve, decline, suspend, reinstate or end a membership, and tell the organisation.

    Every decision against the organisation (declining, suspending, recording that it
    left) needs a reason: the organisation is told why.
    """
    if not decided_by.has_perm("members.review_membership", membership):
        raise PermissionDenied
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if not membership.can_become(status):
            raise ValidationError(
                _("A membership that is %(current)s cannot become %(new)s."),
                params={
                    "current": membership.get_status_display(),
                    "new": Membership.Status(status).label,
                },
            )
        if status in Membership.NEEDS_REASON and not reason.strip():
            raise ValidationError(_("Please give a reason: the organisation will read it."))
        previous = membership.status
        membership.status = status
        membership.decided_by = decided_by
        membership.decided_at = timezone.now()
        membership.decision_reason = reason.strip()
        if status == Membership.Status.APPROVED and membership.joined_at is None:
            membership.joined_at = membership.decided_at
        if status == Membership.Status.APPROVED:
            pending = PendingApplicant.objects.filter(membership=membership).first()
            if pending is not None:
                _admit(pending)
                membership.refresh_from_db(fields=["endorsed_by"])
        membership.save(
            update_fields=["status", "decided_by", "decided_at", "decision_reason", "joined_at"]
        )
        entry = record(
            actor=decided_by,
            action=f"membership.{status}",
            target=membership,
            changes={"status": [previous, status]},
            note=membership.decision_reason,
        )
        _tell_organisation(membership, entry_id=entry.pk)
        emit_membership_approved(membership, when=status == Membership.Status.APPROVED)
    return membership


def _tell_organisation(membership: Membership, *, entry_id: int) -> None:
    """Email the decision to the person who applied, or else to the signing contacts."""
    applicant = PendingApplicant.objects.filter(membership=membership).first()
    applicant = applicant or membership.endorsed_by
    recipients = [applicant] if applicant is not None else []
    if not recipients or not recipients[0].email:
        recipients = list(membership.organisation.contacts.authorised_to_sign().exclude(email=""))
    for contact in recipients:
        queue_email(
            Email(
                key=f"membership-decision:{membership.pk}:{entry_id}:{contact.pk}",
                to_email=contact.email,
                to_name=contact.name,
                language=contact.language,
                template=f"membership_{membership.status}",
                context={
                    "organisation": membership.organisation.name,
                    "alliance": str(membership.alliance_name),
                    "reason": membership.decision_reason,
                    "path": reverse(
                        "members:organisation", kwargs={"slug": membership.organisation.slug}
                    ),
                },
            )
        )
