"""A small alliance to read through OSDI, and the keys of the permission matrix."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from alliance.api.models import ApiKey
from alliance.api.scopes import Scope
from campaigns.models import Invitation
from statements.models import Statement
from tests.factories import (
    ContactFactory,
    ConveningFactory,
    FocusAreaFactory,
    InvitationFactory,
    OrganisationFactory,
    SignatureFactory,
    StatementFactory,
)

EVERY_READ = [Scope.READ, Scope.READ_CONTACTS]
EVERY_WRITE = [Scope.WRITE_SIGNATURES, Scope.WRITE_ATTENDANCES]


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issue(db):
    def make(*scopes, acting_for=None, organisation=None, partner_name="Sync script"):
        key, secret = ApiKey.issue(
            partner_name=partner_name,
            scopes=list(scopes),
            acting_for=acting_for,
            organisation=organisation,
        )
        key.secret = secret
        return key

    return make


@pytest.fixture
def keys(issue, convenor, uganda_coordinator):
    """The permission matrix's keys, by name (None: no key)."""
    return {
        "convenor": issue(*EVERY_READ, *EVERY_WRITE, Scope.READ_UNLISTED, acting_for=convenor),
        "coordinator": issue(*EVERY_READ, *EVERY_WRITE, acting_for=uganda_coordinator),
        "public": issue(Scope.READ),
        "no_contacts": issue(Scope.READ, *EVERY_WRITE),
        "none": None,
    }


@pytest.fixture
def osdi():
    """osdi(key) -> a client sending the key as OSDI clients do (no key for None)."""

    def client_with(key=None):
        client = APIClient()
        if key is not None:
            client.credentials(HTTP_OSDI_API_TOKEN=key.secret)
        return client

    return client_with


@pytest.fixture
def world(uganda, uganda_member, representative):
    """A published statement with listed and counted-only signatures, an open one, a
    convening with an invitation, contacts (one erased) and focus areas."""
    gender = FocusAreaFactory(name="Gender", slug="gender")
    FocusAreaFactory(name="Tax justice", slug="tax-justice")
    published = StatementFactory(
        status=Statement.Status.PUBLISHED, audience=Statement.Audience.ANYONE
    )
    published.focus_areas.add(gender)
    open_statement = StatementFactory(
        status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE
    )
    from tests.factories import MembershipFactory

    listed = []
    for number in range(3):
        organisation = OrganisationFactory(name=f"Listed member {number}")
        MembershipFactory(organisation=organisation, national_alliance=uganda)
        contact = ContactFactory(organisation=organisation, name=f"Ana Listed{number}")
        listed.append(
            SignatureFactory(statement=published, organisation=organisation, contact=contact)
        )
    hidden_org = OrganisationFactory(name="Counted Only Collective", listed_publicly=False)
    MembershipFactory(organisation=hidden_org, national_alliance=uganda)
    hidden_contact = ContactFactory(organisation=hidden_org, name="Hidden Person")
    hidden = SignatureFactory(
        statement=published, organisation=hidden_org, contact=hidden_contact, listed_publicly=False
    )
    erased = ContactFactory(organisation=uganda_member, name="", email="")
    erased.erased_at = erased.created_at
    erased.save()
    convening = ConveningFactory(national_alliance=uganda, title="Kampala assembly")
    invitation = InvitationFactory(convening=convening, organisation=uganda_member)
    rep_contact = uganda_member.contacts.get(user=representative)
    invitation.contacts.add(rep_contact)
    return {
        "published": published,
        "open": open_statement,
        "listed": listed,
        "hidden": hidden,
        "hidden_org": hidden_org,
        "erased": erased,
        "convening": convening,
        "invitation": invitation,
        "rep_contact": rep_contact,
        "member": uganda_member,
        "answer": Invitation.Answer,
    }


@pytest.fixture
def api_client_bearer():
    def client_with(key):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.secret}")
        return client

    return client_with
