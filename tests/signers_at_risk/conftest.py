"""An open statement and an organisation at risk (the personas, a superuser convenor
included, are the shared ones: tests/fixtures/personas.py)."""

import pytest

from statements.models import Statement
from tests.factories import ContactFactory, OrganisationFactory, StatementFactory

# Rate counters fresh for each test, as for every statement test.
from tests.statements.conftest import fresh_rate_counters  # noqa: F401


@pytest.fixture
def open_to_anyone(db):
    return StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)


@pytest.fixture
def at_risk(uganda):
    """A member that works where civic space is shrinking: not in the public directory."""
    from tests.factories import MembershipFactory

    organisation = OrganisationFactory(
        name="Bangladesh Garment Workers' Solidarity Centre", country="BD", listed_publicly=False
    )
    MembershipFactory(organisation=organisation, national_alliance=uganda)
    ContactFactory(organisation=organisation, email="shirin@bgwsc.example", name="Shirin Akter")
    return organisation
