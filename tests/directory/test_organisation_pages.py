"""The organisation page, editing the profile and its contacts, and the contact's
personal data (export, erase): who may do what, and what ends up in the history."""

import json

import pytest
from django.urls import reverse

from alliance.core.audit.models import AuditEntry
from members.models import Contact, Membership
from tests.factories import (
    ContactFactory,
    ConveningFactory,
    FocusAreaFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    SignatureFactory,
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
# Who may change a Ugandan member: convenors, Uganda's coordinators, its own people.
MAY_CHANGE = {*CONVENORS, "uganda_coordinator", "representative"}


def expected_status(persona: str, allowed: set[str]) -> int:
    if persona in allowed:
        return 200
    return 302 if persona == "anonymous" else 403  # anonymous: to the login page


@pytest.fixture
def contact(uganda_member):
    return ContactFactory(
        organisation=uganda_member, name="Agnes Auma", email="agnes@kapchorwa.test"
    )


@pytest.fixture
def page_url(uganda_member):
    return reverse("members:organisation", kwargs={"slug": uganda_member.slug})


@pytest.mark.parametrize("persona", PERSONAS)
def test_organisation_page_shows_private_parts_only_to_who_may_see_them(
    personas, client_for, uganda_member, contact, page_url, persona
):
    uganda_member.internal_notes = "Funding from the EU ends in June."
    uganda_member.save()

    response = client_for(personas[persona]).get(page_url)

    assert response.status_code == 200
    html = response.content.decode()
    assert uganda_member.name in html
    assert ("agnes@kapchorwa.test" in html) is (persona in MAY_CHANGE)
    assert ("Funding from the EU" in html) is (persona in {*CONVENORS, "uganda_coordinator"})
    assert (response.context["history"] is not None) is (persona in MAY_CHANGE)
    assert ("Edit profile" in html) is (persona in MAY_CHANGE)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", 200),
        ("superuser_convenor", 200),
        ("uganda_coordinator", 200),
        ("brazil_coordinator", 404),
        ("representative", 404),
        ("outsider", 404),
        ("anonymous", 404),
    ],
)
def test_an_applicant_is_seen_by_its_alliance_and_convenors_only(
    personas, client_for, uganda, representative, persona, expected
):
    applicant = OrganisationFactory(name="Hopeful applicant", country="UG")
    MembershipFactory(
        organisation=applicant, national_alliance=uganda, status=Membership.Status.APPLIED
    )
    url = reverse("members:organisation", kwargs={"slug": applicant.slug})

    assert client_for(personas[persona]).get(url).status_code == expected


def test_page_lists_memberships_public_signatures_and_invitations(
    client_for, convenor, uganda_member, page_url
):
    published = StatementFactory(status="published", text__title="Davos statement")
    SignatureFactory(statement=published, organisation=uganda_member)
    unlisted = StatementFactory(status="published", text__title="Quiet statement")
    SignatureFactory(statement=unlisted, organisation=uganda_member, listed_publicly=False)
    InvitationFactory(
        organisation=uganda_member, convening=ConveningFactory(title="Kampala assembly")
    )

    public = client_for(None).get(page_url)
    assert [s.statement_id for s, text in public.context["signatures"]] == [published.pk]
    assert "Davos statement" in public.content.decode()
    assert list(public.context["invitations"]) == []
    assert [m.status for m in public.context["memberships"]] == ["approved"]

    full = client_for(convenor).get(page_url).content.decode()
    assert "Kampala assembly" in full
    assert "counted, not listed publicly" in full


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_edit_an_organisation(personas, client_for, uganda_member, persona):
    url = reverse("members:organisation_edit", kwargs={"slug": uganda_member.slug})

    response = client_for(personas[persona]).get(url)

    assert response.status_code == expected_status(persona, MAY_CHANGE)


def test_internal_notes_are_not_offered_to_the_representative(
    client_for, representative, uganda_member
):
    url = reverse("members:organisation_edit", kwargs={"slug": uganda_member.slug})

    form = client_for(representative).get(url).context["form"]

    assert "internal_notes" not in form.fields


