"""The OSDI contract per resource, against the specification's examples: HAL+JSON,
field names, link relations, the paging envelope, filters and status codes."""

import datetime as dt

import pytest
from django.utils import timezone

from statements.models import Signature
from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db

BASE = "http://testserver/osdi/v1"
ENVELOPE = {"total_pages", "per_page", "page", "total_records", "_links", "_embedded"}


def test_entry_point_links_every_collection(osdi):
    for path in ("/osdi/v1", "/osdi/v1/"):
        answer = osdi().get(path)
        assert answer.status_code == 200
        assert answer["Content-Type"] == "application/hal+json"
        body = answer.json()
        assert body["motd"] and body["vendor_name"] == "Alliance Hub"
        assert body["max_pagesize"] == 100
        for rel, tail in [
            ("osdi:people", "people"),
            ("osdi:petitions", "petitions"),
            ("osdi:events", "events"),
            ("osdi:tags", "tags"),
        ]:
            assert body["_links"][rel]["href"] == f"{BASE}/{tail}"


def test_petition_fields_and_links(osdi_world, osdi_keys, osdi):
    published = osdi_world["published"]
    answer = osdi(osdi_keys["public"]).get(f"/osdi/v1/petitions/{published.pk}")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/hal+json"
    petition = answer.json()
    assert petition["identifiers"] == [f"alliance_hub:{published.pk}"]
    assert petition["title"] == "Civil society steps up the fight on inequality"
    assert petition["description"] == "62 people own the same wealth as half the world."
    assert petition["browser_url"] == f"http://testserver/statements/{published.slug}/"
    # The public count: the counted-only signature counts, unnamed.
    assert petition["total_signatures"] == 4
    assert petition["created_date"].endswith("Z") and "T" in petition["created_date"]
    assert set(petition["_links"]) >= {"self", "osdi:signatures", "osdi:record_signature_helper"}
    assert petition["_links"]["self"]["href"] == f"{BASE}/petitions/{published.pk}"
    assert petition["_links"]["osdi:signatures"]["href"] == (
        f"{BASE}/petitions/{published.pk}/signatures"
    )


