"""Signatures and RSVPs posted through OSDI land as the web's do: the same services,
rules, audit; reruns are idempotent; bad input gets a clear 4xx."""

import datetime as dt

import pytest
from django.utils import timezone

from alliance.core.audit.models import AuditEntry
from campaigns.models import Invitation
from statements.models import Signature, Statement
from tests.factories import ContactFactory, StatementFactory

pytestmark = pytest.mark.django_db


def person_link(contact) -> dict:
    return {"_links": {"osdi:person": {"href": f"http://testserver/osdi/v1/people/{contact.pk}"}}}


def post_signature(client, statement, body, **headers):
    return client.post(
        f"/osdi/v1/petitions/{statement.pk}/signatures", body, format="json", **headers
    )


def test_signature_for_a_person_signs_for_their_organisation(osdi_world, osdi_keys, osdi):
    statement, contact = osdi_world["open"], osdi_world["listed"][0].contact
    answer = post_signature(osdi(osdi_keys["convenor"]), statement, person_link(contact))
    assert answer.status_code == 201
    signature = Signature.objects.get(statement=statement)
    assert signature.organisation == contact.organisation
    assert (signature.signatory_name, signature.email) == (contact.name, contact.email)
    assert signature.source == Signature.Source.PARTNER
    assert signature.status == Signature.Status.CONFIRMED
    assert answer.json()["identifiers"] == [f"alliance_hub:{signature.pk}"]
    assert answer.json()["_links"]["self"]["href"].endswith(
        f"/petitions/{statement.pk}/signatures/{signature.pk}"
    )
    assert AuditEntry.objects.filter(object_id=str(signature.pk)).exists()


def test_second_post_for_the_same_organisation_answers_the_signature(osdi_world, osdi_keys, osdi):
    statement, contact = osdi_world["open"], osdi_world["listed"][0].contact
    client = osdi(osdi_keys["convenor"])
    first = post_signature(client, statement, person_link(contact))
    again = post_signature(client, statement, person_link(contact))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["identifiers"] == first.json()["identifiers"]
    assert Signature.objects.filter(statement=statement).count() == 1


def test_idempotency_key_replays_the_first_answer(osdi_world, osdi_keys, osdi):
    statement, contact = osdi_world["open"], osdi_world["listed"][0].contact
    client = osdi(osdi_keys["convenor"])
    first = post_signature(client, statement, person_link(contact), HTTP_IDEMPOTENCY_KEY="k1")
    again = post_signature(client, statement, person_link(contact), HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"


def test_record_signature_helper_matches_exactly_one_contact(osdi_world, osdi_keys, osdi):
    statement, contact = osdi_world["open"], osdi_world["listed"][1].contact
    client = osdi(osdi_keys["convenor"])
    helper = f"/osdi/v1/petitions/{statement.pk}/record_signature_helper"
    inline = {"person": {"email_addresses": [{"address": contact.email.upper()}]}}
    assert client.post(helper, inline, format="json").status_code == 201
    nobody = {"person": {"email_addresses": [{"address": "nobody@example.org"}]}}
    answer = client.post(helper, nobody, format="json")
    assert answer.status_code == 400
    assert answer.json()["resource_status"][0]["error_descriptions"][0]["error_code"] == (
        "person_not_found"
    )
    ContactFactory(organisation=osdi_world["listed"][2].organisation, email="shared@example.org")
    ContactFactory(organisation=osdi_world["hidden_org"], email="shared@example.org")
    ContactFactory(organisation=osdi_world["listed"][0].organisation, email="shared@example.org")
    twice = {"person": {"email_addresses": [{"address": "shared@example.org"}]}}
    answer = client.post(helper, twice, format="json")
    assert answer.status_code == 400
    assert answer.json()["resource_status"][0]["error_descriptions"][0]["error_code"] == (
        "ambiguous_person"
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        {"person": {"email_addresses": "x"}},
        {"_links": {"osdi:person": {"href": "http://x/people/abc"}}},
        {"_links": {"osdi:person": {"href": "http://x/people/99999999999999999999"}}},
        {
            "_links": {"osdi:person": {"href": "http://x/people/1"}},
            "alliance_hub:listed_publicly": "no",
        },
    ],
)
def test_bad_signature_bodies_get_a_clear_400(osdi_world, osdi_keys, osdi, body):
    answer = post_signature(osdi(osdi_keys["convenor"]), osdi_world["open"], body)
    assert answer.status_code == 400, answer.json()
    assert answer.json()["error"]


