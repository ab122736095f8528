"""A change of text after signatures exist: the signers are asked to confirm the new
version; they stay counted until they withdraw, or, if the convenor chose so, until the
statement is published without their confirmation."""

import pytest

from alliance.core.audit.models import AuditEntry
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from statements import services
from statements.models import Signature
from statements.services import TextInput
from tests.factories import SignatureFactory, SignOnRequestFactory


def change_text(statement, author, note="New figures"):
    texts = [
        TextInput(language=t.language, title=t.title, summary=t.summary, body=t.body + " More.")
        for t in statement.current_version().texts.all()
    ]
    return services.save_statement(statement=statement, texts=texts, author=author, note=note)


@pytest.fixture
def signed(open_statement, uganda_member, uganda_contacts):
    request = SignOnRequestFactory(statement=open_statement, organisation=uganda_member)
    signature = SignatureFactory(
        statement=open_statement,
        organisation=uganda_member,
        contact=uganda_contacts[1],  # Jean, who reads French
        signatory_name="Jean Okello",
        email="jean@kapchorwa.test",
    )
    return request, signature


def test_signers_of_the_earlier_text_are_asked_to_confirm_in_their_language(convenor, signed):
    request, signature = signed
    change_text(request.statement, convenor)
    message = OutgoingMessage.objects.get(template="statement_text_changed")
    assert (message.to_email, message.language) == ("jean@kapchorwa.test", "fr")
    email = render(message)
    assert f"http://testserver/statements/s/{request.token}/?lang=fr" in email.body
    assert "New figures" in email.body


def test_confirming_from_the_link_moves_the_signature_to_the_new_version(client, convenor, signed):
    request, signature = signed
    change_text(request.statement, convenor)
    page = client.get(f"/statements/s/{request.token}/").content.decode()
    assert "The text has changed since your organisation signed." in page
    client.post(f"/statements/s/{request.token}/", {"action": "confirm"})
    signature.refresh_from_db()
    assert signature.version.number == 2
    assert AuditEntry.objects.filter(action="signature.confirmed_again").exists()


def test_a_representative_confirms_from_the_statement_page(
    client, convenor, representative, signed
):
    request, signature = signed
    change_text(request.statement, convenor)
    client.force_login(representative)
    response = client.post(f"/statements/signatures/{signature.pk}/confirm/")
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.version.number == 2


def test_a_convenor_cannot_confirm_for_an_organisation(client, convenor, signed):
    request, signature = signed
    change_text(request.statement, convenor)
    client.force_login(convenor)
    assert client.post(f"/statements/signatures/{signature.pk}/confirm/").status_code == 403


def test_unconfirmed_signatures_stay_counted_by_default(convenor, signed):
    request, signature = signed
    change_text(request.statement, convenor)
    services.publish(statement=request.statement)
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED


def test_unconfirmed_signatures_lapse_at_publication_when_the_convenor_chose_so(
    convenor, signed, brazil_member
):
    request, signature = signed
    statement = request.statement
    statement.unconfirmed_count_after_change = False
    statement.save()
    change_text(statement, convenor)
    confirmed_later = SignatureFactory(statement=statement, organisation=brazil_member)
    services.publish(statement=statement)
    signature.refresh_from_db()
    confirmed_later.refresh_from_db()
    assert signature.status == Signature.Status.WITHDRAWN
    assert confirmed_later.status == Signature.Status.CONFIRMED
    assert AuditEntry.objects.filter(action="signature.lapsed").count() == 1
