"""write:members: a profile change (PATCH /organisations/{id}/) and an application to
join (POST /memberships/), through the services the pages use. A key acts for the person
who made it, and never does more than that person's own pages let them do."""

import pytest

from alliance.core.api.models import ApiKey
from alliance.core.api.scopes import Scope
from alliance.core.audit.models import AuditEntry
from alliance.core.outbox.models import OutgoingMessage
from members.models import Membership, Organisation
from tests.factories import (
    FocusAreaFactory,
    MembershipFactory,
    OrganisationFactory,
    PrinciplesFactory,
)

APPLICANT = {"name": "Amina Nakato", "email": "amina@gulu-youth.test", "language": "en"}


@pytest.fixture
def key_for(make_key):
    """key_for(person, *scopes) -> a key acting for `person` (None: for nobody)."""

    def make(person, *scopes):
        key = make_key(*(scopes or (Scope.READ, Scope.WRITE_MEMBERS)))
        ApiKey.objects.filter(pk=key.pk).update(acting_for=person)
        return key

    return make


@pytest.fixture
def principles(db):
    return PrinciplesFactory(version=1, language="en")


def organisation_url(organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}/"


def error_code(response) -> str:
    return response.json()["error"]["code"]


# --- PATCH /organisations/{id}/ ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona, expected",
    [
        ("convenor", 200),
        ("superuser_convenor", 200),
        ("uganda_coordinator", 200),
        ("representative", 200),  # one of its own people
        ("brazil_coordinator", 403),  # another alliance
        ("outsider", 403),
        ("anonymous", 403),  # a key nobody made: the management command's
    ],
)
def test_changing_a_profile_follows_the_edit_page_permission_of_the_keys_person(
    api, key_for, personas, uganda_member, persona, expected
):
    response = api(key_for(personas[persona])).patch(
        organisation_url(uganda_member), {"city": "Mbale"}, format="json"
    )
    assert response.status_code == expected, response.content
    uganda_member.refresh_from_db()
    if expected == 200:
        assert response.json()["city"] == "Mbale"
        assert uganda_member.city == "Mbale"
    else:
        assert error_code(response) == "permission_denied"
        assert uganda_member.city == "Kapchorwa"


@pytest.mark.django_db
def test_changing_a_profile_needs_a_key_with_write_members(
    api, key_for, client_for, convenor, uganda_member
):
    url = organisation_url(uganda_member)
    read_only = api(key_for(convenor, Scope.READ)).patch(url, {"city": "x"}, format="json")
    assert read_only.status_code == 403
    assert error_code(read_only) == "insufficient_scope"
    assert api(None).patch(url, {"city": "x"}, format="json").status_code == 401
    # A session browses the API; it changes nothing (that is the pages' job).
    session = client_for(convenor).patch(url, {"city": "x"}, content_type="application/json")
    assert session.status_code == 403
    uganda_member.refresh_from_db()
    assert uganda_member.city == "Kapchorwa"