def test_the_same_rules_as_the_web(osdi_world, osdi_keys, osdi, uganda):
    contact = osdi_world["listed"][0].contact
    client = osdi(osdi_keys["convenor"])
    invited_only = StatementFactory(
        status=Statement.Status.OPEN, audience=Statement.Audience.INVITED
    )
    answer = post_signature(client, invited_only, person_link(contact))
    assert answer.status_code == 403
    assert answer.json()["resource_status"][0]["error_descriptions"][0]["error_code"] == (
        "not_in_audience"
    )
    closed = StatementFactory(
        status=Statement.Status.OPEN,
        audience=Statement.Audience.ANYONE,
        signon_closes_at=timezone.now() - dt.timedelta(hours=1),
    )
    answer = post_signature(client, closed, person_link(contact))
    assert answer.status_code == 409
    assert answer.json()["resource_status"][0]["error_descriptions"][0]["error_code"] == (
        "statement_not_open"
    )


def rsvp(client, osdi_world, status, contact=None):
    contact = contact or osdi_world["rep_contact"]
    return client.post(
        f"/osdi/v1/events/{osdi_world['convening'].pk}/attendances",
        {"status": status, **person_link(contact)},
        format="json",
    )


def test_rsvp_answers_the_invitation_through_the_rsvp_service(osdi_world, osdi_keys, osdi):
    client = osdi(osdi_keys["convenor"])
    answer = rsvp(client, osdi_world, "accepted")
    assert answer.status_code == 200
    assert answer.json()["status"] == "accepted"
    invitation = Invitation.objects.get(pk=osdi_world["invitation"].pk)
    assert invitation.answer == Invitation.Answer.YES
    assert invitation.delegates == ["Sarah Chebet"]
    assert AuditEntry.objects.filter(action="invitation.answered").count() == 1
    assert rsvp(client, osdi_world, "declined").json()["status"] == "declined"
    invitation.refresh_from_db()
    assert (invitation.answer, invitation.delegates) == (Invitation.Answer.NO, [])


def test_rsvp_by_the_organisations_own_key(osdi_world, issue_key, osdi):
    from alliance.core.api.scopes import Scope

    own = issue_key(
        Scope.READ, Scope.READ_CONTACTS, Scope.WRITE_ATTENDANCES, organisation=osdi_world["member"]
    )
    assert rsvp(osdi(own), osdi_world, "tentative").status_code == 200
    assert Invitation.objects.get(pk=osdi_world["invitation"].pk).answer == Invitation.Answer.MAYBE


def test_rsvp_refusals(osdi_world, osdi_keys, osdi):
    client = osdi(osdi_keys["convenor"])
    for bad in ("needs action", "yes", None, ["accepted"]):
        assert rsvp(client, osdi_world, bad).status_code == 400
    not_invited = osdi_world["listed"][0].contact
    assert rsvp(client, osdi_world, "accepted", contact=not_invited).status_code == 404
    convening = osdi_world["convening"]
    convening.rsvp_deadline = timezone.now() - dt.timedelta(hours=1)
    convening.save()
    answer = rsvp(client, osdi_world, "accepted")
    assert answer.status_code == 409
    assert answer.json()["resource_status"][0]["error_descriptions"][0]["error_code"] == (
        "rsvp_refused"
    )


def test_a_statement_under_moderation_holds_the_signature_as_the_web_does(
    osdi_world, osdi_keys, osdi
):
    statement = StatementFactory(
        status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE, moderation=True
    )
    contact = osdi_world["listed"][0].contact
    answer = post_signature(osdi(osdi_keys["convenor"]), statement, person_link(contact))
    assert answer.status_code == 201
    assert answer.json()["alliance_hub:status"] == Signature.Status.PENDING_MODERATION
    # Not counted, not listed while it waits.
    public = osdi(osdi_keys["public"]).get(f"/osdi/v1/petitions/{statement.pk}/signatures")
    assert public.json()["total_records"] == 0
