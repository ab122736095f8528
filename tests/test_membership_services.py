"""Applying to join, confirming the applicant's address, and deciding on memberships."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alliance.core.audit.models import AuditEntry
from alliance.core.outbox.models import OutgoingMessage
from members import services
from members.models import Contact, Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, PrinciplesFactory


@pytest.fixture
def principles(db):
    return PrinciplesFactory(version=1, language="fr", title="Nos principes partagés")


def _apply(uganda, principles, **organisation):
    return services.apply_to_join(
        organisation=Organisation(
            name=organisation.get("name", "Tororo Youth Movement"),
            kind="movement",
            country=organisation.get("country", "UG"),
            website=organisation.get("website", "https://tororo-youth.example"),
        ),
        applicant=services.Applicant(
            name="Okello James", email="okello@tororo.example", language="fr"
        ),
        principles_version=principles.version,
        seen_by=None,
    )


def test_application_records_the_principles_endorsed_and_asks_to_verify(uganda, principles):
    membership = _apply(uganda, principles)
    assert membership.status == Membership.Status.APPLIED
    assert membership.principles == principles
    assert membership.endorsed_by.email == "okello@tororo.example"
    assert membership.organisation.global_south is True
    message = OutgoingMessage.objects.get(template="contact_verification")
    assert message.to_email == "okello@tororo.example"
    assert message.language == "fr"
    assert message.context["path"].startswith("/members/verify/")
    assert AuditEntry.objects.for_object(membership).get().action == "membership.applied"


def test_the_application_goes_to_the_alliance_of_the_organisations_country(
    uganda, brazil, principles
):
    assert _apply(uganda, principles).national_alliance == uganda
    assert _apply(uganda, principles, name="Sem Terra", country="BR").national_alliance == brazil
    assert _apply(uganda, principles, name="Kathmandu Hub", country="NP").national_alliance is None


def test_second_application_to_the_same_alliance_is_refused(uganda, principles):
    membership = _apply(uganda, principles)
    with pytest.raises(ValidationError, match="cannot apply there"):
        services.apply_to_join(
            organisation=membership.organisation,
            applicant=services.Applicant(name="Other", email="other@tororo.example"),
            principles_version=principles.version,
            seen_by=None,
        )
    assert Membership.objects.filter(organisation=membership.organisation).count() == 1


def test_duplicates_are_found_by_website_domain_or_name_and_country(convenor):
    existing = OrganisationFactory(
        name="Land Rights Now", country="KE", website="https://www.landrights.example/about"
    )
    assert list(
        services.find_duplicates(
            name="Something else",
            country="UG",
            website="http://landrights.example",
            seen_by=convenor,
        )
    ) == [existing]
    assert list(
        services.find_duplicates(name="land rights now ", country="KE", seen_by=convenor)
    ) == [existing]
    assert not services.find_duplicates(
        name="Land Rights Now", country="UG", seen_by=convenor
    ).exists()


def test_verification_link_confirms_once_and_refuses_forgeries(uganda, principles):
    membership = _apply(uganda, principles)
    token = services.verification_token(membership.endorsed_by)
    contact = services.verify_contact_email(token=token)
    assert contact.email_verified_at is not None
    first = contact.email_verified_at
    assert services.verify_contact_email(token=token).email_verified_at == first
    with pytest.raises(ValidationError):
        services.verify_contact_email(token=token + "x")


def test_verification_page_does_nothing_on_get_and_confirms_on_post(client, uganda, principles):
    membership = _apply(uganda, principles)
    url = OutgoingMessage.objects.get(template="contact_verification").context["path"]
    assert client.get(url).status_code == 200
    assert Contact.objects.get(pk=membership.endorsed_by_id).email_verified_at is None
    response = client.post(url)
    assert response.status_code == 200
    assert Contact.objects.get(pk=membership.endorsed_by_id).email_verified_at is not None


def test_coordinator_approves_and_the_applicant_hears_in_their_language(
    uganda, uganda_coordinator, principles
):
    membership = _apply(uganda, principles)
    services.decide_membership(
        membership=membership, status=Membership.Status.APPROVED, decided_by=uganda_coordinator
    )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert membership.decided_by == uganda_coordinator
    assert membership.joined_at is not None
    message = OutgoingMessage.objects.get(template="membership_approved")
    assert (message.to_email, message.language) == ("okello@tororo.example", "fr")
    entry = AuditEntry.objects.for_object(membership).filter(action="membership.approved").get()
    assert entry.actor == uganda_coordinator
    assert entry.changes == {"status": ["applied", "approved"]}


def test_coordinator_of_another_alliance_cannot_decide(uganda, brazil_coordinator, principles):
    membership = _apply(uganda, principles)
    with pytest.raises(PermissionDenied):
        services.decide_membership(
            membership=membership, status=Membership.Status.APPROVED, decided_by=brazil_coordinator
        )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPLIED


def test_declining_needs_a_reason_that_the_applicant_reads(uganda, convenor, principles):
    membership = _apply(uganda, principles)
    with pytest.raises(ValidationError, match="reason"):
        services.decide_membership(
            membership=membership,
            status=Membership.Status.DECLINED,
            decided_by=convenor,
            reason="  ",
        )
    services.decide_membership(
        membership=membership,
        status=Membership.Status.DECLINED,
        decided_by=convenor,
        reason="Not a civil-society organisation.",
    )
    message = OutgoingMessage.objects.get(template="membership_declined")
    assert message.context["reason"] == "Not a civil-society organisation."


def test_impossible_transitions_are_refused(uganda, convenor):
    membership = MembershipFactory(national_alliance=uganda, status=Membership.Status.DECLINED)
    with pytest.raises(ValidationError, match="cannot become"):
        services.decide_membership(
            membership=membership, status=Membership.Status.APPROVED, decided_by=convenor
        )


def test_suspend_and_reinstate_keep_the_first_joining_date(uganda, convenor):
    membership = MembershipFactory(national_alliance=uganda)
    joined = membership.joined_at
    services.decide_membership(
        membership=membership,
        status=Membership.Status.SUSPENDED,
        decided_by=convenor,
        reason="Under review",
    )
    services.decide_membership(
        membership=membership, status=Membership.Status.APPROVED, decided_by=convenor
    )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert membership.joined_at == joined


@pytest.mark.parametrize(
    "status", [Membership.Status.DECLINED, Membership.Status.SUSPENDED, Membership.Status.LEFT]
)
def test_every_negative_decision_needs_a_reason(uganda, convenor, status):
    current = Membership.Status.APPLIED if status == "declined" else Membership.Status.APPROVED
    membership = MembershipFactory(national_alliance=uganda, status=current)
    with pytest.raises(ValidationError, match="reason"):
        services.decide_membership(
            membership=membership, status=status, decided_by=convenor, reason=""
        )
    membership.refresh_from_db()
    assert membership.status == current
