"""The emails of publication (alliance.core.messagetexts: the thank-you and the notice) as a
channel: a counted-only signer's thank-you goes to its own address only, and nothing sent
to anyone else names it. Read from the real SMTP sink."""

import pytest

from statements import services
from statements.models import Statement
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    SignatureFactory,
    SignOnRequestFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db

AT_RISK_NAME = "Bangladesh Garment Workers' Solidarity Centre"


def test_publication_emails_name_a_counted_only_signer_to_itself_only(
    convenor, at_risk, smtp_email, django_capture_on_commit_callbacks
):
    statement = StatementFactory(status=Statement.Status.OPEN)
    listed = OrganisationFactory(name="Listed Cooperative")
    silent = OrganisationFactory(name="Silent Union")
    ContactFactory(organisation=silent, email="ops@silent.example", name="Sam")
    for organisation in (at_risk, listed, silent):
        SignOnRequestFactory(statement=statement, organisation=organisation)
    SignatureFactory(
        statement=statement,
        organisation=at_risk,
        signatory_name="Shirin Akter",
        email="shirin@bgwsc.example",
        listed_publicly=False,
    )
    SignatureFactory(
        statement=statement, organisation=listed, email="lee@listed.example", signatory_name="Lee"
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.publish(statement=statement, actor=convenor)

    received = smtp_email.wait_for(3)
    by_recipient = {email.message["To"].split("<")[-1].rstrip(">"): email for email in received}
    assert set(by_recipient) == {
        "shirin@bgwsc.example",
        "lee@listed.example",
        "ops@silent.example",
    }
    assert AT_RISK_NAME in by_recipient["shirin@bgwsc.example"].body
    for address in ("lee@listed.example", "ops@silent.example"):
        email = by_recipient[address]
        for part in (email.subject, email.body, email.html or ""):
            assert "Bangladesh Garment" not in part
            assert "Shirin" not in part
    # The count includes the counted-only signer, without its name.
    assert "signed by 2 organisations" in by_recipient["ops@silent.example"].body
