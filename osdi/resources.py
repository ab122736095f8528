"""Alliance Hub's objects as OSDI resources. Each function turns a page of rows into
resources with what was loaded for the page: no query per row."""

from django.urls import reverse
from django.utils.translation import get_language

from campaigns.models import Convening, Invitation
from members.models import Contact, FocusArea
from osdi.hal import CURIES, NAMESPACE, Base, date, identifiers, link
from statements.models import Signature, Statement

ORIGIN = "Alliance Hub"
NS = f"{NAMESPACE}:"


def _text(statement: Statement, language: str | None):
    """The current version's text in `language`, else in the statement's original
    language, else any."""
    versions = statement.current_versions
    texts = list(versions[0].texts.all()) if versions else []
    by_language = {text.language: text for text in texts}
    for wanted in (language, statement.original_language):
        if wanted in by_language:
            return by_language[wanted]
    return texts[0] if texts else None


def petition(base: Base, statement: Statement) -> dict:
    text = _text(statement, (get_language() or "").split("-")[0])
    return {
        "identifiers": identifiers(statement.pk),
        "origin_system": ORIGIN,
        "name": statement.slug,
        "title": text.title if text else statement.slug,
        "description": text.body if text else "",
        "summary": text.summary if text else "",
        "petition_text": text.body if text else "",
        "browser_url": base.page(reverse("statements:detail", args=[statement.slug])),
        "total_signatures": statement.signature_count,
        "created_date": date(statement.created_at),
        "modified_date": date(statement.updated_at),
        NS + "language": text.language if text else statement.original_language,
        NS + "status": statement.status,
        NS + "audience": statement.audience,
        NS + "signon_closes_date": date(statement.signon_closes_at),
        NS + "focus_areas": [area.slug for area in statement.focus_areas.all()],
        "_links": {
            "self": link(base("petitions", statement.pk)),
            "osdi:signatures": link(base("petitions", statement.pk, "signatures")),
            "osdi:record_signature_helper": link(
                base("petitions", statement.pk, "record_signature_helper")
            ),
            "curies": CURIES,
        },
    }


def signature(base: Base, row: Signature, *, with_email: bool, link_people: bool) -> dict:
    """A signature the key may see (the queryset decided): the organisation signs, the
    signatory signs for it; the person link only to a key that may read people."""
    resource = {
        "identifiers": identifiers(row.pk),
        "created_date": date(row.created_at),
        "modified_date": date(row.updated_at),
        NS + "organisation": {
            "identifiers": identifiers(row.organisation_id),
            "name": row.organisation.name,
            "country": str(row.organisation.country),
        },
        NS + "signatory_name": row.signatory_name,
        NS + "signatory_title": row.signatory_title,
        NS + "listed_publicly": row.listed_publicly,
        NS + "status": row.status,
        NS + "source": row.source,
        "_links": {
            "self": link(base("petitions", row.statement_id, "signatures", row.pk)),
            "osdi:petition": link(base("petitions", row.statement_id)),
        },
    }
    if with_email:
        resource[NS + "email"] = row.email
    if link_people and row.contact_id:
        resource["_links"]["osdi:person"] = link(base("people", row.contact_id))
    return resource


def split_name(name: str) -> tuple[str, str]:
    """OSDI wants given and family names; a contact has one name. The last word is
    taken as the family name (the whole name stays in alliance_hub:name)."""
    parts = name.strip().rsplit(" ", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (name.strip(), "")


def person(base: Base, contact: Contact) -> dict:
    given, family = split_name(contact.name)
    return {
        "identifiers": identifiers(contact.pk),
        "origin_system": ORIGIN,
        "given_name": given,
        "family_name": family,
        NS + "name": contact.name,
        "employer": contact.organisation.name,
        NS + "role": contact.role,
        "email_addresses": (
            [{"address": contact.email, "primary": True, "address_type": "work"}]
            if contact.email
            else []
        ),
        "languages_spoken": [contact.language],
        NS + "organisation": identifiers(contact.organisation_id)[0],
        "created_date": date(contact.created_at),
        "modified_date": date(contact.updated_at),
        "_links": {
            "self": link(base("people", contact.pk)),
            "osdi:signatures": link(base("people", contact.pk, "signatures")),
            "osdi:attendances": link(base("people", contact.pk, "attendances")),
            "curies": CURIES,
        },
    }


EVENT_STATUS = {
    Convening.Status.DRAFT: "tentative",
    Convening.Status.SCHEDULED: "confirmed",
    Convening.Status.MOVED: "confirmed",
    Convening.Status.HELD: "confirmed",
    Convening.Status.CANCELLED: "cancelled",
}


def event(base: Base, convening: Convening) -> dict:
    """Never the online link: it is for the organisations that accepted, on the page
    their invitation opens."""
    return {
        "identifiers": identifiers(convening.pk),
        "origin_system": ORIGIN,
        "name": convening.slug,
        "title": convening.title,
        "description": convening.agenda,
        "start_date": date(convening.starts_at),
        "end_date": date(convening.ends_at),
        "status": EVENT_STATUS[convening.status],
        "visibility": "private",
        "type": "open",
        "location": {"venue": convening.venue} if convening.venue else {},
        "browser_url": base.page(reverse("campaigns:convening", args=[convening.slug])),
        "total_accepted": convening.total_accepted,
        "created_date": date(convening.created_at),
        "modified_date": date(convening.created_at),
        NS + "status": convening.status,
        NS + "format": convening.format,
        NS + "time_zone": convening.time_zone,
        NS + "scope": convening.scope,
        NS + "rsvp_deadline": date(convening.rsvp_deadline),
        "_links": {
            "self": link(base("events", convening.pk)),
            "osdi:attendances": link(base("events", convening.pk, "attendances")),
            "curies": CURIES,
        },
    }


ATTENDANCE_STATUS = {
    Invitation.Answer.YES: "accepted",
    Invitation.Answer.NO: "declined",
    Invitation.Answer.MAYBE: "tentative",
    Invitation.Answer.NO_REPLY: "needs action",
}
ANSWER_OF_STATUS = {
    "accepted": Invitation.Answer.YES,
    "declined": Invitation.Answer.NO,
    "tentative": Invitation.Answer.MAYBE,
}


def attendance(base: Base, row) -> dict:
    """`row` is an invitation's contact (Invitation.contacts.through) with its invitation:
    the answer is the organisation's, given for each contact it invited."""
    invitation = row.invitation
    resource = {
        "identifiers": identifiers(row.pk),
        "origin_system": ORIGIN,
        "status": ATTENDANCE_STATUS[invitation.answer],
        "created_date": date(invitation.created_at),
        "modified_date": date(invitation.answered_at or invitation.created_at),
        NS + "organisation": identifiers(invitation.organisation_id)[0],
        NS + "delegates": invitation.delegates,
        "_links": {
            "self": link(base("events", invitation.convening_id, "attendances", row.pk)),
            "osdi:event": link(base("events", invitation.convening_id)),
            "osdi:person": link(base("people", row.contact_id)),
        },
    }
    if invitation.attended is not None:
        resource["attended"] = invitation.attended
    return resource


def tag(base: Base, area: FocusArea) -> dict:
    return {
        "identifiers": identifiers(area.pk),
        "origin_system": ORIGIN,
        "name": area.name_in((get_language() or "en").split("-")[0]),
        NS + "slug": area.slug,
        NS + "translations": area.translations,
        "_links": {"self": link(base("tags", area.pk)), "curies": CURIES},
    }
