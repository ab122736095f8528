"""Publishing a new version of the principles, and members endorsing it.

An endorsement is written onto the organisation's memberships themselves
(`Membership.principles`, `Membership.endorsed_by`), as applying already does: a
membership always says which text the organisation stands behind, and the reviewers'
pages, the directory and the dashboard need no other table to know it. The history
(which version, who, when) is kept by the audit trail, one entry per endorsement.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.core.audit.models import AuditEntry
from alliance.core.audit.services import record
from alliance.core.outbox.services import Email, queue_emails
from members.models import Contact, Membership, Principles

ENDORSEMENT_SALT = "members.principles-endorsement"
# Long enough for an organisation to consult its board before it endorses.
ENDORSEMENT_MAX_AGE = 180 * 24 * 3600
# Memberships that still bind the organisation to the principles.
CURRENT_STATUSES = [
    Membership.Status.APPLIED,
    Membership.Status.APPROVED,
    Membership.Status.SUSPENDED,
]
PUBLISHED_ACTION = "principles.published"


def change_notes() -> dict[int, str]:
    """What changed in each version, as the convenor who published it wrote it."""
    entries = AuditEntry.objects.filter(action=PUBLISHED_ACTION).values_list("changes", "note")
    return {changes["version"][1]: note for changes, note in entries if changes.get("version")}


def publish_principles(*, texts: dict[str, tuple[str, str]], note: str, published_by) -> int:
    """Publish version N+1 of the principles: `texts` maps a language to (title, text),
    English required. Every approved member organisation's signing contacts are asked,
    in their language, to endorse it. Returns the new version number."""
    if not published_by.has_perm("members.publish_principles"):
        raise PermissionDenied
    if "en" not in texts:
        raise ValidationError(_("The principles need an English text."))
    unknown = set(texts) - {code for code, _name in settings.LANGUAGES}
    if unknown:
        raise ValidationError(_("Unknown language: %(codes)s."), params={"codes": sorted(unknown)})
    with transaction.atomic():
        # Lock the newest row so that two convenors publishing at once cannot both
        # take the same number (the unique constraint would refuse the second anyway).
        newest = Principles.objects.select_for_update().order_by("-version").first()
        version = (newest.version if newest else 0) + 1
        now = timezone.now()
        rows = Principles.objects.bulk_create(
            [
                Principles(
                    version=version, language=language, title=title, text=text, published_at=now
                )
                for language, (title, text) in texts.items()
            ]
        )
        english = next(row for row in rows if row.language == "en")
        record(
            actor=published_by,
            action=PUBLISHED_ACTION,
            target=english,
            changes={"version": [newest.version if newest else None, version]},
            note=note.strip(),
        )
        ask_members_to_endorse(version=version, note=note.strip())
    return version


def ask_members_to_endorse(*, version: int, note: str) -> None:
    """Email every signing contact of a member organisation, in their language, a link to
    endorse `version`. Safe to run again: each contact is asked once per version (the
    outbox keeps one message per key)."""
    titles = dict(Principles.objects.filter(version=version).values_list("language", "title"))
    contacts = (
        Contact.objects.authorised_to_sign()
        .exclude(email="")
        .filter(
            organisation__in=Membership.objects.live().values("organisation_id"),
        )
        .select_related("organisation")
        .order_by("pk")
    )
    queue_emails(
        [
            Email(
                key=f"principles-endorse:{version}:{contact.pk}",
                to_email=contact.email,
                to_name=contact.name,
                language=contact.language,
                template="principles_new_version",
                context={
                    "path": reverse(
                        "members:principles_endorse",
                        kwargs={"token": endorsement_token(contact, version)},
                    ),
                    "organisation": contact.organisation.name,
                    "version": version,
                    "title": titles.get(contact.language) or titles["en"],
                    "note": note,
                },
            )
            for contact in contacts
        ]
    )


def endorsement_token(contact: Contact, version: int) -> str:
    return signing.dumps(
        {"contact": contact.pk, "email": contact.email.lower(), "version": version},
        salt=ENDORSEMENT_SALT,
    )


def read_endorsement_token(token: str) -> tuple[Contact, Principles]:
    """The contact and the principles (in the contact's language) a link was made for;
    ValidationError if it is forged or expired, or the contact is no longer authorised."""
    try:
        data = signing.loads(token, salt=ENDORSEMENT_SALT, max_age=ENDORSEMENT_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("This link has expired.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This link is not valid.")) from None
    contact = (
        Contact.objects.authorised_to_sign()
        .filter(pk=data.get("contact"))
        .select_related("organisation")
        .first()
    )
    if contact is None or contact.email.lower() != data.get("email"):
        raise ValidationError(_("This link is not valid."))
    principles = Principles.objects.in_language(data.get("version"), contact.language)
    if principles is None:
        raise ValidationError(_("This link is not valid."))
    return contact, principles


def endorse_principles(*, token: str) -> list[Membership]:
    """Record that the contact's organisation endorses the version the link names, on
    each of its current memberships. Harmless twice, and never replaces a newer version
    already endorsed. Returns the memberships that changed."""
    contact, principles = read_endorsement_token(token)
    changed = []
    with transaction.atomic():
        memberships = (
            Membership.objects.select_for_update(of=("self",))
            .filter(organisation=contact.organisation, status__in=CURRENT_STATUSES)
            .filter(Q(principles__isnull=True) | Q(principles__version__lt=principles.version))
            .select_related("principles")
        )
        for membership in memberships:
            before = (
                f"v{membership.principles.version} ({membership.principles.language})"
                if membership.principles
                else None
            )
            membership.principles = principles
            membership.endorsed_by = contact
            membership.save(update_fields=["principles", "endorsed_by"])
            record(
                actor=contact.user if contact.user_id else None,
                actor_label=f"{contact.name} <{contact.email}>",
                action="membership.principles_endorsed",
                target=membership,
                changes={"principles": [before, f"v{principles.version} ({principles.language})"]},
            )
            changed.append(membership)
    return changed


def has_endorsed(contact: Contact, version: int) -> bool:
    """Every current membership of the contact's organisation endorses `version` or later."""
    return not (
        Membership.objects.filter(organisation=contact.organisation, status__in=CURRENT_STATUSES)
        .filter(Q(principles__isnull=True) | Q(principles__version__lt=version))
        .exists()
    )


def not_yet_endorsed(version: int):
    """Approved memberships whose organisation has not endorsed `version`: they keep their
    membership meanwhile, and convenors see who they are."""
    return (
        Membership.objects.live()
        .filter(Q(principles__isnull=True) | Q(principles__version__lt=version))
        .select_related("organisation", "national_alliance", "principles")
        .order_by("organisation__name")
    )
