"""Operations on members that touch several rows or have side effects: applying to
join, verifying the applicant's address, and deciding on memberships.

Each is one transaction with an audit entry; emails are outbox rows written in the same
transaction, so a decision and its email commit together or not at all.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.api.webhooks import emit, membership_payload
from alliance.audit.services import record
from alliance.outbox.services import Email, queue_email
from members.models import Contact, Membership, NationalAlliance, Organisation, Principles

VERIFICATION_SALT = "members.contact-email"
VERIFICATION_MAX_AGE = 7 * 24 * 3600


def website_domain(url: str) -> str:
    host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    return host.lower().removeprefix("www.")


def find_duplicates(*, name: str, country: str, website: str = ""):
    """Organisations that are probably the same as the one described: the same website
    domain, or the same name (case-insensitive) in the same country."""
    same_name = Organisation.objects.annotate(lower_name=Lower("name")).filter(
        lower_name=name.strip().lower(), country=country
    )
    ids = set(same_name.values_list("pk", flat=True))
    domain = website_domain(website) if website else ""
    if domain:
        candidates = Organisation.objects.filter(website__icontains=domain).only("pk", "website")
        ids |= {o.pk for o in candidates if website_domain(o.website) == domain}
    return Organisation.objects.filter(pk__in=ids).order_by("name")


@dataclass(frozen=True)
class Applicant:
    """The person applying on behalf of their organisation."""

    name: str
    email: str
    role: str = ""
    language: str = "en"


def apply_to_join(
    *,
    organisation: Organisation,
    applicant: Applicant,
    national_alliance: NationalAlliance | None,
    principles: Principles,
) -> Membership:
    """Record an application to a national alliance (or the international one, None).

    `organisation` may be new (unsaved) or an existing one the applicant chose among the
    duplicates offered. The applicant becomes a contact and receives a link to confirm
    their address; reviewers see the application once the address is confirmed.
    """
    if national_alliance is not None and national_alliance.country != organisation.country:
        raise ValidationError(
            _("%(alliance)s is for organisations in %(country)s."),
            params={"alliance": national_alliance, "country": national_alliance.country.name},
        )
    with transaction.atomic():
        if organisation.pk is None:
            organisation.save()
        existing = Membership.objects.filter(
            organisation=organisation, national_alliance=national_alliance
        ).first()
        if existing is not None and existing.status != Membership.Status.LEFT:
            raise ValidationError(
                _("%(organisation)s already has a membership there (%(status)s)."),
                params={"organisation": organisation, "status": existing.get_status_display()},
            )
        contact, _created = Contact.objects.get_or_create(
            organisation=organisation,
            email__iexact=applicant.email,
            defaults={
                "email": applicant.email,
                "name": applicant.name,
                "role": applicant.role,
                "language": applicant.language,
                "consent_given_at": timezone.now(),
                "consent_text": _("Applied to join the alliance through the public form."),
            },
        )
        membership = existing or Membership(
            organisation=organisation, national_alliance=national_alliance
        )
        membership.status = Membership.Status.APPLIED
        membership.principles = principles
        membership.endorsed_by = contact
        membership.applied_at = timezone.now()
        membership.decided_at = membership.decided_by = None
        membership.decision_reason = ""
        membership.save()
        record(
            actor_label=f"{applicant.name} <{applicant.email}>",
            action="membership.applied",
            target=membership,
            changes={"principles": [None, f"v{principles.version} ({principles.language})"]},
        )
        if contact.email_verified_at is None:
            send_verification(contact=contact)
    return membership


def verification_token(contact: Contact) -> str:
    return signing.dumps(
        {"contact": contact.pk, "email": contact.email.lower()}, salt=VERIFICATION_SALT
    )


def send_verification(*, contact: Contact) -> None:
    url = reverse("members:verify_contact", kwargs={"token": verification_token(contact)})
    queue_email(
        Email(
            key=f"contact-verification:{contact.pk}:{contact.email.lower()}",
            to_email=contact.email,
            to_name=contact.name,
            language=contact.language,
            template="contact_verification",
            context={"path": url, "organisation": contact.organisation.name},
        )
    )


def contact_for_token(token: str) -> Contact:
    """The contact a verification link was made for; ValidationError if it is forged,
    expired, or the address has changed since."""
    try:
        data = signing.loads(token, salt=VERIFICATION_SALT, max_age=VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("This link has expired. Please apply again.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This link is not valid.")) from None
    contact = Contact.objects.filter(pk=data["contact"]).select_related("organisation").first()
    if contact is None or contact.email.lower() != data["email"]:
        raise ValidationError(_("This link is not valid."))
    return contact


def verify_contact_email(*, token: str) -> Contact:
    """Confirm the applicant's address (called from a POST: mail scanners follow GETs)."""
    contact = contact_for_token(token)
    with transaction.atomic():
        updated = Contact.objects.filter(pk=contact.pk, email_verified_at__isnull=True).update(
            email_verified_at=timezone.now()
        )
        if updated:
            record(actor_label=contact.email, action="contact.email_verified", target=contact)
    contact.refresh_from_db()
    return contact


def decide_membership(
    *,
    membership: Membership,
    status: str,
    decided_by,
    reason: str = "",
) -> Membership:
    """Approve, decline, suspend, reinstate or end a membership, and tell the organisation.

    Declining and suspending need a reason: the organisation is told why.
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
        if (
            status in (Membership.Status.DECLINED, Membership.Status.SUSPENDED)
            and not reason.strip()
        ):
            raise ValidationError(_("Please give a reason: the organisation will read it."))
        previous = membership.status
        membership.status = status
        membership.decided_by = decided_by
        membership.decided_at = timezone.now()
        membership.decision_reason = reason.strip()
        if status == Membership.Status.APPROVED and membership.joined_at is None:
            membership.joined_at = membership.decided_at
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
        emit(
            event="membership.approved",
            payload=membership_payload(membership),
            when=status == Membership.Status.APPROVED,
        )
    return membership


def _tell_organisation(membership: Membership, *, entry_id: int) -> None:
    """Email the decision to the person who applied, or else to the signing contacts."""
    recipients = [membership.endorsed_by] if membership.endorsed_by_id else []
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
                },
            )
        )
