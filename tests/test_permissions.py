"""The permission matrix of the foundation: each persona against each rule and each
`visible_to`. Pages and API endpoints get their own matrices as they land."""

import pytest

from campaigns.models import Convening
from members.models import Contact, Membership, Organisation
from statements.models import Signature, Statement
from tests.factories import (
    ContactFactory,
    ConveningFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    SignatureFactory,
    SignOnRequestFactory,
    StatementFactory,
)
from tests.fixtures.personas import CONVENORS

PERSONAS = [
    "convenor",
    "superuser_convenor",
    "uganda_coordinator",
    "brazil_coordinator",
    "representative",
    "outsider",
    "anonymous",
]


def _user(personas, name):
    from django.contrib.auth.models import AnonymousUser

    return personas[name] or AnonymousUser()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", True),
        ("superuser_convenor", True),
        ("uganda_coordinator", True),
        ("brazil_coordinator", False),
        ("representative", True),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_may_change_a_ugandan_member(personas, uganda_member, persona, expected):
    user = _user(personas, persona)
    assert user.has_perm("members.change_organisation", uganda_member) is expected
    assert user.has_perm("members.view_contacts", uganda_member) is expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", True),
        ("superuser_convenor", True),
        ("uganda_coordinator", True),
        ("brazil_coordinator", False),
        ("representative", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_may_review_an_application_to_uganda(personas, uganda, persona, expected):
    application = MembershipFactory(national_alliance=uganda, status=Membership.Status.APPLIED)
    assert _user(personas, persona).has_perm("members.review_membership", application) is expected


def test_only_convenors_review_applications_to_the_international_alliance(personas):
    application = MembershipFactory(national_alliance=None, status=Membership.Status.APPLIED)
    allowed = {
        name
        for name in PERSONAS
        if _user(personas, name).has_perm("members.review_membership", application)
    }
    assert allowed == CONVENORS


def test_coordinator_sees_applicants_of_own_alliance_only(personas, uganda, brazil):
    ugandan_applicant = OrganisationFactory(name="Applicant UG")
    MembershipFactory(
        organisation=ugandan_applicant, national_alliance=uganda, status=Membership.Status.APPLIED
    )
    brazilian_applicant = OrganisationFactory(name="Applicant BR", country="BR")
    MembershipFactory(
        organisation=brazilian_applicant, national_alliance=brazil, status=Membership.Status.APPLIED
    )

    def visible(name):
        return set(
            Organisation.objects.visible_to(_user(personas, name))
            .filter(name__startswith="Applicant")
            .values_list("name", flat=True)
        )

    assert visible("convenor") == {"Applicant UG", "Applicant BR"}
    assert visible("superuser_convenor") == {"Applicant UG", "Applicant BR"}
    assert visible("uganda_coordinator") == {"Applicant UG"}
    assert visible("brazil_coordinator") == {"Applicant BR"}
    assert visible("representative") == set()
    assert visible("anonymous") == set()


def test_organisations_at_risk_are_hidden_from_the_public_but_not_from_members(personas, uganda):
    at_risk = OrganisationFactory(name="At Risk Collective", listed_publicly=False)
    MembershipFactory(organisation=at_risk, national_alliance=uganda)

    def sees(name):
        return Organisation.objects.visible_to(_user(personas, name)).filter(pk=at_risk.pk).exists()

    assert not sees("anonymous")
    assert not sees("outsider")
    assert sees("representative")
    assert sees("brazil_coordinator")
    assert sees("convenor")
    assert sees("superuser_convenor")


def test_contacts_are_seen_by_own_alliance_organisation_and_convenors(personas, uganda_member):
    ContactFactory(organisation=uganda_member, name="Private Person")

    def sees(name):
        return (
            Contact.objects.visible_to(_user(personas, name)).filter(name="Private Person").exists()
        )

    assert {name for name in PERSONAS if sees(name)} == {
        "convenor",
        "superuser_convenor",
        "uganda_coordinator",
        "representative",
    }


def test_drafts_and_unlisted_signatures_stay_hidden(personas, uganda_member):
    draft = StatementFactory(status=Statement.Status.DRAFT)
    published = StatementFactory(status=Statement.Status.PUBLISHED)
    SignatureFactory(statement=published, organisation=uganda_member, listed_publicly=False)
    listed = SignatureFactory(statement=published)

    for name in ["anonymous", "outsider", "brazil_coordinator"]:
        user = _user(personas, name)
        assert not Statement.objects.visible_to(user).filter(pk=draft.pk).exists()
        assert set(Signature.objects.visible_to(user)) == {listed}
    for name in CONVENORS:
        assert Statement.objects.visible_to(personas[name]).filter(pk=draft.pk).exists()


def test_representative_may_sign_only_what_their_organisation_was_asked_to(
    personas, uganda_member, representative
):
    asked = StatementFactory()
    SignOnRequestFactory(statement=asked, organisation=uganda_member)
    not_asked = StatementFactory()
    assert representative.has_perm("statements.sign_statement", asked)
    assert not representative.has_perm("statements.sign_statement", not_asked)
    assert not personas["outsider"].has_perm("statements.sign_statement", asked)


@pytest.mark.parametrize(
    ("persona", "may_change", "sees_draft"),
    [
        ("convenor", True, True),
        ("superuser_convenor", True, True),
        ("uganda_coordinator", True, True),
        ("brazil_coordinator", False, False),
        ("representative", False, False),
        ("outsider", False, False),
        ("anonymous", False, False),
    ],
)
def test_national_convening_belongs_to_its_alliance(
    personas, uganda, persona, may_change, sees_draft
):
    convening = ConveningFactory(national_alliance=uganda, status=Convening.Status.DRAFT)
    user = _user(personas, persona)
    assert user.has_perm("campaigns.change_convening", convening) is may_change
    assert user.has_perm("campaigns.view_invitations", convening) is may_change
    assert Convening.objects.visible_to(user).filter(pk=convening.pk).exists() is sees_draft


def test_invited_representative_sees_the_scheduled_convening(personas, uganda, uganda_member):
    convening = ConveningFactory(national_alliance=uganda)
    InvitationFactory(convening=convening, organisation=uganda_member)
    visible = Convening.objects.visible_to(personas["representative"])
    assert list(visible) == [convening]
    assert not Convening.objects.visible_to(personas["outsider"]).exists()


# The organisation's own word (signing for it, confirming a changed text in its name):
# no role gives it, not even a superuser's, to which Django grants every other permission.
@pytest.mark.parametrize(
    ("persona", "may_sign", "may_confirm"),
    [
        ("convenor", False, False),
        ("superuser_convenor", False, False),
        ("uganda_coordinator", False, False),
        ("brazil_coordinator", False, False),
        ("representative", True, True),
        ("outsider", False, False),
        ("anonymous", False, False),
    ],
)
def test_only_the_organisations_own_people_sign_or_confirm_in_its_name(
    personas, uganda_member, persona, may_sign, may_confirm
):
    statement = StatementFactory()
    SignOnRequestFactory(statement=statement, organisation=uganda_member)
    signature = SignatureFactory(statement=statement, organisation=uganda_member)
    user = _user(personas, persona)
    assert user.has_perm("statements.sign_statement", statement) is may_sign
    assert user.has_perm("statements.confirm_signature", signature) is may_confirm


def test_a_superuser_who_is_one_of_an_organisations_people_signs_for_it(
    superuser_convenor, uganda_member
):
    ContactFactory(organisation=uganda_member, user=superuser_convenor, authorised_to_sign=True)
    statement = StatementFactory()
    SignOnRequestFactory(statement=statement, organisation=uganda_member)
    signature = SignatureFactory(statement=statement, organisation=uganda_member)
    assert superuser_convenor.has_perm("statements.sign_statement", statement)
    assert superuser_convenor.has_perm("statements.confirm_signature", signature)
