"""Calendar files (RFC 5545) for convenings, as attached to invitations and changes.

Calendar programs match an update to the event they already hold by UID and keep it
only if its SEQUENCE is higher, so the UID never changes and the SEQUENCE is the
convening's, raised on every change. Times are written in the convening's own zone with
its VTIMEZONE, so that a meeting at 10:00 in Paris stays at 10:00 in Paris across a
daylight-saving change, wherever the invitee reads it.
"""

import datetime as dt
import zoneinfo
from functools import lru_cache

import icalendar
from django.conf import settings
from django.utils import timezone

from campaigns.models import Convening

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def convening_calendar(convening: Convening, *, method: str) -> bytes:
    zone = zoneinfo.ZoneInfo(convening.time_zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Alliance Hub//Convenings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)

    event = icalendar.Event()
    event.add("uid", convening.ics_uid)
    event.add("sequence", convening.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", convening.starts_at.astimezone(zone))
    event.add("dtend", convening.ends_at.astimezone(zone))
    event.add("summary", convening.title)
    location = convening.venue or convening.get_format_display()
    event.add("location", location)
    if convening.agenda:
        event.add("description", convening.agenda)
    event.add("organizer", f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    calendar.add_component(_vtimezone(convening.time_zone, convening.starts_at.year))
    calendar.add_component(event)
    return calendar.to_ical()


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, year: int) -> icalendar.Timezone:
    """The VTIMEZONE for `tzid` around `year`. Working out the transitions costs more
    than the rest of the file, and a fan-out writes thousands of files for one zone."""
    return icalendar.Timezone.from_tzid(
        tzid, first_date=dt.date(year - 1, 1, 1), last_date=dt.date(year + 2, 1, 1)
    )


def attachment(convening: Convening, *, method: str) -> dict[str, str]:
    """The outbox attachment (JSON-serialisable) for this convening's calendar file. The
    same for every invitee: the RSVP links, which are personal, are in the email."""
    return {
        "filename": "invite.ics" if method == REQUEST else "cancel.ics",
        "mimetype": f"text/calendar; method={method}",  # Django adds the charset
        "content": convening_calendar(convening, method=method).decode(),
    }