def test_edit_saves_and_shows_in_the_history(client_for, uganda_coordinator, uganda_member):
    land = FocusAreaFactory(slug="land", name="Land rights")
    url = reverse("members:organisation_edit", kwargs={"slug": uganda_member.slug})
    client = client_for(uganda_coordinator)
    data = {
        "name": uganda_member.name,
        "short_name": "KWFC",
        "kind": "womens_rights",
        "country": "KE",
        "city": "Kitale",
        "focus_areas": [land.pk],
        "website": "kwfc.example.org",
        "description": "",
        "languages": "en, sw",
        "listed_publicly": "on",
        "internal_notes": "",
    }

    response = client.post(url, data)

    assert response.status_code == 302
    uganda_member.refresh_from_db()
    assert (uganda_member.city, uganda_member.country.code, uganda_member.region) == (
        "Kitale",
        "KE",
        "africa",
    )
    assert uganda_member.languages == ["en", "sw"]
    entry = AuditEntry.objects.for_object(uganda_member).get()
    assert entry.actor == uganda_coordinator
    assert entry.action == "organisation.updated"
    assert entry.changes["city"] == ["Kapchorwa", "Kitale"]
    assert entry.changes["country"] == ["UG", "KE"]
    assert entry.changes["focus_areas"] == [[], ["Land rights"]]
    assert "name" not in entry.changes
    page = client.get(response.url).content.decode()
    assert "Profile changed" in page and "City: Kapchorwa → Kitale" in page


def test_saving_without_a_change_records_nothing(client_for, convenor, uganda_member):
    url = reverse("members:organisation_edit", kwargs={"slug": uganda_member.slug})
    client = client_for(convenor)
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data["focus_areas"] = []
    data["listed_publicly"] = "on"

    client.post(url, data)

    assert not AuditEntry.objects.for_object(uganda_member).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_add_a_contact(personas, client_for, uganda_member, persona):
    url = reverse("members:contact_add", kwargs={"slug": uganda_member.slug})
    data = {
        "name": "New Person",
        "email": "new@kapchorwa.test",
        "role": "Treasurer",
        "language": "en",
        "consent_given_at": "2026-01-05T10:00",
        "consent_text": "Agreed at the general assembly.",
    }

    response = client_for(personas[persona]).post(url, data)

    added = Contact.objects.filter(email="new@kapchorwa.test").first()
    if persona in MAY_CHANGE:
        assert response.status_code == 302
        assert added.consent_text == "Agreed at the general assembly."
        assert AuditEntry.objects.for_object(added).get().action == "contact.added"
    else:
        assert response.status_code == (302 if persona == "anonymous" else 403)
        assert added is None


