"""Applying to join in the name of an organisation already recorded: the join page offers
only the organisations the applicant may see in the directory, never names a hidden one
or a membership's status, and the applicant becomes one of the organisation's people
only once their address proves to be a contact's or a reviewer approves."""

import pytest

from alliance.core.outbox.models import OutgoingMessage
from members.models import Contact, Membership
from tests.factories import (
    ContactFactory,
    MembershipFactory,
    OrganisationFactory,
    PrinciplesFactory,
)
from tests.test_joining import application

APPLICANT = "okello@tororo.example"


@pytest.fixture
def principles(db):
    return PrinciplesFactory(version=1, language="en")


@pytest.fixture
def unlisted_member(uganda):
    """An organisation at risk: an approved member, hidden from the public directory."""
    organisation = OrganisationFactory(
        name="Tororo Youth Movement", country="UG", city="Tororo", listed_publicly=False
    )
    MembershipFactory(organisation=organisation, national_alliance=uganda)
    return organisation


@pytest.fixture
def former_member(uganda):
    """Listed publicly, but with no live membership: not in the directory either."""
    organisation = OrganisationFactory(name="Tororo Youth Movement", country="UG", city="Tororo")
    MembershipFactory(organisation=organisation, national_alliance=uganda, status="left")
    return organisation


@pytest.fixture
def listed_member(uganda):
    """In the public directory as a member of the international alliance: applying to
    the Ugandan one in its name is a real application."""
    organisation = OrganisationFactory(
        name="Tororo Youth Movement",
        country="UG",
        city="Tororo",
        website="https://tororo-youth.example",
    )
    MembershipFactory(organisation=organisation, national_alliance=None)
    ContactFactory(organisation=organisation, name="Amina Achieng", email="amina@tororo.example")
    return organisation


def applied_for(organisation, uganda):
    return Membership.objects.filter(
        organisation=organisation, national_alliance=uganda, status="applied"
    ).first()


@pytest.mark.parametrize("hidden", ["unlisted_member", "former_member"])
def test_the_join_page_never_offers_an_organisation_hidden_from_the_directory(
    client, request, uganda, principles, hidden
):
    organisation = request.getfixturevalue(hidden)

    response = client.post("/members/join/", application(website=""))

    assert f'value="{organisation.pk}"' not in response.content.decode()
    # Applied as a new organisation: the hidden one is left as it was.
    assert not organisation.contacts.filter(email=APPLICANT).exists()
    assert Contact.objects.filter(email=APPLICANT).exclude(organisation=organisation).exists()


@pytest.mark.parametrize("hidden", ["unlisted_member", "former_member"])
def test_same_as_a_hidden_organisation_is_refused_without_naming_it(
    client, request, uganda, principles, hidden
):
    organisation = request.getfixturevalue(hidden)
    before = list(organisation.memberships.values_list("pk", "status"))

    response = client.post(
        "/members/join/", application(name="Anything", same_as=str(organisation.pk))
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert organisation.name not in page
    assert "approved" not in page and "(left)" not in page
    assert list(organisation.memberships.values_list("pk", "status")) == before
    assert not organisation.contacts.filter(email=APPLICANT).exists()
    assert not OutgoingMessage.objects.filter(to_email=APPLICANT).exists()


def test_an_unknown_organisation_id_is_refused_like_a_hidden_one(client, uganda, principles):
    response = client.post("/members/join/", application(same_as="999999"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Membership.objects.exists()


def test_refusal_for_a_live_membership_does_not_tell_its_status(client, uganda, principles):
    organisation = OrganisationFactory(name="Tororo Youth Movement", country="UG")
    MembershipFactory(organisation=organisation, national_alliance=uganda, status="approved")

    response = client.post("/members/join/", application(same_as=str(organisation.pk)))

    errors = " ".join(response.context["form"].non_field_errors())
    assert "cannot apply there" in errors
    assert "approved" not in errors.lower()
    assert not organisation.contacts.filter(email=APPLICANT).exists()


def _confirm_address(client):
    path = OutgoingMessage.objects.filter(to_email__iexact=APPLICANT).latest("pk").context["path"]
    assert client.post(path).status_code == 200


def test_applicant_who_is_not_a_contact_is_not_made_one_by_applying(
    client, uganda, principles, listed_member, uganda_coordinator
):
    client.post("/members/join/", application(same_as=str(listed_member.pk)))
    _confirm_address(client)

    membership = applied_for(listed_member, uganda)
    assert membership is not None
    assert not listed_member.contacts.filter(email=APPLICANT).exists()
    assert membership.endorsed_by is None
    # The reviewers see it, with who applied and that they are not one of its people.
    client.force_login(uganda_coordinator)
    queue = client.get("/members/applications/")
    assert [m.pk for m in queue.context["confirmed"]] == [membership.pk]
    assert APPLICANT in queue.content.decode()
    assert "not one of its contacts" in queue.content.decode()


@pytest.mark.parametrize(
    ("persona", "admitted"),
    [("convenor", True), ("uganda_coordinator", True), ("brazil_coordinator", False)],
)
def test_approval_by_a_reviewer_makes_the_applicant_a_contact(
    client, client_for, personas, uganda, principles, listed_member, persona, admitted
):
    client.post("/members/join/", application(same_as=str(listed_member.pk)))
    _confirm_address(client)
    membership = applied_for(listed_member, uganda)

    client_for(personas[persona]).post(
        f"/members/memberships/{membership.pk}/decide/", {"status": "approved"}
    )

    membership.refresh_from_db()
    contact = listed_member.contacts.filter(email=APPLICANT).first()
    assert (contact is not None) is admitted
    assert (membership.status == Membership.Status.APPROVED) is admitted
    if admitted:
        assert membership.endorsed_by == contact
        assert contact.email_verified_at is not None
        assert OutgoingMessage.objects.filter(
            to_email=APPLICANT, template="membership_approved"
        ).exists()


def test_declined_applicant_hears_it_and_is_never_made_a_contact(
    client, client_for, uganda, uganda_coordinator, principles, listed_member
):
    client.post("/members/join/", application(same_as=str(listed_member.pk)))
    _confirm_address(client)
    membership = applied_for(listed_member, uganda)

    client_for(uganda_coordinator).post(
        f"/members/memberships/{membership.pk}/decide/",
        {"status": "declined", "reason": "The organisation does not know you."},
    )

    assert not listed_member.contacts.filter(email=APPLICANT).exists()
    declined = OutgoingMessage.objects.get(template="membership_declined")
    assert declined.to_email == APPLICANT
    assert not OutgoingMessage.objects.filter(
        to_email="amina@tororo.example", template="membership_declined"
    ).exists()


def test_applicant_with_a_contacts_address_is_that_contact_once_they_confirm_it(
    client, convenor, uganda, principles, listed_member
):
    amina = listed_member.contacts.get()
    amina.email_verified_at = amina.created_at
    amina.save()

    client.post(
        "/members/join/",
        application(same_as=str(listed_member.pk), contact_email="Amina@Tororo.example"),
    )
    membership = applied_for(listed_member, uganda)
    client.force_login(convenor)
    # Naming a verified contact's address proves nothing until its link is followed.
    assert client.get("/members/applications/").context["confirmed"] == []
    client.logout()

    path = OutgoingMessage.objects.get(to_email="Amina@Tororo.example").context["path"]
    client.post(path)

    membership.refresh_from_db()
    assert membership.endorsed_by == amina
    assert listed_member.contacts.count() == 1
    client.force_login(convenor)
    assert [m.pk for m in client.get("/members/applications/").context["confirmed"]] == [
        membership.pk
    ]
