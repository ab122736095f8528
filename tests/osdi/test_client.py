"""End to end with the client Action Network integrations use: parsons' ActionNetwork
connector (PyPI `parsons`, unmodified) against a live server.

parsons has no setting for the server: its constructor takes only the token and points
its public `api` connector at Action Network. The test points it here by giving the
client a new `APIConnector` (parsons' own public class) for our base URL, with the
client's own headers (OSDI-API-Token). parsons' `create_signature` and
`create_attendance` send their payload as URL query parameters rather than as the body
(`post_request(params=...)`), so no server can read the person's link from them; the
posts here go through the same client's connector with the payload as the JSON body."""

import pytest
from parsons import ActionNetwork
from parsons.utilities.api_connector import APIConnector
from requests import HTTPError

from alliance.core.api.scopes import Scope
from campaigns.models import Invitation
from statements.models import Signature, Statement
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SignatureFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(live_server, secret: str) -> ActionNetwork:
    client = ActionNetwork(api_token=secret)
    client.api_url = f"{live_server.url}/osdi/v1"
    client.api = APIConnector(client.api_url, headers=client.headers)
    return client


def test_an_action_network_client_syncs_and_posts(live_server, osdi_world, convenor, uganda):
    published = osdi_world["published"]
    for number in range(27):  # two pages of signatures, then the empty page
        organisation = OrganisationFactory(name=f"Synced member {number}")
        MembershipFactory(organisation=organisation, national_alliance=uganda)
        SignatureFactory(statement=published, organisation=organisation)
    for _ in range(25):  # two pages of petitions
        StatementFactory(status=Statement.Status.PUBLISHED, audience=Statement.Audience.ANYONE)
    from alliance.core.api.models import ApiKey

    _, secret = ApiKey.issue(
        partner_name="Action Network sync",
        scopes=[Scope.READ, Scope.READ_CONTACTS, Scope.WRITE_SIGNATURES, Scope.WRITE_ATTENDANCES],
        acting_for=convenor,
    )
    an = client_for(live_server, secret)

    petitions = an.get_petitions()
    assert petitions.num_rows == 27
    assert petitions[0]["identifiers"] == [f"alliance_hub:{published.pk}"]
    signatures = an.get_petition_signatures(published.pk)
    # Listed signatures only: the counted-only one is not this key's to read.
    assert signatures.num_rows == 30
    assert an.get_petition(published.pk)["total_signatures"] == 31
    one_page = an.get_petition_signatures(published.pk, page=2, per_page=25)
    assert len(one_page["_embedded"]["osdi:signatures"]) == 5

    people = an.get_people(filter="email_address eq 'rep@kapchorwa.test'")
    assert people.num_rows == 1
    person = people[0]
    assert person["given_name"] == "Sarah"
    person_href = f"{an.api_url}/people/{person['identifiers'][0].split(':')[1]}"

    open_statement = osdi_world["open"]
    signed = an.api.post_request(
        url=f"petitions/{open_statement.pk}/signatures",
        json={"_links": {"osdi:person": {"href": person_href}}},
    )
    signature = Signature.objects.get(statement=open_statement)
    assert signed["identifiers"] == [f"alliance_hub:{signature.pk}"]
    assert signature.organisation == osdi_world["member"]
    assert signature.source == Signature.Source.PARTNER
    # parsons' own create_signature sends the payload in the query string: a clear 400.
    with pytest.raises(HTTPError, match="400"):
        an.create_signature(open_statement.pk, {"_links": {"osdi:person": {"href": person_href}}})

    events = an.get_events()
    assert events.num_rows == 1
    event_id = events[0]["identifiers"][0].split(":")[1]
    attendances = an.get_event_attendances(event_id)
    assert [row["status"] for row in attendances] == ["needs action"]
    answered = an.api.post_request(
        url=f"events/{event_id}/attendances",
        json={"status": "accepted", "_links": {"osdi:person": {"href": person_href}}},
    )
    assert answered["status"] == "accepted"
    assert Invitation.objects.get(pk=osdi_world["invitation"].pk).answer == Invitation.Answer.YES
    assert an.get_event_attendances(event_id)[0]["status"] == "accepted"

    assert sorted(tag["name"] for tag in an.get_tags()) == ["Gender", "Tax justice"]
