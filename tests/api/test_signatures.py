"""A partner records signatures it collected, through the web's signing service."""

import datetime as dt

import pytest
from django.utils import timezone

from alliance.core.api.models import IdempotentRequest
from alliance.core.api.scopes import Scope
from alliance.core.audit.models import AuditEntry
from members.models import Membership
from statements.models import Signature, SignOnRequest, Statement
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SignatureFactory,
    SignOnRequestFactory,
    StatementFactory,
)


def url(statement):
    return f"/api/v1/statements/{statement.pk}/signatures/"


def body(organisation, **fields):
    return {
        "organisation": organisation.pk,
        "signatory_name": "Sarah Chebet",
        "signatory_email": "sarah@kapchorwa.test",
        "signatory_title": "Chairperson",
        **fields,
    }


@pytest.fixture
def own_key(make_key, uganda_member):
    """The member's own system: it signs as the organisation."""
    return make_key(Scope.READ, Scope.WRITE_SIGNATURES, organisation=uganda_member)


@pytest.fixture
def open_to_members(db):
    return StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.MEMBERS)


@pytest.mark.django_db
def test_partner_signature_goes_through_the_signing_service(
    api, own_key, open_to_members, uganda_member
):
    response = api(own_key).post(
        url(open_to_members), body(uganda_member, listed_publicly=False), format="json"
    )
    assert response.status_code == 201, response.content
    signature = Signature.objects.get(statement=open_to_members, organisation=uganda_member)
    assert signature.source == Signature.Source.PARTNER
    assert signature.status == Signature.Status.CONFIRMED
    assert signature.listed_publicly is False
    assert response.json()["id"] == signature.pk
    assert response.json()["email"] == "sarah@kapchorwa.test"
    assert AuditEntry.objects.filter(action="signature.created").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "scopes", [[Scope.READ], [Scope.READ, Scope.READ_CONTACTS], [Scope.WRITE_MEMBERS]]
)
def test_posting_a_signature_needs_the_write_signatures_scope(
    api, make_key, open_to_members, uganda_member, scopes
):
    response = api(make_key(*scopes)).post(url(open_to_members), body(uganda_member))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert not Signature.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona",
    [
        "convenor",
        "superuser_convenor",
        "uganda_coordinator",
        "brazil_coordinator",
        "representative",
        "outsider",
    ],
)
def test_sessions_cannot_post_signatures(
    client_for, personas, persona, open_to_members, uganda_member
):
    response = client_for(personas[persona]).post(
        url(open_to_members), body(uganda_member), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_second_signature_of_an_organisation_is_refused(
    api, own_key, open_to_members, uganda_member
):
    SignatureFactory(statement=open_to_members, organisation=uganda_member)
    response = api(own_key).post(url(open_to_members), body(uganda_member), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_signed"
    assert open_to_members.signatures.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"status": Statement.Status.PUBLISHED},
        {"signon_closes_at": timezone.now() - dt.timedelta(minutes=1)},
    ],
)
def test_statement_outside_its_window_refuses_signatures(api, signing_key, uganda_member, fields):
    statement = StatementFactory(
        audience=Statement.Audience.MEMBERS,
        signon_opens_at=timezone.now() - dt.timedelta(days=5),
        **fields,
    )
    response = api(signing_key).post(url(statement), body(uganda_member), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "statement_not_open"
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_organisation_outside_the_audience_may_not_sign(api, own_key, uganda, uganda_member):
    invited_only = StatementFactory(audience=Statement.Audience.INVITED)
    response = api(own_key).post(url(invited_only), body(uganda_member), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_in_audience"
    SignOnRequestFactory(statement=invited_only, organisation=uganda_member)
    response = api(own_key).post(url(invited_only), body(uganda_member), format="json")
    assert response.status_code == 201
    assert SignOnRequest.objects.get().answer == SignOnRequest.Answer.SIGNED


@pytest.mark.django_db
def test_former_member_may_not_sign_a_statement_for_members(api, signing_key, uganda):
    former = OrganisationFactory()
    MembershipFactory(organisation=former, national_alliance=uganda, status=Membership.Status.LEFT)
    statement = StatementFactory(audience=Statement.Audience.MEMBERS)
    key_of_former = signing_key
    key_of_former.organisation = former
    key_of_former.save()
    response = api(key_of_former).post(url(statement), body(former), format="json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_draft_statement_is_not_found(api, signing_key, uganda_member):
    draft = StatementFactory(status=Statement.Status.DRAFT, audience=Statement.Audience.ANYONE)
    response = api(signing_key).post(url(draft), body(uganda_member), format="json")
    assert response.status_code == 404


@pytest.mark.django_db
def test_invalid_input_names_each_field(api, signing_key, open_to_members):
    response = api(signing_key).post(
        url(open_to_members), {"signatory_email": "not an address"}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"organisation", "signatory_name", "signatory_email"}


@pytest.mark.django_db
def test_organisation_the_key_cannot_see_is_a_field_error(api, signing_key, open_to_members):
    hidden = OrganisationFactory(listed_publicly=False)
    response = api(signing_key).post(url(open_to_members), body(hidden), format="json")
    assert response.status_code == 400
    assert "organisation" in response.json()["error"]["fields"]


# --- Idempotency-Key --------------------------------------------------------------------


@pytest.mark.django_db
def test_retry_with_the_same_key_returns_the_first_response(
    api, own_key, open_to_members, uganda_member
):
    client = api(own_key)
    first = client.post(
        url(open_to_members), body(uganda_member), format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    retry = client.post(
        url(open_to_members), body(uganda_member), format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert open_to_members.signatures.count() == 1


@pytest.mark.django_db
def test_same_idempotency_key_with_another_body_is_refused(
    api, signing_key, open_to_members, uganda_member
):
    client = api(signing_key)
    client.post(
        url(open_to_members), body(uganda_member), format="json", HTTP_IDEMPOTENCY_KEY="abc-2"
    )
    other = client.post(
        url(open_to_members),
        body(uganda_member, signatory_name="Someone Else"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc-2",
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.django_db
def test_idempotency_keys_belong_to_one_api_key(
    api, make_key, open_to_members, uganda_member, brazil_member
):
    open_to_members.audience = Statement.Audience.ANYONE
    open_to_members.save()
    one, other = make_key(Scope.WRITE_SIGNATURES), make_key(Scope.WRITE_SIGNATURES)
    api(one).post(
        url(open_to_members), body(uganda_member), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    response = api(other).post(
        url(open_to_members), body(brazil_member), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    # Keys acting for nobody: each signature waits for its signatory's address.
    assert response.status_code == 202
    assert response.json()["organisation"]["id"] == brazil_member.pk
    assert open_to_members.signatures.count() == 2


@pytest.mark.django_db
def test_refusals_are_replayed_too(api, own_key, open_to_members, uganda_member):
    SignatureFactory(statement=open_to_members, organisation=uganda_member)
    client = api(own_key)
    responses = [
        client.post(
            url(open_to_members), body(uganda_member), format="json", HTTP_IDEMPOTENCY_KEY="k"
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in responses] == [409, 409]
    assert responses[1].json() == responses[0].json()
    assert IdempotentRequest.objects.get().status_code == 409


@pytest.mark.django_db
def test_without_idempotency_key_a_retry_is_a_second_attempt(
    api, own_key, open_to_members, uganda_member
):
    client = api(own_key)
    client.post(url(open_to_members), body(uganda_member), format="json")
    retry = client.post(url(open_to_members), body(uganda_member), format="json")
    assert retry.status_code == 409
    assert not IdempotentRequest.objects.exists()


@pytest.mark.django_db
def test_kept_responses_are_forgotten_after_a_week(
    api, signing_key, open_to_members, uganda_member
):
    from alliance.core.api.tasks import forget_old_idempotent_requests

    api(signing_key).post(
        url(open_to_members), body(uganda_member), format="json", HTTP_IDEMPOTENCY_KEY="old"
    )
    api(signing_key).post(
        url(open_to_members), body(uganda_member), format="json", HTTP_IDEMPOTENCY_KEY="new"
    )
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(days=8)
    )
    assert forget_old_idempotent_requests() == 1
    assert forget_old_idempotent_requests() == 0
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
