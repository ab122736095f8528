"""What several browser tests start from, made once."""

import datetime as dt

from django.utils import timezone

from statements.models import Statement
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    SignOnRequestFactory,
    StatementFactory,
)
from tests.statements.conftest import add_texts


def statement_asking_the_cooperative():
    """An open statement (Davos, English and French, closing in five days) that asks the
    Kapchorwa Women Farmers Cooperative, whose contact is Jean Okello, to sign."""
    statement = StatementFactory(text=False, status=Statement.Status.OPEN, slug="davos-2026")
    statement.signon_closes_at = timezone.now() + dt.timedelta(days=5)
    statement.save()
    add_texts(statement)
    cooperative = OrganisationFactory(name="Kapchorwa Women Farmers Cooperative", country="UG")
    ContactFactory(organisation=cooperative, name="Jean Okello", email="jean@kapchorwa.test")
    SignOnRequestFactory(statement=statement, organisation=cooperative)
    return statement, cooperative
