"""Step 3: signing from the email link (no login) and from the statement page; one live
signature per organisation; declining; withdrawal."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from alliance.core.audit.models import AuditEntry
from statements import services
from statements.models import Signature, SignOnRequest
from statements.services import Signatory
from tests.factories import OrganisationFactory, SignOnRequestFactory

SIGNATURE = {
    "signatory_name": "Amina Nakato",
    "signatory_title": "Director",
    "email": "amina@kapchorwa.test",
    "visibility": "counted",
    "action": "sign",
}


@pytest.fixture
def signon_request(open_statement, uganda_member, uganda_contacts):
    return SignOnRequestFactory(statement=open_statement, organisation=uganda_member)


def link(signon_request, contact=None, lang=None):
    query = []
    if contact:
        query.append(f"contact={contact.pk}")
    if lang:
        query.append(f"lang={lang}")
    return f"/statements/s/{signon_request.token}/" + (f"?{'&'.join(query)}" if query else "")


def test_opening_the_link_shows_the_statement_and_a_prefilled_form_and_changes_nothing(
    client, signon_request, uganda_contacts
):
    jean = uganda_contacts[1]
    response = client.get(link(signon_request, jean, "fr"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "La société civile intensifie" in html
    assert 'value="jean@kapchorwa.test"' in html
    assert 'value="Jean Okello"' in html
    assert not Signature.objects.exists()
    signon_request.refresh_from_db()
    assert signon_request.answer == SignOnRequest.Answer.NO_REPLY


def test_the_link_does_not_prefill_a_contact_of_another_organisation(
    client, signon_request, brazil_contact
):
    html = client.get(link(signon_request, brazil_contact)).content.decode()
    assert "maria@mpa.test" not in html


def test_an_unknown_token_is_not_found(client, signon_request):
    assert client.get("/statements/s/not-a-token/").status_code == 404


def test_posting_the_form_signs_for_the_organisation_counted_only(
    client, signon_request, uganda_contacts, uganda_member
):
    response = client.post(link(signon_request, uganda_contacts[0]), SIGNATURE)
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.organisation == uganda_member
    assert signature.status == Signature.Status.CONFIRMED
    assert signature.listed_publicly is False
    assert signature.contact == uganda_contacts[0]
    assert signature.email_verified_at is not None
    assert signature.version == signon_request.statement.current_version()
    assert signature.source == Signature.Source.MEMBER
    signon_request.refresh_from_db()
    assert signon_request.answer == SignOnRequest.Answer.SIGNED
    assert AuditEntry.objects.filter(action="signature.created").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Amina Nakato signed for Kapchorwa Women Farmers Cooperative." in page


def test_with_moderation_the_signature_waits_for_a_moderator(client, signon_request):
    signon_request.statement.moderation = True
    signon_request.statement.save()
    client.post(link(signon_request), SIGNATURE)
    assert Signature.objects.get().status == Signature.Status.PENDING_MODERATION


def test_a_second_person_of_the_same_organisation_is_told_who_signed(
    client, signon_request, uganda_contacts
):
    services.sign(
        statement=signon_request.statement,
        organisation=signon_request.organisation,
        signatory=Signatory(name="Amina Nakato", email="amina@kapchorwa.test"),
    )
    # The second person had the page open before the first signed.
    response = client.post(
        link(signon_request, uganda_contacts[1]),
        {**SIGNATURE, "signatory_name": "Jean Okello", "email": "jean@kapchorwa.test"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Amina Nakato signed this statement for Kapchorwa Women Farmers Cooperative" in html
    assert Signature.objects.count() == 1


def test_the_service_refuses_a_second_live_signature_with_the_first(signon_request):
    first = services.sign(
        statement=signon_request.statement,
        organisation=signon_request.organisation,
        signatory=Signatory(name="Amina Nakato", email="amina@kapchorwa.test"),
    )
    with pytest.raises(services.AlreadySigned) as refusal:
        services.sign(
            statement=signon_request.statement,
            organisation=signon_request.organisation,
            signatory=Signatory(name="Jean Okello", email="jean@kapchorwa.test"),
        )
    assert refusal.value.signature == first


def test_declining_records_the_answer_and_signs_nothing(client, signon_request):
    response = client.post(link(signon_request), {"action": "decline"})
    assert response.status_code == 302
    signon_request.refresh_from_db()
    assert signon_request.answer == SignOnRequest.Answer.DECLINED
    assert not Signature.objects.exists()
    assert AuditEntry.objects.filter(action="signon_request.declined").exists()


def test_withdrawing_from_the_link_is_audited_and_allows_signing_again(client, signon_request):
    client.post(link(signon_request), SIGNATURE)
    response = client.post(link(signon_request), {"action": "withdraw"})
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.WITHDRAWN
    entry = AuditEntry.objects.get(action="signature.withdrawn")
    assert "by the link sent to" in entry.actor_label
    signon_request.refresh_from_db()
    assert signon_request.answer == SignOnRequest.Answer.DECLINED
    client.post(link(signon_request), SIGNATURE)
    assert Signature.objects.live().count() == 1


def test_the_link_of_a_closed_statement_signs_nothing(client, signon_request):
    signon_request.statement.status = "published"
    signon_request.statement.save()
    response = client.post(link(signon_request), SIGNATURE)
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_after_the_deadline_nobody_can_sign(client, signon_request):
    from django.utils import timezone

    statement = signon_request.statement
    statement.signon_opens_at = timezone.now() - timezone.timedelta(days=3)
    statement.signon_closes_at = timezone.now() - timezone.timedelta(minutes=1)
    statement.save()
    response = client.post(link(signon_request), SIGNATURE)
    assert response.status_code == 400
    assert "deadline" in response.content.decode()


def test_a_logged_in_representative_signs_from_the_statement_page(
    client, representative, open_statement, uganda_member
):
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member)
    client.force_login(representative)
    page = client.get(f"/statements/{open_statement.slug}/").content.decode()
    assert 'value="rep@kapchorwa.test"' in page
    response = client.post(
        f"/statements/{open_statement.slug}/sign/",
        {**SIGNATURE, "signatory_name": "Sarah Chebet", "email": "rep@kapchorwa.test"},
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.organisation, signature.signatory_name) == (uganda_member, "Sarah Chebet")
    entry = AuditEntry.objects.get(action="signature.created")
    assert entry.actor == representative


def test_a_superuser_who_represents_no_organisation_sees_no_form_on_an_open_statement(
    client, superuser_convenor, open_statement
):
    # A superuser holds every permission, signing included, but has no organisation.
    client.force_login(superuser_convenor)

    response = client.get(f"/statements/{open_statement.slug}/")

    assert response.status_code == 200
    assert 'class="form statement-sign"' not in response.content.decode()


def test_a_superuser_who_represents_no_organisation_cannot_sign(
    client, superuser_convenor, open_statement
):
    client.force_login(superuser_convenor)

    response = client.post(f"/statements/{open_statement.slug}/sign/", SIGNATURE)

    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_a_representative_withdraws_their_organisations_signature(
    client, representative, open_statement, uganda_member
):
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member)
    client.force_login(representative)
    client.post(f"/statements/{open_statement.slug}/sign/", SIGNATURE)
    signature = Signature.objects.get()
    response = client.post(f"/statements/signatures/{signature.pk}/withdraw/")
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.status == Signature.Status.WITHDRAWN
    assert AuditEntry.objects.get(action="signature.withdrawn").actor == representative


def test_a_representative_cannot_withdraw_another_organisations_signature(
    client, representative, open_statement, brazil_member
):
    from tests.factories import SignatureFactory

    signature = SignatureFactory(statement=open_statement, organisation=brazil_member)
    client.force_login(representative)
    response = client.post(f"/statements/signatures/{signature.pk}/withdraw/")
    assert response.status_code == 403
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED


def test_a_signature_made_with_an_address_unknown_to_the_organisation_is_not_verified(
    signon_request,
):
    signature = services.sign(
        statement=signon_request.statement,
        organisation=signon_request.organisation,
        signatory=Signatory(name="Someone Else", email="someone@elsewhere.test"),
    )
    assert signature.contact is None
    assert signature.email_verified_at is None


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="concurrency needs Postgres (SQLite serialises writers)",
)
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_posts_for_one_organisation_make_one_signature_and_49_answers():
    from django.test import Client

    from statements.models import Statement
    from tests.factories import StatementFactory

    statement = StatementFactory(status=Statement.Status.OPEN)
    organisation = OrganisationFactory(name="Busy Office")
    signon_request = SignOnRequestFactory(statement=statement, organisation=organisation)
    people = 50
    barrier = threading.Barrier(people)
    statuses: list[int] = []
    answers: list[str] = []

    def submit(n):
        client = Client()
        try:
            barrier.wait()
            response = client.post(
                link(signon_request),
                {**SIGNATURE, "signatory_name": f"Person {n}", "email": f"p{n}@office.test"},
            )
            statuses.append(response.status_code)
            if response.status_code == 409:
                answers.append(response.content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    signature = Signature.objects.get(statement=statement)
    assert sorted(statuses) == [302] + [409] * (people - 1)
    assert all(
        f"{signature.signatory_name} signed this statement for" in answer for answer in answers
    )
    assert connection.vendor == "postgresql"
