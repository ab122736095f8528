"""Times across zones and daylight saving: a convening in Paris on the weekend the
clocks go back (last Sunday of October), read from Kampala (no daylight saving)."""

import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.urls import reverse

from campaigns import ics
from campaigns.forms import ConveningForm
from campaigns.models import Convening
from tests.factories import ContactFactory, ConveningFactory, InvitationFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# Clocks in Paris go back from 03:00 CEST to 02:00 CET on Sunday 25 October 2026.
BEFORE_CHANGE = dt.datetime(2026, 10, 24, 10, 0, tzinfo=PARIS)  # UTC+2
AFTER_CHANGE = dt.datetime(2026, 10, 26, 10, 0, tzinfo=PARIS)  # UTC+1


@pytest.fixture
def paris_convening(db):
    return ConveningFactory(
        title="Global assembly in Paris",
        scope=Convening.Scope.INTERNATIONAL,
        national_alliance=None,
        starts_at=BEFORE_CHANGE,
        ends_at=AFTER_CHANGE,
        time_zone="Europe/Paris",
    )


def test_convening_across_the_october_change_shows_kampala_and_paris_times(
    paris_convening, convenor, client_for
):
    convenor.time_zone = "Africa/Kampala"
    convenor.save(update_fields=["time_zone"])

    page = client_for(convenor).get(
        reverse("campaigns:convening", kwargs={"slug": paris_convening.slug})
    )

    html = page.content.decode()
    # 10:00 in Paris is 11:00 in Kampala before the change (UTC+2 vs UTC+3) ...
    assert "Oct. 24, 2026, 11 a.m." in html
    # ... and 12:00 after it (UTC+1 vs UTC+3).
    assert "Oct. 26, 2026, noon" in html
    # Paris wall-clock times stay 10:00 on both days.
    assert "Oct. 24, 2026, 10 a.m." in html and "Oct. 26, 2026, 10 a.m." in html
    assert "(Africa/Kampala)" in html and "(Europe/Paris)" in html


def test_ics_keeps_paris_wall_clock_and_defines_both_offsets(paris_convening):
    invitation = InvitationFactory(convening=paris_convening)
    contact = ContactFactory(organisation=invitation.organisation)
    calendar = icalendar.Calendar.from_ical(
        ics.convening_calendar(
            paris_convening, method=ics.REQUEST, invitation=invitation, contact=contact
        )
    )

    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTSTART"].to_ical() == b"20261024T100000"
    assert event["DTEND"].to_ical() == b"20261026T100000"
    assert event["DTSTART"].dt.utcoffset() == dt.timedelta(hours=2)
    assert event["DTEND"].dt.utcoffset() == dt.timedelta(hours=1)
    # Python subtracts wall clocks within one zone: compare instants in UTC.
    elapsed = event["DTEND"].dt.astimezone(dt.UTC) - event["DTSTART"].dt.astimezone(dt.UTC)
    assert elapsed == dt.timedelta(hours=49)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    offsets = {str(sub["TZNAME"]) for sub in vtimezone.subcomponents}
    assert {"CET", "CEST"} <= offsets


def test_form_reads_times_in_the_convening_zone_not_the_organisers(convenor):
    data = {
        "title": "Global assembly",
        "scope": "international",
        "format": "hybrid",
        "time_zone": "Europe/Paris",
        "starts_at": "2026-10-26T10:00",
        "ends_at": "2026-10-26T16:00",
        "delegates_per_organisation": 2,
    }
    with dt_zone("Africa/Kampala"):
        form = ConveningForm(data, user=convenor)
        assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_at"] == dt.datetime(2026, 10, 26, 9, 0, tzinfo=dt.UTC)


def dt_zone(name):
    from django.utils import timezone

    return timezone.override(zoneinfo.ZoneInfo(name))
