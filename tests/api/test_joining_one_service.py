"""Joining has one service (members.services.apply_to_join): the join page and
POST /api/v1/memberships/ reach the same outcomes, because the rules are written once."""

import pytest
from django.core.exceptions import ValidationError

from alliance.core.api.models import ApiKey
from alliance.core.api.scopes import Scope
from members import services
from members.models import FocusArea, Membership, Organisation
from tests.factories import (
    FocusAreaFactory,
    MembershipFactory,
    OrganisationFactory,
    PrinciplesFactory,
)

pytestmark = pytest.mark.django_db

ORGANISATION = {
    "name": "Gulu Youth for Tax Justice",
    "kind": "grassroots",
    "country": "UG",
    "website": "https://gulu-youth.test",
}
APPLICANT = {"name": "Amina Nakato", "email": "amina@gulu-youth.test", "language": "en"}


@pytest.fixture
def principles(db):
    return PrinciplesFactory(version=1, language="en")


@pytest.fixture
def tax(db):
    return FocusAreaFactory(slug="tax-justice")


def through_the_page(client, *, version=1, focus_areas=(), new=False, **organisation):
    data = {
        **ORGANISATION,
        **organisation,
        "contact_name": APPLICANT["name"],
        "contact_email": APPLICANT["email"],
        "contact_role": "",
        "contact_language": APPLICANT["language"],
        "principles_version": str(version),
        "endorse": "on",
        "website_url": "",
        "focus_areas": [str(area.pk) for area in focus_areas],
    }
    if new:
        data["same_as"] = "new"
    response = client.post("/members/join/", data)
    assert response.status_code == 200, response.status_code
    context = response.context
    if "membership" in context:
        return "applied"
    if context["duplicates"]:
        return "possible duplicates"
    errors = context["form"].errors.as_text()
    return "principles changed" if "updated" in errors else f"refused: {errors}"


def through_the_api(api, make_key, *, version=1, focus_areas=(), new=False, **organisation):
    key = make_key(Scope.READ, Scope.WRITE_MEMBERS)
    ApiKey.objects.filter(pk=key.pk).update(acting_for=None)
    body = {
        "new_organisation": {
            **ORGANISATION,
            **organisation,
            "focus_areas": [area.slug for area in focus_areas],
        },
        "applicant": APPLICANT,
        "principles_version": version,
        "endorse": True,
        "not_a_duplicate": new,
    }
    response = api(key).post("/api/v1/memberships/", body, format="json")
    if response.status_code == 201:
        return "applied"
    code = response.json()["error"]["code"]
    if code == "possible_duplicates":
        return "possible duplicates"
    if "principles_version" in response.json()["error"].get("fields", {}):
        return "principles changed"
    return f"refused: {code}"


@pytest.fixture(params=["page", "api"])
def join(request, client, api, make_key):
    if request.param == "page":
        return lambda **kwargs: through_the_page(client, **kwargs)
    return lambda **kwargs: through_the_api(api, make_key, **kwargs)


def test_a_new_organisation_joins_its_countrys_alliance_with_its_focus_areas(
    join, uganda, principles, tax
):
    assert join(focus_areas=[tax]) == "applied"
    membership = Membership.objects.get()
    assert membership.national_alliance == uganda
    assert membership.principles == principles
    assert list(membership.organisation.focus_areas.all()) == [tax]


def test_without_an_alliance_in_its_country_it_joins_the_international_one(
    join, uganda, principles
):
    assert join(country="NP") == "applied"
    assert Membership.objects.get().national_alliance is None


def test_a_stale_principles_version_creates_nothing(join, uganda, principles, tax):
    PrinciplesFactory(version=2, language="en")
    assert join(version=1, focus_areas=[tax]) == "principles changed"
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()


def test_a_probable_duplicate_is_offered_then_created_when_the_applicant_says_so(
    join, uganda, principles, tax
):
    member = OrganisationFactory(name=ORGANISATION["name"], country="UG", website="")
    MembershipFactory(organisation=member, national_alliance=None)  # public in the directory
    assert join(focus_areas=[tax]) == "possible duplicates"
    assert Organisation.objects.count() == 1
    assert join(focus_areas=[tax], new=True) == "applied"
    assert Organisation.objects.count() == 2
    applied = Membership.objects.get(status=Membership.Status.APPLIED)
    assert list(applied.organisation.focus_areas.all()) == [tax]


def test_a_failure_after_the_organisation_was_written_rolls_back_its_focus_areas(
    join, uganda, principles, tax, monkeypatch
):
    def refuse(**kwargs):
        raise ValidationError("the verification email could not be written")

    monkeypatch.setattr(services, "send_verification", refuse)
    assert join(focus_areas=[tax]).startswith("refused")
    assert not Organisation.objects.exists()
    assert not Organisation.focus_areas.through.objects.exists()
    assert FocusArea.objects.get() == tax
