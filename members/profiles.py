"""Changes to an organisation's profile and to its contacts, each recorded in the audit
trail: what the organisation page's history shows.

A contact is personal data: a convenor can export everything held about one (for a
subject access request) and erase it. Erasing empties the row rather than deleting it, so
that memberships it endorsed and signatures it made still count.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.core.audit.models import AuditEntry
from alliance.core.audit.services import diff, record, snapshot
from members.models import Contact, Organisation

# The profile as its editors change it, on the organisation's page
# (members.organisation_forms.OrganisationForm) and through the partner API
# (members.api.serializers.OrganisationProfileInputSerializer): one list for both.
EDITABLE_PROFILE_FIELDS = [
    "name",
    "short_name",
    "kind",
    "country",
    "city",
    "focus_areas",
    "website",
    "description",
    "languages",
    "listed_publicly",
]
# Only on the page, for those who may read them; never through the API.
INTERNAL_PROFILE_FIELDS = ["internal_notes"]
# The columns update_organisation changes and audits (focus areas are a relation).
PROFILE_FIELDS = [
    name for name in [*EDITABLE_PROFILE_FIELDS, *INTERNAL_PROFILE_FIELDS] if name != "focus_areas"
]
CONTACT_FIELDS = [
    "name",
    "email",
    "role",
    "language",
    "authorised_to_sign",
    "consent_given_at",
    "consent_text",
]
# What erasing a contact empties; `erased_at` says when.
PERSONAL_FIELDS = {
    "name": "",
    "email": "",
    "role": "",
    "consent_text": "",
    "consent_given_at": None,
    "email_verified_at": None,
    "authorised_to_sign": False,
    "user": None,
}
ERASED = "[erased]"


def language_codes(codes: list[str]) -> list[str]:
    """The two-letter codes of the languages an organisation works in, cleaned (lower case,
    no blanks, no repeats), as the page and the API take them."""
    codes = [code.strip().lower() for code in codes]
    codes = [code for code in codes if code]
    invalid = [code for code in codes if not (len(code) == 2 and code.isalpha())]
    if invalid:
        raise ValidationError(
            _("Not a two-letter language code: %(codes)s."),
            params={"codes": ", ".join(invalid)},
        )
    return list(dict.fromkeys(codes))


def _focus_area_names(organisation: Organisation) -> list[str]:
    return sorted(organisation.focus_areas.values_list("name", flat=True))


def update_organisation(
    *, organisation: Organisation, changed_by, data: dict[str, Any]
) -> dict[str, list]:
    """Change the profile fields in `data` (and `focus_areas`, if given); record who
    changed what. Returns the changes, {field: [old, new]}, empty if nothing changed."""
    fields = [name for name in PROFILE_FIELDS if name in data]
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = snapshot(organisation, fields)
        for name in fields:
            setattr(organisation, name, data[name])
        changes = diff(before, organisation)
        if "country" in changes:
            changes["country"] = [before["country"].code, organisation.country.code]
        if changes:
            organisation.save(update_fields=[*changes, "updated_at"])
        if "focus_areas" in data:
            old_areas = _focus_area_names(organisation)
            organisation.focus_areas.set(data["focus_areas"])
            new_areas = _focus_area_names(organisation)
            if old_areas != new_areas:
                changes["focus_areas"] = [old_areas, new_areas]
        if changes:
            record(
                actor=changed_by,
                action="organisation.updated",
                target=organisation,
                changes=changes,
            )
    return changes


def save_contact(
    *, organisation: Organisation, contact: Contact | None = None, changed_by, data: dict
) -> Contact:
    """Add a contact to `organisation`, or change one of its contacts."""
    with transaction.atomic():
        if contact is None:
            contact = Contact(organisation=organisation)
            before = dict.fromkeys(CONTACT_FIELDS)
            action = "contact.added"
        else:
            contact = Contact.objects.select_for_update().get(
                pk=contact.pk, organisation=organisation
            )
            before = snapshot(contact, CONTACT_FIELDS)
            action = "contact.updated"
        for name in CONTACT_FIELDS:
            if name in data:
                setattr(contact, name, data[name])
        if contact.pk and before["email"] and before["email"].lower() != contact.email.lower():
            # A new address has not been verified yet.
            contact.email_verified_at = None
        contact.save()
        changes = diff(before, contact)
        if changes:
            record(actor=changed_by, action=action, target=contact, changes=changes)
    return contact


def export_contact(*, contact: Contact, exported_by) -> dict[str, Any]:
    """Everything held about `contact`, for a subject access request: the contact row,
    the login it is linked to, and the audit entries about it. Recorded, since it hands
    personal data out."""
    with transaction.atomic():
        history = [
            {
                "when": entry.created_at.isoformat(),
                "who": entry.actor_label,
                "action": entry.action,
                "changes": entry.changes,
            }
            for entry in AuditEntry.objects.for_object(contact).order_by("created_at", "id")
        ]
        user = contact.user
        export = {
            "exported_at": timezone.now().isoformat(),
            "contact": {
                "id": contact.pk,
                "organisation": {"id": contact.organisation_id, "name": str(contact.organisation)},
                **{name: _exportable(getattr(contact, name)) for name in CONTACT_FIELDS},
                "time_zone": contact.time_zone,
                "email_verified_at": _exportable(contact.email_verified_at),
                "created_at": _exportable(contact.created_at),
                "updated_at": _exportable(contact.updated_at),
                "erased_at": _exportable(contact.erased_at),
            },
            "login": (
                {
                    "email": user.email,
                    "name": getattr(user, "name", ""),
                    "language": getattr(user, "language", ""),
                    "date_joined": _exportable(user.date_joined),
                    "last_login": _exportable(user.last_login),
                }
                if user
                else None
            ),
            "history": history,
        }
        record(actor=exported_by, action="contact.exported", target=contact)
    return export


def _entries_acted_by(contact: Contact):
    """Audit entries whose actor is the contact: their account, or a label written with
    their address ("Name <address>", or the address alone)."""
    who = Q(pk__in=[])
    if contact.user_id:
        who |= Q(actor_id=contact.user_id)
    if contact.email:
        who |= Q(actor_label__iexact=contact.email)
        who |= Q(actor_label__iendswith=f"<{contact.email}>")
    # Evaluated now: the entries are found by what erasing removes.
    return AuditEntry.objects.filter(
        pk__in=list(AuditEntry.objects.filter(who).values_list("pk", flat=True))
    )


def _exportable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def erase_contact(*, contact: Contact, erased_by) -> Contact:
    """Remove the personal data of `contact`; keep the row (so that memberships it
    endorsed and counts stay true) and mark it erased. Earlier audit entries about the
    contact lose the values they recorded, which were personal data too, and so do the
    signatures they made (still counted, no longer named); so does every entry naming them
    as who acted (a public signatory or an applicant is recorded by name and address)."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.erased_at is not None:
            return contact
        acted_as = _entries_acted_by(contact)
        for name, empty in PERSONAL_FIELDS.items():
            setattr(contact, name, empty)
        contact.erased_at = timezone.now()
        contact.save()
        # Rows of other apps that copied this person's data (a signature keeps the
        # signatory's name and email) erase it themselves: members imports none of them.
        for relation in Contact._meta.related_objects:
            erase = getattr(relation.related_model, "erase_personal_data_of", None)
            if erase is not None:
                erase(contact, placeholder=ERASED)
        for entry in AuditEntry.objects.for_object(contact).select_for_update():
            entry.changes = {name: [ERASED, ERASED] for name in entry.changes}
            entry.object_repr = ERASED
            entry.save(update_fields=["changes", "object_repr"])
        acted_as.update(actor_label=ERASED)
        record(
            actor=erased_by,
            action="contact.erased",
            target=contact,
            changes={name: [ERASED, ""] for name in PERSONAL_FIELDS},
        )
    return contact
