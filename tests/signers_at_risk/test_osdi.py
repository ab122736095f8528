"""The OSDI layer (/osdi/v1/) never names an organisation that signed counted-only to
anyone but a key acting for a convenor with read:unlisted: not in lists, items, a
person's signatures, webhooks or counts; and a post for it answers as for one that has
not signed."""

import json

import pytest

from alliance.core.api.models import WebhookDelivery
from alliance.core.api.scopes import Scope
from alliance.core.api.webhooks import subscribe
from statements import services
from statements.models import Statement
from tests.factories import (
    ContactFactory,
    MembershipFactory,
    OrganisationFactory,
    SignatureFactory,
    StatementFactory,
)
from tests.osdi.conftest import fresh_throttle_counts  # noqa: F401 - autouse

pytestmark = pytest.mark.django_db

NOT_CONVENORS = ["coordinator", "public", "no_contacts"]
SECRET = "Counted Only Collective"


@pytest.fixture
def readers(osdi_keys, issue_key, osdi_world, representative, brazil_member):
    """Every key that must not learn the name: the matrix's, one acting for a member's
    representative, and one of another organisation, with every scope they may hold."""
    every = [Scope.READ, Scope.READ_CONTACTS, Scope.WRITE_SIGNATURES]
    return {
        **{name: osdi_keys[name] for name in NOT_CONVENORS},
        "representative": issue_key(*every, acting_for=representative),
        "other_organisation": issue_key(*every, organisation=brazil_member),
    }


def every_page(client, path) -> str:
    """Every page of a collection as one text, to search for a name."""
    texts, page = [], 1
    while True:
        body = client.get(path, {"page": page}).json()
        texts.append(json.dumps(body))
        if "next" not in body["_links"]:
            return "\n".join(texts)
        page += 1


def test_lists_name_the_counted_only_to_a_convenors_key_only(osdi_world, osdi_keys, readers, osdi):
    published = osdi_world["published"].pk
    path = f"/osdi/v1/petitions/{published}/signatures"
    assert SECRET in every_page(osdi(osdi_keys["convenor"]), path)
    for name, key in readers.items():
        text = every_page(osdi(key), path)
        assert SECRET not in text, name
        assert f'/signatures/{osdi_world["hidden"].pk}"' not in text, name


def test_items_are_not_found_but_for_a_convenors_key(osdi_world, osdi_keys, readers, osdi):
    hidden = osdi_world["hidden"]
    path = f"/osdi/v1/petitions/{hidden.statement_id}/signatures/{hidden.pk}"
    assert SECRET in osdi(osdi_keys["convenor"]).get(path).content.decode()
    for name, key in readers.items():
        assert osdi(key).get(path).status_code == 404, name


def test_a_persons_signatures_never_show_it(osdi_world, osdi_keys, readers, osdi):
    """The signer of a listed organisation whose signature is counted-only."""
    listed_org = OrganisationFactory(name="Listed But Quiet")
    MembershipFactory(
        organisation=listed_org,
        national_alliance=osdi_world["member"].memberships.get().national_alliance,
    )
    signer = ContactFactory(organisation=listed_org)
    SignatureFactory(
        statement=osdi_world["published"],
        organisation=listed_org,
        contact=signer,
        listed_publicly=False,
    )
    path = f"/osdi/v1/people/{signer.pk}/signatures"
    assert osdi(osdi_keys["convenor"]).get(path).json()["total_records"] == 1
    for name, key in readers.items():
        answer = osdi(key).get(path)
        if answer.status_code == 200:
            assert answer.json()["total_records"] == 0, name
            assert "Listed But Quiet" not in answer.content.decode()


def test_counts_count_without_naming(osdi_world, readers, osdi):
    published = osdi_world["published"]
    for name, key in readers.items():
        client = osdi(key)
        petition = client.get(f"/osdi/v1/petitions/{published.pk}").json()
        listed = client.get(f"/osdi/v1/petitions/{published.pk}/signatures").json()
        assert petition["total_signatures"] == 4, name
        assert listed["total_records"] == 3, name


def test_a_post_for_an_organisation_that_signed_counted_only_answers_as_for_one_that_did_not(
    osdi_world, osdi_keys, osdi, uganda
):
    """The coordinator's key does not speak for the organisations: both posts wait for
    their signatory (202), with the same shape."""
    statement = StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)
    quiet, fresh = OrganisationFactory(name="Quiet Signer"), OrganisationFactory(name="Fresh")
    for organisation in (quiet, fresh):
        MembershipFactory(organisation=organisation, national_alliance=uganda)
    quiet_contact, fresh_contact = (
        ContactFactory(organisation=quiet),
        ContactFactory(organisation=fresh),
    )
    services.sign(
        statement=statement,
        organisation=quiet,
        signatory=services.Signatory(name="Q", email="q@quiet.test", listed_publicly=False),
    )
    client = osdi(osdi_keys["coordinator"])
    answers = [
        client.post(
            f"/osdi/v1/petitions/{statement.pk}/signatures",
            {"_links": {"osdi:person": {"href": f"http://x/osdi/v1/people/{contact.pk}"}}},
            format="json",
        )
        for contact in (quiet_contact, fresh_contact)
    ]
    assert [answer.status_code for answer in answers] == [202, 202]
    shapes = [sorted(answer.json()) for answer in answers]
    assert shapes[0] == shapes[1]
    assert answers[0].json()["alliance_hub:status"] == answers[1].json()["alliance_hub:status"]


def test_osdi_webhooks_name_it_only_to_a_convenors_key(osdi_world, osdi_keys, readers):
    for name, key in {"convenor": osdi_keys["convenor"], **readers}.items():
        subscribe(
            api_key=key,
            target_url=f"https://partner.example/{name}",
            events=["signature.confirmed"],
            payload_format="osdi",
        )
    statement = StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)
    services.sign(
        statement=statement,
        organisation=osdi_world["hidden_org"],
        signatory=services.Signatory(name="H", email="h@hidden.test", listed_publicly=False),
    )
    bodies = {
        delivery.subscription.target_url.rsplit("/", 1)[-1]: delivery.payload
        for delivery in WebhookDelivery.objects.select_related("subscription")
    }
    convenors = bodies.pop("convenor")[0]["osdi:signature"]
    assert convenors["alliance_hub:organisation"] == f"alliance_hub:{osdi_world['hidden_org'].pk}"
    assert bodies, "the other osdi_keys hear of the signature"
    for name, body in bodies.items():
        resource = body[0]["osdi:signature"]
        assert "alliance_hub:organisation" not in resource, name
        assert SECRET not in json.dumps(body), name