def test_a_contact_needs_a_consent_record(client_for, convenor, uganda_member):
    url = reverse("members:contact_add", kwargs={"slug": uganda_member.slug})

    response = client_for(convenor).post(url, {"name": "No Consent", "language": "en"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"consent_given_at", "consent_text"}


def test_editing_a_contact_is_recorded(client_for, representative, contact):
    url = reverse(
        "members:contact_edit", kwargs={"slug": contact.organisation.slug, "pk": contact.pk}
    )
    data = {
        "name": contact.name,
        "email": contact.email,
        "role": "Programme officer",
        "language": "fr",
        "consent_given_at": "2026-01-05T10:00",
        "consent_text": contact.consent_text,
    }

    assert client_for(representative).post(url, data).status_code == 302

    contact.refresh_from_db()
    assert (contact.role, contact.language) == ("Programme officer", "fr")
    entry = AuditEntry.objects.for_object(contact).get()
    assert entry.changes["role"] == ["", "Programme officer"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_convenors_export_a_contact(personas, client_for, contact, persona):
    url = reverse(
        "members:contact_export", kwargs={"slug": contact.organisation.slug, "pk": contact.pk}
    )

    response = client_for(personas[persona]).post(url)

    assert response.status_code == expected_status(persona, CONVENORS)
    exported = AuditEntry.objects.for_object(contact).filter(action="contact.exported")
    assert exported.exists() is (persona in CONVENORS)


def test_export_holds_everything_about_the_contact(client_for, convenor, representative):
    contact = Contact.objects.get(user=representative)
    url = reverse(
        "members:contact_export", kwargs={"slug": contact.organisation.slug, "pk": contact.pk}
    )

    response = client_for(convenor).post(url)

    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    export = json.loads(response.content)
    assert export["contact"]["email"] == "rep@kapchorwa.test"
    assert export["contact"]["consent_text"] == contact.consent_text
    assert export["login"]["email"] == representative.email


def test_export_is_a_post_never_a_get(client_for, convenor, contact):
    url = reverse(
        "members:contact_export", kwargs={"slug": contact.organisation.slug, "pk": contact.pk}
    )

    assert client_for(convenor).get(url).status_code == 405


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_convenors_erase_a_contact(personas, client_for, contact, persona):
    url = reverse(
        "members:contact_erase", kwargs={"slug": contact.organisation.slug, "pk": contact.pk}
    )

    response = client_for(personas[persona]).post(url)

    contact.refresh_from_db()
    if persona in CONVENORS:
        assert response.status_code == 302
        assert contact.erased_at is not None
    else:
        assert response.status_code == (302 if persona == "anonymous" else 403)
        assert contact.erased_at is None


def test_erasing_removes_personal_data_keeps_the_row_and_is_audited(
    client_for, convenor, representative, uganda_member
):
    contact = Contact.objects.get(user=representative)
    membership = uganda_member.memberships.get()
    membership.endorsed_by = contact
    membership.save()
    edit = reverse("members:contact_edit", kwargs={"slug": uganda_member.slug, "pk": contact.pk})
    client = client_for(convenor)
    client.post(
        edit,
        {
            "name": "Sarah C.",
            "email": contact.email,
            "language": "en",
            "consent_given_at": "2026-01-05T10:00",
            "consent_text": "Form",
        },
    )
    erase = reverse("members:contact_erase", kwargs={"slug": uganda_member.slug, "pk": contact.pk})

    assert "Sarah C." in client.get(erase).content.decode()  # asks first
    client.post(erase)

    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.role, contact.consent_text) == ("", "", "", "")
    assert contact.user is None and contact.erased_at is not None
    membership.refresh_from_db()
    assert membership.endorsed_by == contact
    entries = AuditEntry.objects.for_object(contact)
    assert entries.filter(action="contact.erased", actor=convenor).exists()
    # The earlier entry recorded the names: they are gone too.
    assert "Sarah" not in json.dumps(list(entries.values_list("changes", flat=True)))
    page = client.get(reverse("members:organisation", kwargs={"slug": uganda_member.slug}))
    assert "Sarah" not in page.content.decode()


def test_organisation_page_runs_the_same_queries_for_few_or_many_rows(
    client_for, convenor, uganda_member, page_url
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members import profiles

    client = client_for(convenor)

    def add_rows(n):
        for _ in range(n):
            contact = ContactFactory(organisation=uganda_member)
            profiles.save_contact(
                organisation=uganda_member,
                contact=contact,
                changed_by=convenor,
                data={"role": f"Role {contact.pk}"},
            )
            SignatureFactory(
                organisation=uganda_member, statement=StatementFactory(status="published")
            )
            InvitationFactory(organisation=uganda_member)

    def count_queries():
        client.get(page_url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url).status_code == 200
        return len(queries)

    add_rows(1)
    few = count_queries()
    add_rows(10)

    assert count_queries() == few


def test_erasing_a_contact_unnames_their_signatures_but_keeps_them_counted(
    convenor, representative, uganda_member
):
    from members.profiles import erase_contact
    from statements.models import Signature
    from tests.factories import SignatureFactory

    contact = Contact.objects.get(user=representative)
    signature = SignatureFactory(
        organisation=uganda_member,
        contact=contact,
        signatory_name="Sarah Chebet",
        email="rep@kapchorwa.test",
        listed_publicly=True,
    )

    erase_contact(contact=contact, erased_by=convenor)

    signature.refresh_from_db()
    assert signature.signatory_name == "[erased]"
    assert signature.email == ""
    assert signature.listed_publicly is False
    assert signature.status == Signature.Status.CONFIRMED
    assert signature in Signature.objects.counted()


def test_erasing_a_contact_unnames_them_where_they_acted(convenor, representative, uganda_member):
    from alliance.core.audit.services import record
    from members.profiles import ERASED, erase_contact

    contact = Contact.objects.get(user=representative)
    address = contact.email
    by_account = record(actor=representative, action="organisation.updated", target=uganda_member)
    by_label = record(
        actor_label=f"Sarah Chebet <{address.upper()}>",
        action="signature.submitted",
        target=uganda_member,
    )
    by_address = record(actor_label=address, action="contact.email_verified", target=contact)
    someone_else = record(
        actor_label=f"Other Person <h{address}>", action="signature.submitted", target=uganda_member
    )

    erase_contact(contact=contact, erased_by=convenor)

    for entry in (by_account, by_label, by_address):
        entry.refresh_from_db()
        assert entry.actor_label == ERASED, entry.action
    someone_else.refresh_from_db()
    assert someone_else.actor_label == f"Other Person <h{address}>"
    erased = AuditEntry.objects.get(action="contact.erased")
    assert erased.actor == convenor and erased.actor_label == str(convenor)
