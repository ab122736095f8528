"""Fixtures for the campaigns tests: convenings of the two alliances, and a helper that
invites organisations the way the page does (with the fan-out run after commit)."""

import datetime as dt

import icalendar
import pytest
from django.utils import timezone

from alliance.core.outbox.models import OutgoingMessage
from campaigns import services
from campaigns.models import Convening
from members.models import Organisation
from tests.factories import ContactFactory, ConveningFactory


@pytest.fixture
def uganda_convening(uganda):
    starts = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=20)
    return ConveningFactory(
        title="Uganda national assembly",
        national_alliance=uganda,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6),
        rsvp_deadline=starts - dt.timedelta(days=7),
        time_zone="Africa/Kampala",
        format=Convening.Format.HYBRID,
        venue="Kampala, Hotel Africana",
        online_link="https://meet.example.org/uganda-assembly",
        agenda="1. Welcome\n2. **Tax justice** campaign",
        delegates_per_organisation=2,
    )


@pytest.fixture
def brazil_convening(brazil):
    return ConveningFactory(
        title="Encontro nacional", national_alliance=brazil, time_zone="America/Sao_Paulo"
    )


@pytest.fixture
def international_convening(db):
    return ConveningFactory(
        title="Global assembly",
        scope=Convening.Scope.INTERNATIONAL,
        national_alliance=None,
        time_zone="Europe/Paris",
    )


@pytest.fixture
def member_contacts(uganda_member, representative):
    """A second, French-speaking contact of the Ugandan member (the representative is
    the first), and an erased one that must never be emailed."""
    french = ContactFactory(
        organisation=uganda_member,
        name="Amélie Okello",
        email="amelie@kapchorwa.test",
        language="fr",
        time_zone="Africa/Kampala",
    )
    ContactFactory(
        organisation=uganda_member, email="gone@kapchorwa.test", erased_at=timezone.now()
    )
    return french


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """invite(convening, [organisations], by=user) -> invitation ids, emails written."""

    def run(convening, organisations, *, by):
        with django_capture_on_commit_callbacks(execute=True):
            return services.invite_organisations(
                convening=convening,
                organisations=Organisation.objects.filter(pk__in=[o.pk for o in organisations]),
                invited_by=by,
            )

    return run


def messages_for(convening, kind=None):
    prefix = f"convening:{convening.pk}:"
    rows = OutgoingMessage.objects.filter(key__startswith=prefix).order_by("id")
    if kind:
        rows = [row for row in rows if row.key.split(":")[3] == kind]
    return list(rows)


def parse_ics(message) -> icalendar.Calendar:
    (attachment,) = message.attachments
    return icalendar.Calendar.from_ical(attachment["content"])
