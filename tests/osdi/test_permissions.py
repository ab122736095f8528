"""Who may do what through OSDI: the permission matrix of every resource, for a key
acting for a convenor, one acting for a coordinator, a read-only key, a key without
read:contacts, and no key."""

import pytest

pytestmark = pytest.mark.django_db

KEYS = ["convenor", "coordinator", "public", "no_contacts", "none"]

READS = {
    # path template: status per key, in KEYS order
    "/osdi/v1/petitions": [200, 200, 200, 200, 401],
    "/osdi/v1/petitions/{published}": [200, 200, 200, 200, 401],
    "/osdi/v1/petitions/{published}/signatures": [200, 200, 200, 200, 401],
    "/osdi/v1/petitions/{published}/signatures/{signature}": [200, 200, 200, 200, 401],
    "/osdi/v1/people": [200, 200, 403, 403, 401],
    "/osdi/v1/people/{person}": [200, 200, 403, 403, 401],
    "/osdi/v1/people/{person}/signatures": [200, 200, 403, 403, 401],
    "/osdi/v1/people/{person}/attendances": [200, 200, 403, 403, 401],
    # Convenings as the pages show them to the person the key acts for.
    "/osdi/v1/events": [200, 200, 200, 200, 401],
    "/osdi/v1/events/{event}": [200, 200, 404, 404, 401],
    "/osdi/v1/events/{event}/attendances": [200, 200, 403, 403, 401],
    "/osdi/v1/events/{event}/attendances/{attendance}": [200, 200, 403, 403, 401],
    "/osdi/v1/tags": [200, 200, 200, 200, 401],
    "/osdi/v1/tags/{tag}": [200, 200, 200, 200, 401],
    "/osdi/v1/": [200, 200, 200, 200, 200],
}


def fill(template: str, osdi_world) -> str:
    from members.models import FocusArea

    return template.format(
        published=osdi_world["published"].pk,
        signature=osdi_world["listed"][0].pk,
        person=osdi_world["rep_contact"].pk,
        event=osdi_world["convening"].pk,
        attendance=osdi_world["invitation"].contacts.through.objects.get().pk,
        tag=FocusArea.objects.first().pk,
    )


@pytest.mark.parametrize("template", list(READS))
def test_reads(osdi_world, osdi_keys, osdi, template):
    path = fill(template, osdi_world)
    got = [osdi(osdi_keys[name]).get(path).status_code for name in KEYS]
    assert got == READS[template], path


def test_events_list_only_what_the_acting_person_sees(osdi_world, osdi_keys, osdi):
    counts = {
        name: osdi(osdi_keys[name]).get("/osdi/v1/events").json()["total_records"]
        for name in KEYS[:-1]
    }
    assert counts == {"convenor": 1, "coordinator": 1, "public": 0, "no_contacts": 0}


def test_a_key_of_the_invited_organisation_sees_its_event(osdi_world, issue_key, osdi):
    from alliance.core.api.scopes import Scope

    own = issue_key(Scope.READ, Scope.READ_CONTACTS, organisation=osdi_world["member"])
    assert osdi(own).get(f"/osdi/v1/events/{osdi_world['convening'].pk}").status_code == 200
    assert osdi(own).get("/osdi/v1/events").json()["total_records"] == 1


def test_post_signature_matrix(osdi_world, osdi_keys, osdi):
    """Convenor's key signs at once; the coordinator's is not one of the organisation's
    people, so the signature waits for its signatory (202, as on /api/v1/)."""
    statement = osdi_world["open"]
    expected = {"convenor": 201, "coordinator": 202, "public": 403, "no_contacts": 403, "none": 401}
    for name, status in expected.items():
        signer = osdi_world["listed"][KEYS.index(name) % 3].contact
        body = {"_links": {"osdi:person": {"href": f"http://x/osdi/v1/people/{signer.pk}"}}}
        answer = osdi(osdi_keys[name]).post(
            f"/osdi/v1/petitions/{statement.pk}/signatures", body, format="json"
        )
        assert answer.status_code == status, (name, answer.json())
        statement.signatures.all().delete()


def test_post_attendance_matrix(osdi_world, osdi_keys, osdi):
    """Answering is the organisation's (or a convenor's, as on the RSVP page): the
    coordinator's key is told what any key is told about a person it may not answer for."""
    event = osdi_world["convening"].pk
    body = {
        "status": "accepted",
        "_links": {
            "osdi:person": {"href": f"http://x/osdi/v1/people/{osdi_world['rep_contact'].pk}"}
        },
    }
    expected = {"convenor": 200, "coordinator": 404, "public": 403, "no_contacts": 403, "none": 401}
    got = {
        name: osdi(osdi_keys[name])
        .post(f"/osdi/v1/events/{event}/attendances", body, format="json")
        .status_code
        for name in expected
    }
    assert got == expected