def test_petition_text_in_the_requested_language(osdi_world, osdi_keys, osdi):
    from statements.models import StatementText

    published = osdi_world["published"]
    StatementText.objects.create(
        version=published.current_version(), language="fr", title="La société civile"
    )
    answer = osdi(osdi_keys["public"]).get(
        f"/osdi/v1/petitions/{published.pk}", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert answer.json()["title"] == "La société civile"
    assert answer.json()["alliance_hub:language"] == "fr"


def test_every_path_answers_with_a_trailing_slash_too(osdi_world, osdi_keys, osdi):
    client = osdi(osdi_keys["convenor"])
    published = osdi_world["published"].pk
    for path in [
        "petitions",
        f"petitions/{published}",
        f"petitions/{published}/signatures",
        "people",
        "events",
        f"events/{osdi_world['convening'].pk}/attendances",
        "tags",
    ]:
        bare, slashed = client.get(f"/osdi/v1/{path}"), client.get(f"/osdi/v1/{path}/")
        assert bare.status_code == slashed.status_code == 200, path
        assert bare.json() == slashed.json()


def test_paging_envelope_next_prev_and_past_the_end(osdi_world, osdi_keys, osdi):
    published = osdi_world["published"].pk
    client = osdi(osdi_keys["public"])
    path = f"/osdi/v1/petitions/{published}/signatures"
    first = client.get(path, {"per_page": 2}).json()
    assert set(first) == ENVELOPE
    assert (first["page"], first["per_page"], first["total_pages"], first["total_records"]) == (
        1,
        2,
        2,
        3,
    )
    assert "prev" not in first["_links"]
    assert (
        first["_links"]["next"]["href"]
        == f"{BASE}/petitions/{published}/signatures?per_page=2&page=2"
    )
    second = client.get(first["_links"]["next"]["href"]).json()
    assert len(second["_embedded"]["osdi:signatures"]) == 1
    assert "next" not in second["_links"]
    assert "page=1" in second["_links"]["prev"]["href"]
    past = client.get(path, {"per_page": 2, "page": 9})
    assert past.status_code == 200
    assert past.json()["_embedded"]["osdi:signatures"] == []
    names = [s["_links"]["self"]["href"] for s in first["_embedded"]["osdi:signatures"]]
    assert names == [link["href"] for link in first["_links"]["osdi:signatures"]]


def test_per_page_defaults_to_25_and_is_capped(osdi_world, osdi_keys, osdi):
    client = osdi(osdi_keys["public"])
    assert client.get("/osdi/v1/tags").json()["per_page"] == 25
    assert client.get("/osdi/v1/tags", {"per_page": 1000}).json()["per_page"] == 100
    for bad in ("0", "-1", "x"):
        answer = client.get("/osdi/v1/tags", {"per_page": bad})
        assert answer.status_code == 400
        assert answer.json()["resource_status"][0]["error_descriptions"][0]["properties"] == [
            "per_page"
        ]


def test_modified_date_filter_kept_in_links(osdi_world, osdi_keys, osdi):
    published = osdi_world["published"]
    old = osdi_world["listed"][0]
    Signature.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=30))
    since = (timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    client = osdi(osdi_keys["public"])
    page = client.get(
        f"/osdi/v1/petitions/{published.pk}/signatures",
        {"filter": f"modified_date gt '{since}'", "per_page": 1},
    ).json()
    assert page["total_records"] == 2
    assert "filter=modified_date+gt" in page["_links"]["next"]["href"]
    assert "per_page=1" in page["_links"]["next"]["href"]
    older = client.get(
        f"/osdi/v1/petitions/{published.pk}/signatures",
        {"filter": f"modified_date lt '{since}'"},
    ).json()
    assert [s["identifiers"] for s in older["_embedded"]["osdi:signatures"]] == [
        [f"alliance_hub:{old.pk}"]
    ]
    by_day = client.get("/osdi/v1/petitions", {"filter": "created_date ge '2000-01-01'"})
    assert by_day.json()["total_records"] == 2


@pytest.mark.parametrize(
    "text",
    [
        "title eq 'x'",
        "modified_date gt 'yesterday'",
        "modified_date between '1'",
        "email_address eq 'a@b.c'",
    ],
)
def test_unsupported_filter_is_a_clear_400(osdi_world, osdi_keys, osdi, text):
    answer = osdi(osdi_keys["public"]).get("/osdi/v1/petitions", {"filter": text})
    assert answer.status_code == 400
    body = answer.json()
    assert body["request_type"] == "atomic" and body["response_code"] == 400
    assert body["resource_status"][0]["resource"] == "osdi:petition"
    assert body["resource_status"][0]["error_descriptions"][0]["error_code"] == "validation_error"
    assert body["error"]


def test_unknown_parameter_and_unknown_path(osdi_world, osdi_keys, osdi):
    client = osdi(osdi_keys["public"])
    assert client.get("/osdi/v1/petitions", {"serach": "x"}).status_code == 400
    missing = client.get("/osdi/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["resource_status"][0]["error_descriptions"][0]["error_code"] == (
        "not_found"
    )
    assert client.get("/osdi/v1/petitions/999999").status_code == 404


def test_signature_fields_and_links(osdi_world, osdi_keys, osdi):
    signature = osdi_world["listed"][0]
    answer = osdi(osdi_keys["coordinator"]).get(
        f"/osdi/v1/petitions/{signature.statement_id}/signatures/{signature.pk}"
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["identifiers"] == [f"alliance_hub:{signature.pk}"]
    assert body["alliance_hub:organisation"]["name"] == "Listed member 0"
    assert body["_links"]["osdi:petition"]["href"] == f"{BASE}/petitions/{signature.statement_id}"
    assert body["_links"]["osdi:person"]["href"] == f"{BASE}/people/{signature.contact_id}"
    assert body["alliance_hub:email"] == signature.email


def test_person_fields_email_filter_and_signatures(osdi_world, osdi_keys, osdi):
    client = osdi(osdi_keys["coordinator"])
    found = client.get("/osdi/v1/people", {"filter": "email_address eq 'REP@kapchorwa.test'"})
    people = found.json()["_embedded"]["osdi:people"]
    assert len(people) == 1
    person = people[0]
    assert (person["given_name"], person["family_name"]) == ("Sarah", "Chebet")
    assert person["email_addresses"] == [
        {"address": "rep@kapchorwa.test", "primary": True, "address_type": "work"}
    ]
    assert person["languages_spoken"] == ["en"]
    assert set(person["_links"]) >= {"self", "osdi:signatures", "osdi:attendances"}
    signer = osdi_world["listed"][1]
    mine = client.get(f"/osdi/v1/people/{signer.contact_id}/signatures").json()
    assert [s["identifiers"] for s in mine["_embedded"]["osdi:signatures"]] == [
        [f"alliance_hub:{signer.pk}"]
    ]


def test_erased_contacts_never_appear(osdi_world, osdi_keys, osdi):
    client = osdi(osdi_keys["convenor"])
    listed = client.get("/osdi/v1/people", {"per_page": 100}).json()
    ids = [p["identifiers"][0] for p in listed["_embedded"]["osdi:people"]]
    assert f"alliance_hub:{osdi_world['erased'].pk}" not in ids
    assert client.get(f"/osdi/v1/people/{osdi_world['erased'].pk}").status_code == 404


def test_event_and_attendance_fields(osdi_world, osdi_keys, osdi):
    convening = osdi_world["convening"]
    convening.online_link = "https://meet.example/secret-room"
    convening.save()
    client = osdi(osdi_keys["coordinator"])
    event = client.get(f"/osdi/v1/events/{convening.pk}").json()
    assert event["title"] == "Kampala assembly"
    assert event["status"] == "confirmed"
    assert event["start_date"].endswith("Z")
    assert (
        event["_links"]["osdi:attendances"]["href"] == f"{BASE}/events/{convening.pk}/attendances"
    )
    assert "secret-room" not in str(event)
    attendances = client.get(f"/osdi/v1/events/{convening.pk}/attendances").json()
    attendance = attendances["_embedded"]["osdi:attendances"][0]
    assert attendance["status"] == "needs action"
    assert (
        attendance["_links"]["osdi:person"]["href"]
        == f"{BASE}/people/{osdi_world['rep_contact'].pk}"
    )
    assert attendance["_links"]["osdi:event"]["href"] == f"{BASE}/events/{convening.pk}"
    item = client.get(attendance["_links"]["self"]["href"])
    assert item.status_code == 200 and item.json() == attendance


def test_tags_are_focus_areas(osdi_world, osdi_keys, osdi):
    tags = osdi(osdi_keys["public"]).get("/osdi/v1/tags").json()["_embedded"]["osdi:tags"]
    assert [tag["name"] for tag in tags] == ["Gender", "Tax justice"]
    assert tags[0]["_links"]["self"]["href"].startswith(f"{BASE}/tags/")


def test_bearer_header_works_as_well(osdi_world, osdi_keys, api_client_bearer):
    answer = api_client_bearer(osdi_keys["public"]).get("/osdi/v1/petitions")
    assert answer.status_code == 200


def test_hidden_signature_is_counted_but_not_listed(osdi_world, osdi_keys, osdi):
    """Sanity of the fixture the at-risk tests rely on."""
    assert SignatureFactory._meta.model.objects.filter(listed_publicly=False).count() == 1


def test_same_throttle_and_revocation_as_the_api(osdi_world, osdi_keys, osdi, settings):
    from django.utils import timezone

    settings.API_THROTTLE_RATE = "2/min"
    client = osdi(osdi_keys["public"])
    statuses = [client.get("/osdi/v1/tags").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    throttled = client.get("/osdi/v1/tags")
    assert throttled.json()["resource_status"][0]["error_descriptions"][0]["error_code"] == (
        "throttled"
    )
    assert throttled["Retry-After"]
    key = osdi_keys["coordinator"]
    key.revoked_at = timezone.now()
    key.save()
    revoked = osdi(key).get("/osdi/v1/tags")
    assert revoked.status_code == 401
    assert revoked["WWW-Authenticate"] == 'OSDI-API-Token realm="osdi"'
    assert osdi().get("/osdi/v1/tags").status_code == 401


def test_kept_counts_are_never_shared_between_keys_that_see_different_rows(
    osdi_world, osdi_keys, osdi, settings
):
    settings.OSDI_COUNT_SECONDS = 60
    path = f"/osdi/v1/petitions/{osdi_world['published'].pk}/signatures"
    totals = [
        osdi(osdi_keys[name]).get(path).json()["total_records"]
        for name in ("convenor", "public", "convenor", "coordinator")
    ]
    assert totals == [4, 3, 4, 3]
