"""The public form's "try again" page (the database did not answer) is a channel too: it
answers a stranger the same whether the organisation named has not signed, signed
listed or signed counted only."""

import pytest
from django.db import OperationalError
from django.test import Client

from statements import services
from statements.models import Statement
from tests.factories import StatementFactory
from tests.signers_at_risk.channels import STATES, public_form, sign_as, without_tokens


@pytest.mark.django_db
def test_the_try_again_page_answers_the_same_whatever_the_organisation_did(at_risk, monkeypatch):
    def database_down(**kwargs):
        raise OperationalError("the connection is closed")

    monkeypatch.setattr(services, "sign_publicly", database_down)
    client = Client(raise_request_exception=False)
    answers = []
    for state in STATES:
        statement = StatementFactory(
            status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE, slug="davos"
        )
        sign_as(statement, at_risk, state)
        page = public_form(client, statement, at_risk)
        assert page.status_code == 503
        answers.append(without_tokens(page.content.decode()))
        statement.signatures.all().delete()
        statement.delete()
    assert answers[0] == answers[1] == answers[2]
    assert "Shirin" not in answers[0]