@pytest.mark.django_db
def test_profile_change_is_in_the_organisation_history_with_who_made_it(
    api, key_for, uganda_coordinator, uganda_member
):
    tax = FocusAreaFactory(slug="tax-justice")
    response = api(key_for(uganda_coordinator)).patch(
        organisation_url(uganda_member),
        {"country": "KE", "languages": ["EN", "sw"], "focus_areas": ["tax-justice"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["focus_areas"] == [tax.slug]
    uganda_member.refresh_from_db()
    assert (uganda_member.country.code, uganda_member.region) == ("KE", "africa")
    assert uganda_member.languages == ["en", "sw"]
    entry = AuditEntry.objects.for_object(uganda_member).get(action="organisation.updated")
    assert entry.actor == uganda_coordinator
    assert entry.changes["country"] == ["UG", "KE"]


@pytest.mark.django_db
def test_profile_change_with_invalid_fields_changes_nothing(api, key_for, convenor, uganda_member):
    response = api(key_for(convenor)).patch(
        organisation_url(uganda_member),
        {"city": "Gulu", "kind": "spaceship", "languages": ["english"]},
        format="json",
    )
    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert set(response.json()["error"]["fields"]) == {"kind", "languages"}
    uganda_member.refresh_from_db()
    assert uganda_member.city == "Kapchorwa"
    assert not AuditEntry.objects.filter(action="organisation.updated").exists()


@pytest.mark.django_db
def test_organisation_the_keys_person_cannot_see_is_not_found(
    api, key_for, brazil_coordinator, uganda
):
    applicant = OrganisationFactory(country="UG")
    MembershipFactory(
        organisation=applicant, national_alliance=uganda, status=Membership.Status.APPLIED
    )
    response = api(key_for(brazil_coordinator)).patch(
        organisation_url(applicant), {"city": "x"}, format="json"
    )
    assert response.status_code == 404
    assert error_code(response) == "not_found"


# --- POST /memberships/ -----------------------------------------------------------------


def application(**fields) -> dict:
    return {
        "new_organisation": {
            "name": "Gulu Youth for Tax Justice",
            "kind": "grassroots",
            "country": "UG",
            "website": "https://gulu-youth.test",
        },
        "applicant": APPLICANT,
        "principles_version": 1,
        "endorse": True,
        **fields,
    }


def existing_application(organisation) -> dict:
    body = application(organisation=organisation.pk)
    del body["new_organisation"]
    return body


@pytest.mark.django_db
def test_partner_applies_for_a_new_organisation_as_the_public_form_does(
    api, key_for, uganda, principles
):
    FocusAreaFactory(slug="tax-justice")
    body = application()
    body["new_organisation"]["focus_areas"] = ["tax-justice"]
    response = api(key_for(None)).post("/api/v1/memberships/", body, format="json")
    assert response.status_code == 201, response.content
    membership = Membership.objects.get(pk=response.json()["id"])
    assert response.json()["status"] == "applied"
    assert response.json()["national_alliance"] == uganda.slug
    assert response.json()["principles_version"] == 1
    assert membership.organisation.name == "Gulu Youth for Tax Justice"
    assert list(membership.organisation.focus_areas.values_list("slug", flat=True)) == [
        "tax-justice"
    ]
    assert membership.endorsed_by.email == APPLICANT["email"]
    assert AuditEntry.objects.for_object(membership).filter(action="membership.applied").exists()
    # The applicant confirms their address before reviewers see the application.
    assert OutgoingMessage.objects.filter(
        to_email=APPLICANT["email"], template="contact_verification"
    ).exists()


@pytest.mark.django_db
def test_application_needs_a_key_with_write_members(api, key_for, convenor, principles):
    response = api(key_for(convenor, Scope.READ)).post(
        "/api/v1/memberships/", application(), format="json"
    )
    assert response.status_code == 403
    assert error_code(response) == "insufficient_scope"
    assert api(None).post("/api/v1/memberships/", application(), format="json").status_code == 401
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_application_endorses_the_current_principles_or_is_refused(api, key_for, principles):
    client = api(key_for(None))
    stale = client.post("/api/v1/memberships/", application(principles_version=0), format="json")
    assert stale.status_code == 400
    assert "principles_version" in stale.json()["error"]["fields"]
    unendorsed = client.post("/api/v1/memberships/", application(endorse=False), format="json")
    assert unendorsed.status_code == 400
    assert "endorse" in unendorsed.json()["error"]["fields"]
    assert not Membership.objects.exists()


@pytest.mark.django_db
def test_probable_duplicate_is_offered_before_a_new_organisation_is_made(
    api, key_for, uganda, principles
):
    recorded = MembershipFactory(
        national_alliance=None,
        organisation=OrganisationFactory(
            name="Gulu Youth Group", country="UG", website="https://www.gulu-youth.test/about"
        ),
    ).organisation
    client = api(key_for(None))
    response = client.post("/api/v1/memberships/", application(), format="json")
    assert response.status_code == 409
    assert error_code(response) == "possible_duplicates"
    assert response.json()["error"]["fields"] == {"organisation": [str(recorded.pk)]}
    assert Organisation.objects.count() == 1
    confirmed = client.post(
        "/api/v1/memberships/", application(not_a_duplicate=True), format="json"
    )
    assert confirmed.status_code == 201
    assert Organisation.objects.count() == 2


@pytest.mark.django_db
def test_duplicates_the_key_may_not_see_are_neither_named_nor_hinted_at(
    api, key_for, uganda, principles
):
    at_risk = OrganisationFactory(
        name="Gulu Youth for Tax Justice", country="UG", listed_publicly=False
    )
    MembershipFactory(organisation=at_risk, national_alliance=uganda)
    response = api(key_for(None)).post("/api/v1/memberships/", application(), format="json")
    # Applied as a new organisation, as if the hidden one did not exist.
    assert response.status_code == 201, response.content
    assert Membership.objects.get(pk=response.json()["id"]).organisation != at_risk
    assert not at_risk.contacts.exists()


@pytest.fixture
def former_member(uganda_member, uganda):
    """uganda_member left the Uganda alliance and stays in the international one: it may
    apply again, and everyone can see it."""
    Membership.objects.filter(organisation=uganda_member).update(status=Membership.Status.LEFT)
    MembershipFactory(organisation=uganda_member, national_alliance=None)
    return uganda_member


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona, expected",
    [
        ("convenor", 201),
        ("superuser_convenor", 201),
        ("uganda_coordinator", 201),
        ("representative", 201),
        ("brazil_coordinator", 403),
        ("anonymous", 403),
    ],
)
def test_existing_organisation_applies_only_through_a_key_whose_person_may_change_it(
    api, key_for, personas, former_member, principles, persona, expected
):
    response = api(key_for(personas[persona])).post(
        "/api/v1/memberships/",
        existing_application(former_member),
        format="json",
    )
    assert response.status_code == expected, response.content
    ugandan = Membership.objects.get(organisation=former_member, national_alliance__isnull=False)
    if expected == 201:
        assert response.json()["id"] == ugandan.pk
        assert ugandan.status == Membership.Status.APPLIED
    else:
        assert error_code(response) == "permission_denied"
        assert ugandan.status == Membership.Status.LEFT


@pytest.mark.django_db
def test_applicant_for_an_existing_organisation_is_not_its_contact_until_approved(
    api, key_for, client_for, uganda_coordinator, former_member, principles
):
    response = api(key_for(uganda_coordinator)).post(
        "/api/v1/memberships/", existing_application(former_member), format="json"
    )
    assert response.status_code == 201, response.content
    assert not former_member.contacts.filter(email=APPLICANT["email"]).exists()

    client_for(uganda_coordinator).post(
        f"/members/memberships/{response.json()['id']}/decide/", {"status": "approved"}
    )

    assert former_member.contacts.filter(email=APPLICANT["email"]).exists()


@pytest.mark.django_db
def test_organisation_with_a_live_membership_cannot_apply_again(
    api, key_for, convenor, uganda_member, principles
):
    response = api(key_for(convenor)).post(
        "/api/v1/memberships/",
        existing_application(uganda_member),
        format="json",
    )
    assert response.status_code == 409
    assert error_code(response) == "application_refused"


@pytest.mark.django_db
def test_application_retried_with_the_same_idempotency_key_is_made_once(
    api, key_for, uganda, principles
):
    client = api(key_for(None))
    first = client.post(
        "/api/v1/memberships/", application(), format="json", HTTP_IDEMPOTENCY_KEY="crm-42"
    )
    again = client.post(
        "/api/v1/memberships/", application(), format="json", HTTP_IDEMPOTENCY_KEY="crm-42"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Membership.objects.count() == 1
