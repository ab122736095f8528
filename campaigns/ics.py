"""Calendar files (RFC 5545) for convenings, as attached to invitations and changes.

Calendar programs match an update to the event they already hold by UID and keep it
only if its SEQUENCE is higher, so the UID never changes and the SEQUENCE is the
convening's, raised on every change. Times are written in the convening's own zone with
its VTIMEZONE, so that a meeting at 10:00 in Paris stays at 10:00 in Paris across a
daylight-saving change, wherever the invitee reads it.
"""

import datetime as dt
import email.utils
import zoneinfo
from functools import lru_cache

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alliance.core.markup import markdown_to_text
from campaigns.models import Convening, Invitation
from members.models import Contact

REQUEST = "REQUEST"
CANCEL = "CANCEL"

# What the invitation's RSVP says, as the attendee's participation status (RFC 5545).
PARTICIPATION = {
    Invitation.Answer.YES: "ACCEPTED",
    Invitation.Answer.NO: "DECLINED",
    Invitation.Answer.MAYBE: "TENTATIVE",
    Invitation.Answer.NO_REPLY: "NEEDS-ACTION",
}


def convening_calendar(
    convening: Convening, *, method: str, invitation: Invitation, contact: Contact
) -> bytes:
    """The calendar file of one invitee: `contact` is the ATTENDEE, with the answer of
    their organisation's invitation; the online link is theirs only once they accepted."""
    return CalendarFiles(convening).calendar(method=method, invitation=invitation, contact=contact)


# The ATTENDEE while the shared part of a file is written: short enough never to be
# folded, so its line is found whole and replaced by the invitee's own.
_ATTENDEE_SLOT = "mailto:attendee@calendar-file.invalid"
_ATTENDEE_SLOT_LINE = b"\r\nATTENDEE:" + _ATTENDEE_SLOT.encode() + b"\r\n"


class CalendarFiles:
    """The calendar files of a fan-out batch. Invitees differ only by their ATTENDEE line
    (address, name, answer) and, for those who accepted a convening held online, by the
    link in a sentence of their language: everything else is written once per method,
    link and language, and each file is that text with the invitee's ATTENDEE line in it
    (a file written whole for one invitee has the same bytes)."""

    def __init__(self, convening: Convening, *, stamp: dt.datetime | None = None):
        self.convening = convening
        # When the files were made (DTSTAMP): one moment for the batch.
        self.stamp = stamp or timezone.now()
        self._shared: dict[tuple[str, str, str], bytes] = {}

    def calendar(self, *, method: str, invitation: Invitation, contact: Contact) -> bytes:
        online_link = invitation.online_link()
        key = (method, online_link, contact.language if online_link else "")
        if key not in self._shared:
            self._shared[key] = self._without_attendee(method, online_link, contact.language)
        attendee = icalendar.Event().content_line("ATTENDEE", _attendee(contact, invitation))
        return self._shared[key].replace(
            _ATTENDEE_SLOT_LINE, b"\r\n" + attendee.to_ical() + b"\r\n", 1
        )

    def attachment(
        self, *, method: str, invitation: Invitation, contact: Contact
    ) -> dict[str, str]:
        """The outbox attachment (JSON-serialisable) with this invitee's calendar file."""
        return {
            "filename": "invite.ics" if method == REQUEST else "cancel.ics",
            "mimetype": f"text/calendar; method={method}",  # Django adds the charset
            "content": self.calendar(
                method=method, invitation=invitation, contact=contact
            ).decode(),
        }

    def _without_attendee(self, method: str, online_link: str, language: str) -> bytes:
        convening = self.convening
        zone = zoneinfo.ZoneInfo(convening.time_zone)
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Alliance Hub//Convenings//EN")
        calendar.add("version", "2.0")
        calendar.add("method", method)

        event = icalendar.Event()
        event.add("uid", convening.ics_uid)
        event.add("sequence", convening.sequence)
        event.add("dtstamp", self.stamp)
        event.add("dtstart", convening.starts_at.astimezone(zone))
        event.add("dtend", convening.ends_at.astimezone(zone))
        event.add("summary", convening.title)
        event.add("location", _location(convening, online_link))
        event.add("url", settings.SITE_URL + reverse("campaigns:convening", args=[convening.slug]))
        description = _agenda_text(convening.agenda)
        if online_link:
            with translation.override(language):
                line = _("Online link: %(link)s") % {"link": online_link}
            description = f"{line}\n\n{description}" if description else line
        if description:
            event.add("description", description)
        event.add("organizer", _organizer(convening))
        event.add("attendee", icalendar.vCalAddress(_ATTENDEE_SLOT))
        event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
        calendar.add_component(_vtimezone(convening.time_zone, convening.starts_at.year))
        calendar.add_component(event)
        return calendar.to_ical()


def _location(convening: Convening, online_link: str) -> str:
    if convening.venue:
        return convening.venue
    return online_link or convening.get_format_display()


def _organizer(convening: Convening) -> icalendar.vCalAddress:
    """The address in the settings (CONVENINGS_ORGANIZER_EMAIL), named after the national
    alliance that holds the convening, or as the setting names it."""
    name, address = email.utils.parseaddr(settings.CONVENINGS_ORGANIZER_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    name = convening.national_alliance.name if convening.national_alliance else name
    if name:
        organizer.params["cn"] = icalendar.vText(name)
    return organizer


def _attendee(contact: Contact, invitation: Invitation) -> icalendar.vCalAddress:
    attendee = icalendar.vCalAddress(f"mailto:{contact.email}")
    if contact.name:
        attendee.params["cn"] = icalendar.vText(contact.name)
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = icalendar.vText(PARTICIPATION[invitation.answer])
    return attendee


@lru_cache(maxsize=64)
def _agenda_text(agenda: str) -> str:
    """The agenda as text, once for all the invitees of a fan-out (Markdown costs more
    than the rest of a calendar file)."""
    return markdown_to_text(agenda)


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, year: int) -> icalendar.Timezone:
    """The VTIMEZONE for `tzid` around `year`. Working out the transitions costs more
    than the rest of the file, and a fan-out writes thousands of files for one zone."""
    return icalendar.Timezone.from_tzid(
        tzid, first_date=dt.date(year - 1, 1, 1), last_date=dt.date(year + 2, 1, 1)
    )
