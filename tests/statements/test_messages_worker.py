"""Publication at the embargo, run by the real worker (Celery, Redis, PostgreSQL) with
the real SMTP server: every signer thanked and every other organisation asked told, each
once and in its language, even when the scan runs twice."""

import datetime as dt

import pytest
from django.utils import timezone

from statements import tasks
from statements.models import SignOnRequest
from tests.factories import SignatureFactory, SignOnRequestFactory
from tests.statements.conftest import DAVOS_FR

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_embargo_scan_thanks_signers_and_tells_the_others_once_in_their_language(
    smtp_server, open_statement, uganda_member, uganda_contacts, brazil_member, brazil_contact
):
    smtp_server.clear()
    jean = uganda_contacts[1]
    SignOnRequestFactory(
        statement=open_statement, organisation=uganda_member, answer=SignOnRequest.Answer.SIGNED
    )
    SignOnRequestFactory(statement=open_statement, organisation=brazil_member)
    SignatureFactory(
        statement=open_statement,
        organisation=uganda_member,
        contact=jean,
        email=jean.email,
        signatory_name=jean.name,
    )
    open_statement.embargo_until = timezone.now() - dt.timedelta(minutes=1)
    open_statement.signon_closes_at = timezone.now() - dt.timedelta(minutes=2)
    open_statement.signon_opens_at = timezone.now() - dt.timedelta(days=2)
    open_statement.save()

    tasks.publish_due_statements.delay()
    tasks.publish_due_statements.delay()

    received = smtp_server.wait_for(2, timeout=30)
    by_template = {email.key.split(":")[0]: email for email in received if email.key}
    thanks = by_template["statement-thanks"]
    assert thanks.message["To"].endswith("<jean@kapchorwa.test>")
    assert thanks.language == "fr"
    assert DAVOS_FR in thanks.subject
    assert "handover.pdf" in thanks.body
    notice = by_template["statement-published-notice"]
    assert notice.message["To"].endswith("<maria@mpa.test>")
    assert notice.language == "pt"
    assert brazil_member.name in notice.body
    # Nothing more arrives: each key was written once.
    import time

    time.sleep(3)
    assert sorted(smtp_server.key_counts().values()) == [1, 1]
