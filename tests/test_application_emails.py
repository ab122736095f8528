"""The emails of joining: the coordinators of the alliance applied to hear of a confirmed
application in their own language (nobody else, and not before the applicant confirmed
their address), and the approval email links to the organisation's profile."""

import re

import pytest
from django.urls import reverse

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from members import services
from members.models import Membership
from tests.factories import OrganisationFactory, PrinciplesFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def principles(db):
    return PrinciplesFactory(version=1, language="en")


def apply(alliance, principles, *, name="Tororo Youth Movement", country="UG"):
    organisation = OrganisationFactory.build(name=name, country=country)
    return services.apply_to_join(
        organisation=organisation,
        applicant=services.Applicant(name="Okello James", email="okello@tororo.example"),
        principles_version=principles.version,
        seen_by=None,
    )


def confirm(membership):
    token = services.verification_token(membership.endorsed_by)
    services.verify_contact_email(token=token)


def told_of_application():
    return list(OutgoingMessage.objects.filter(template="application_received"))


def test_coordinators_hear_of_a_confirmed_application_in_their_language(
    uganda, uganda_coordinator, brazil_coordinator, convenor, principles
):
    french_coordinator = UserFactory(email="second.ug@alliance.test", language="fr")
    uganda.coordinators.add(french_coordinator)

    membership = apply(uganda, principles)
    assert told_of_application() == [], "not before the applicant confirmed their address"
    confirm(membership)
    confirm(membership)  # the link opened twice tells them once

    messages = told_of_application()
    assert sorted((m.to_email, m.language) for m in messages) == [
        ("coordinator.ug@alliance.test", "en"),
        ("second.ug@alliance.test", "fr"),
    ]
    english = render(next(m for m in messages if m.language == "en"))
    assert "Tororo Youth Movement" in english.subject
    assert f"http://testserver{reverse('members:applications')}" in english.body
    french = render(next(m for m in messages if m.language == "fr"))
    assert "Tororo Youth Movement" in french.subject
    assert french.subject != english.subject


def test_an_application_to_the_international_alliance_reaches_the_convenors(
    uganda_coordinator, convenor, principles
):
    confirm(apply(None, principles, country="NP"))

    assert [m.to_email for m in told_of_application()] == [convenor.email]


def test_approval_email_links_to_the_organisations_profile(uganda, uganda_coordinator, principles):
    membership = apply(uganda, principles)
    confirm(membership)

    services.decide_membership(
        membership=membership, status=Membership.Status.APPROVED, decided_by=uganda_coordinator
    )

    (approval,) = OutgoingMessage.objects.filter(template="membership_approved")
    email = render(approval)
    profile = reverse("members:organisation", args=[membership.organisation.slug])
    for part in (email.body, email.alternatives[0][0]):
        assert f"http://testserver{profile}" in part
        assert not re.search(r"http://testserver/?[.\s<]", part), "a link to the home page"
