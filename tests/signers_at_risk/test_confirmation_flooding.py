"""The public form cannot be used to flood someone's inbox with confirmation emails."""

import pytest
from django.core import mail

from alliance.core.outbox.models import OutgoingMessage
from statements import services
from statements.models import Signature, Statement
from tests.factories import (
    OrganisationFactory,
    StatementFactory,
)
from tests.signers_at_risk.channels import (
    public_form,
)

# --- Confirmation emails: the public form cannot flood an inbox ----------------------------


@pytest.mark.django_db
def test_over_the_limits_no_confirmation_email_goes(client, settings, open_to_anyone):
    settings.PUBLIC_SIGNING_LIMITS = {
        "ip": 100,
        "email": 100,
        "window_seconds": 3600,
        "email_per_day": 2,
    }
    from django.core.cache import cache

    cache.clear()
    for n in range(4):
        statement = StatementFactory(
            status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE
        )
        public_form(
            client,
            statement,
            OrganisationFactory.build(name=f"Org {n}", country="KE"),
            email="victim@inbox.example",
        )
    services.process_public_submissions()
    sent = OutgoingMessage.objects.filter(to_email="victim@inbox.example").count()
    assert sent == 2
    flagged = Signature.objects.filter(email="victim@inbox.example", suspicious=True)
    assert flagged.count() == 2
    assert not mail.outbox or all("victim@inbox.example" not in m.to for m in mail.outbox[2:])
