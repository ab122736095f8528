"""A small directory for the bulk actions: two Ugandan members, one Brazilian, and the
things to act with (a focus area, an open statement, a Ugandan convening)."""

import pytest

from statements.models import Statement
from tests.factories import (
    ContactFactory,
    ConveningFactory,
    FocusAreaFactory,
    MembershipFactory,
    OrganisationFactory,
    StatementFactory,
)


@pytest.fixture
def second_uganda_member(uganda):
    organisation = OrganisationFactory(name="Gulu Youth Voice", kind="grassroots", country="UG")
    MembershipFactory(organisation=organisation, national_alliance=uganda)
    return organisation


@pytest.fixture
def selection(uganda_member, second_uganda_member, brazil_member):
    """The three organisations ticked, in the order of their ids."""
    organisations = [uganda_member, second_uganda_member, brazil_member]
    for organisation in organisations:
        ContactFactory(
            organisation=organisation,
            email=f"contact@{organisation.slug}.test",
            authorised_to_sign=True,
        )
    return organisations


@pytest.fixture
def gender(db):
    return FocusAreaFactory(slug="gender", name="Gender", translations={"fr": "Genre"})


@pytest.fixture
def open_statement(db):
    return StatementFactory(
        status=Statement.Status.OPEN,
        coordinators_may_circulate=True,
        text__title="Tax the richest one per cent",
    )


@pytest.fixture
def uganda_convening(uganda):
    return ConveningFactory(national_alliance=uganda, title="Kampala assembly")
