"""Journey 2 over HTTP: a non-member applies, confirms their address, and the national
coordinator decides; the permission matrix of the review queue."""

import re

import pytest

from alliance.core.outbox.models import OutgoingMessage
from members.models import Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, PrinciplesFactory


@pytest.fixture
def principles(db):
    PrinciplesFactory(version=1, language="en", title="Our shared principles")
    return PrinciplesFactory(version=1, language="fr", title="Nos principes partagés")


def application(**overrides):
    data = {
        "name": "Tororo Youth Movement",
        "short_name": "TYM",
        "kind": "movement",
        "country": "UG",
        "city": "Tororo",
        "website": "https://tororo-youth.example",
        "description": "Young people organising for public services.",
        "contact_name": "Okello James",
        "contact_email": "okello@tororo.example",
        "contact_role": "Coordinator",
        "contact_language": "fr",
        "principles_version": "1",
        "endorse": "on",
        "website_url": "",
    }
    data.update(overrides)
    return data


def test_the_form_shows_the_principles_in_the_visitors_language(client, principles):
    response = client.get("/members/join/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "Nos principes partagés" in response.content.decode()


def test_applying_creates_an_application_to_the_national_alliance(client, uganda, principles):
    response = client.post("/members/join/", application())
    assert response.status_code == 200
    membership = Membership.objects.get(organisation__name="Tororo Youth Movement")
    assert membership.national_alliance == uganda
    assert membership.status == Membership.Status.APPLIED
    assert OutgoingMessage.objects.filter(
        template="contact_verification", to_email="okello@tororo.example"
    ).exists()


def test_without_a_national_alliance_the_application_goes_to_the_international_one(
    client, principles
):
    client.post("/members/join/", application(country="NP", city="Kathmandu"))
    membership = Membership.objects.get(organisation__name="Tororo Youth Movement")
    assert membership.national_alliance is None


def test_not_endorsing_the_principles_is_an_error_and_creates_nothing(client, principles):
    response = client.post("/members/join/", application(endorse=""))
    assert response.status_code == 200
    assert "endorse" in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_a_stale_principles_version_must_be_read_again(client, uganda, principles):
    response = client.post("/members/join/", application(principles_version="0"))
    assert "updated" in str(response.context["form"].non_field_errors())
    assert not Membership.objects.exists()


def test_bots_filling_the_hidden_field_are_refused(client, uganda, principles):
    response = client.post("/members/join/", application(website_url="http://spam.example"))
    assert response.context["form"].errors
    assert not Organisation.objects.exists()


def test_a_duplicate_is_offered_instead_of_created_again(client, uganda, principles):
    existing = OrganisationFactory(
        name="Tororo Youth Movement", country="UG", website="https://tororo-youth.example"
    )
    MembershipFactory(organisation=existing, national_alliance=None)
    response = client.post("/members/join/", application())
    assert list(response.context["duplicates"]) == [existing]
    assert Organisation.objects.count() == 1

    client.post("/members/join/", application(same_as=str(existing.pk)))
    assert Organisation.objects.count() == 1
    assert Membership.objects.get(national_alliance=uganda).organisation == existing

    other = application(name="Tororo Youth Movement", website="", same_as="new", country="UG")
    client.post("/members/join/", other)
    assert Organisation.objects.count() == 2


@pytest.fixture
def confirmed_application(uganda, principles):
    membership = MembershipFactory(
        national_alliance=uganda,
        status=Membership.Status.APPLIED,
        joined_at=None,
        organisation=OrganisationFactory(name="Busia Women Traders"),
    )
    from django.utils import timezone

    from tests.factories import ContactFactory

    membership.endorsed_by = ContactFactory(
        organisation=membership.organisation, email_verified_at=timezone.now(), language="fr"
    )
    membership.save()
    return membership


@pytest.mark.parametrize(
    ("persona", "status", "sees_it"),
    [
        ("convenor", 200, True),
        ("superuser_convenor", 200, True),
        ("uganda_coordinator", 200, True),
        ("brazil_coordinator", 200, False),
        ("representative", 403, False),
        ("outsider", 403, False),
        ("anonymous", 302, False),
    ],
)
def test_review_queue_matrix(client_for, personas, confirmed_application, persona, status, sees_it):
    response = client_for(personas[persona]).get("/members/applications/")
    assert response.status_code == status
    assert ("Busia Women Traders" in response.content.decode()) is sees_it


@pytest.mark.parametrize(
    ("persona", "decided"),
    [
        ("convenor", True),
        ("superuser_convenor", True),
        ("uganda_coordinator", True),
        ("brazil_coordinator", False),
        ("representative", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_may_approve(client_for, personas, confirmed_application, persona, decided):
    client = client_for(personas[persona])
    client.post(f"/members/memberships/{confirmed_application.pk}/decide/", {"status": "approved"})
    confirmed_application.refresh_from_db()
    assert (confirmed_application.status == Membership.Status.APPROVED) is decided
    assert OutgoingMessage.objects.filter(template="membership_approved").exists() is decided


def test_declining_without_a_reason_changes_nothing(
    client, uganda_coordinator, confirmed_application
):
    client.force_login(uganda_coordinator)
    response = client.post(
        f"/members/memberships/{confirmed_application.pk}/decide/",
        {"status": "declined", "reason": ""},
        follow=True,
    )
    assert "reason" in response.content.decode()
    confirmed_application.refresh_from_db()
    assert confirmed_application.status == Membership.Status.APPLIED


def test_unconfirmed_applications_wait_apart(client, convenor, uganda, principles):
    client.post("/members/join/", application())
    client.force_login(convenor)
    response = client.get("/members/applications/")
    assert response.context["confirmed"] == []
    assert [m.organisation.name for m in response.context["unconfirmed"]] == [
        "Tororo Youth Movement"
    ]


def test_a_decision_shows_in_the_organisations_history(
    client, uganda_coordinator, confirmed_application
):
    client.force_login(uganda_coordinator)
    client.post(f"/members/memberships/{confirmed_application.pk}/decide/", {"status": "approved"})
    page = client.get(confirmed_application.organisation.get_absolute_url())
    assert "Membership approved" in page.content.decode()


def test_coordinator_suspends_a_member_from_its_page_and_returns_there(
    client, uganda_coordinator, uganda_member, representative
):
    membership = uganda_member.memberships.get()
    client.force_login(uganda_coordinator)
    page = client.get(uganda_member.get_absolute_url())
    assert "Change this membership" in page.content.decode()
    response = client.post(
        f"/members/memberships/{membership.pk}/decide/",
        {"status": "suspended", "reason": "Under review", "next": uganda_member.get_absolute_url()},
    )
    assert response["Location"] == uganda_member.get_absolute_url()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.SUSPENDED
    told = OutgoingMessage.objects.get(template="membership_suspended")
    assert told.to_email == representative.email
    assert told.context["reason"] == "Under review"


def test_decisions_never_redirect_to_another_site(client, convenor, uganda_member):
    membership = uganda_member.memberships.get()
    client.force_login(convenor)
    response = client.post(
        f"/members/memberships/{membership.pk}/decide/",
        {"status": "left", "next": "https://evil.example/phish"},
    )
    assert response["Location"] == "/members/applications/"


@pytest.mark.parametrize(
    ("persona", "offered"),
    [
        ("convenor", True),
        ("superuser_convenor", True),
        ("uganda_coordinator", True),
        ("brazil_coordinator", False),
        ("representative", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_is_offered_membership_decisions_on_the_page(
    client_for, personas, uganda_member, persona, offered
):
    page = client_for(personas[persona]).get(uganda_member.get_absolute_url())
    assert ("Change this membership" in page.content.decode()) is offered


def test_changing_a_membership_offers_no_default_decision(client, convenor, uganda_member):
    client.force_login(convenor)
    page = client.get(uganda_member.get_absolute_url()).content.decode()
    select = re.search(r'<select name="status"[^>]*>(.*?)</select>', page, re.S)
    assert "required" in select.group(0)
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', select.group(1))
    assert options[0][0] == "", "the first option is a prompt, not a decision"
    assert not any("selected" in attributes for value, attributes in options if value)


@pytest.mark.parametrize("status", ["suspended", "left"])
def test_every_negative_decision_from_the_page_needs_a_reason(
    client, convenor, uganda_member, status
):
    membership = uganda_member.memberships.get()
    client.force_login(convenor)
    client.post(f"/members/memberships/{membership.pk}/decide/", {"status": status, "reason": " "})
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    page = client.get("/members/applications/").content.decode()
    assert "Please give a reason" in page


def test_a_decision_without_a_choice_changes_nothing(client, convenor, uganda_member):
    membership = uganda_member.memberships.get()
    client.force_login(convenor)
    client.post(f"/members/memberships/{membership.pk}/decide/", {"status": "", "reason": "x"})
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
