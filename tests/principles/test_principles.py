"""Publishing a new version of the principles and members endorsing it (issue 3)."""

import re

import pytest
from django.core import signing
from django.urls import reverse

from alliance.core.audit.models import AuditEntry
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from members import principles as services
from members.models import Membership, Principles
from tests.factories import (
    ContactFactory,
    MembershipFactory,
    OrganisationFactory,
    PrinciplesFactory,
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
ENGLISH = ("Our shared principles, revised", "We fight inequality **together**.")
FRENCH = ("Nos principes communs, révisés", "Nous combattons les inégalités **ensemble**.")


def publish_form(**extra):
    data = {
        "title_en": ENGLISH[0],
        "text_en": ENGLISH[1],
        "title_fr": FRENCH[0],
        "text_fr": FRENCH[1],
        "note": "Adds a section on tax justice.",
    }
    data.update(extra)
    return data


def publish_v2(convenor, **texts):
    return services.publish_principles(
        texts=texts or {"en": ENGLISH, "fr": FRENCH},
        note="Adds a section on tax justice.",
        published_by=convenor,
    )


def link_path(message: OutgoingMessage) -> str:
    return message.context["path"]


@pytest.fixture
def french_contact(brazil_member):
    return ContactFactory(
        organisation=brazil_member, name="Amélie Martin", language="fr", authorised_to_sign=True
    )


# Permission matrices ---------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_the_principles_but_only_convenors_see_who_has_not_endorsed(
    persona, personas, client_for, uganda_member
):
    response = client_for(personas[persona]).get(reverse("members:principles"))
    assert response.status_code == 200
    assert "We fight inequality by building power from below." in response.content.decode()
    sees_endorsements = b"Endorsements" in response.content
    assert sees_endorsements == (persona in CONVENORS)


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("convenor", 200),
        ("superuser_convenor", 200),
        ("uganda_coordinator", 403),
        ("brazil_coordinator", 403),
        ("representative", 403),
        ("outsider", 403),
        ("anonymous", 302),
    ],
)
def test_only_convenors_open_the_publish_form(persona, expected, personas, client_for):
    PrinciplesFactory()
    response = client_for(personas[persona]).get(reverse("members:principles_publish"))
    assert response.status_code == expected
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_convenors_publish_a_new_version(persona, personas, client_for):
    PrinciplesFactory()
    response = client_for(personas[persona]).post(
        reverse("members:principles_publish"), publish_form()
    )
    published = Principles.objects.filter(version=2).exists()
    assert published == (persona in CONVENORS)
    if persona in CONVENORS:
        assert response.status_code == 302
    else:
        assert response.status_code == (302 if persona == "anonymous" else 403)
        assert not OutgoingMessage.objects.filter(key__startswith="principles-endorse").exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_endorsement_link_works_whoever_is_logged_in(
    persona, personas, client_for, convenor, uganda_member
):
    """The token is the authority: a contact may open it from any browser."""
    contact = ContactFactory(organisation=uganda_member, authorised_to_sign=True)
    publish_v2(convenor)
    token = services.endorsement_token(contact, 2)
    client = client_for(personas[persona])
    path = reverse("members:principles_endorse", kwargs={"token": token})
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert Membership.objects.get(organisation=uganda_member).principles.version == 2


# Publishing ------------------------------------------------------------------------


def test_publishing_creates_the_next_version_in_each_language_given(convenor):
    PrinciplesFactory()
    PrinciplesFactory(language="fr", title="Nos principes")

    version = publish_v2(convenor)

    assert version == 2
    rows = {p.language: p for p in Principles.objects.filter(version=2)}
    assert set(rows) == {"en", "fr"}
    assert rows["fr"].title == FRENCH[0]
    assert all(row.published_at for row in rows.values())
    assert Principles.objects.current("fr") == rows["fr"]
    assert Principles.objects.current("es") == rows["en"]
    entry = AuditEntry.objects.get(action="principles.published")
    assert entry.actor == convenor
    assert entry.changes == {"version": [1, 2]}
    assert entry.note == "Adds a section on tax justice."


def test_the_form_needs_english_and_both_title_and_text_of_another_language(client_for, convenor):
    PrinciplesFactory()
    client = client_for(convenor)

    no_english = client.post(
        reverse("members:principles_publish"), publish_form(title_en="", text_en="")
    )
    half_spanish = client.post(
        reverse("members:principles_publish"), publish_form(title_es="Nuestros principios")
    )

    assert no_english.status_code == half_spanish.status_code == 200
    assert "Give both the title and the text, or neither." in half_spanish.content.decode()
    assert not Principles.objects.filter(version=2).exists()


def test_publishing_emails_the_signing_contacts_of_approved_members_in_their_language(
    convenor, representative, uganda_member, uganda, french_contact
):
    ContactFactory(organisation=uganda_member, authorised_to_sign=False, email="no@x.test")
    applicant = OrganisationFactory(name="Still Applying")
    MembershipFactory(
        organisation=applicant, national_alliance=uganda, status=Membership.Status.APPLIED
    )
    ContactFactory(organisation=applicant, email="applicant@x.test")

    publish_v2(convenor)

    messages = {m.to_email: m for m in OutgoingMessage.objects.all()}
    assert set(messages) == {representative.email, french_contact.email}
    french = messages[french_contact.email]
    assert french.key == f"principles-endorse:2:{french_contact.pk}"
    assert french.language == "fr"
    email = render(french)
    assert FRENCH[0] in email.body
    assert "Adds a section on tax justice." in email.body
    assert link_path(french) in email.body
    english = render(messages[representative.email])
    assert ENGLISH[0] in english.body
    assert "version 2" in english.subject


def test_the_link_in_the_email_names_the_contact_and_the_version(convenor, representative):
    publish_v2(convenor)

    message = OutgoingMessage.objects.get(to_email=representative.email)
    token = re.fullmatch(r"/members/principles/endorse/([^/]+)/", link_path(message)).group(1)
    contact, principles = services.read_endorsement_token(token)
    assert contact.user == representative
    assert (principles.version, principles.language) == (2, "en")


def test_sending_the_requests_again_sends_nothing_twice(convenor, representative):
    publish_v2(convenor)
    assert OutgoingMessage.objects.count() == 1

    services.ask_members_to_endorse(version=2, note="again")

    assert OutgoingMessage.objects.count() == 1


# Endorsing -------------------------------------------------------------------------


@pytest.fixture
def published(convenor, representative, uganda_member):
    """Version 2 published; the representative's endorsement link."""
    publish_v2(convenor)
    message = OutgoingMessage.objects.get(to_email=representative.email)
    return link_path(message)


def test_opening_the_link_shows_the_new_text_and_changes_nothing(client, published, uganda_member):
    before = AuditEntry.objects.count()

    response = client.get(published)

    assert response.status_code == 200
    assert "We fight inequality <strong>together</strong>." in response.content.decode()
    assert Membership.objects.get(organisation=uganda_member).principles.version == 1
    assert AuditEntry.objects.count() == before


def test_endorsing_records_the_version_who_and_when_on_every_current_membership(
    client, published, representative, uganda_member, brazil
):
    other = MembershipFactory(
        organisation=uganda_member, national_alliance=None, status=Membership.Status.SUSPENDED
    )
    ended = MembershipFactory(
        organisation=uganda_member, national_alliance=brazil, status=Membership.Status.LEFT
    )

    response = client.post(published, follow=True)

    assert "endorses version 2" in response.content.decode()
    contact = representative.contact
    approved = Membership.objects.get(organisation=uganda_member, status="approved")
    other.refresh_from_db()
    for membership in (approved, other):
        assert (membership.principles.version, membership.endorsed_by) == (2, contact)
    ended.refresh_from_db()
    assert ended.principles.version == 1
    entries = AuditEntry.objects.filter(action="membership.principles_endorsed")
    assert entries.count() == 2
    assert all(e.actor == representative and e.created_at for e in entries)
    assert entries.first().changes["principles"][1] == "v2 (en)"


def test_endorsing_twice_is_harmless(client, published, uganda_member):
    client.post(published)
    second = client.post(published, follow=True)

    assert second.status_code == 200
    assert AuditEntry.objects.filter(action="membership.principles_endorsed").count() == 1
    assert Membership.objects.get(organisation=uganda_member).principles.version == 2


def test_a_french_contact_endorses_the_french_text(client, convenor, french_contact):
    publish_v2(convenor)
    message = OutgoingMessage.objects.get(to_email=french_contact.email)

    client.post(link_path(message))

    membership = Membership.objects.get(organisation=french_contact.organisation)
    assert (membership.principles.version, membership.principles.language) == (2, "fr")


def test_an_old_link_never_replaces_a_newer_endorsement(client, convenor, representative):
    publish_v2(convenor)
    old_link = link_path(OutgoingMessage.objects.get(key__startswith="principles-endorse:2:"))
    publish_v2(convenor, en=("Version three", "Text three."))
    client.post(link_path(OutgoingMessage.objects.get(key__startswith="principles-endorse:3:")))

    client.post(old_link)

    assert (
        Membership.objects.get(organisation=representative.contact.organisation).principles.version
        == 3
    )


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.dumps({"contact": 1, "email": "rep@kapchorwa.test", "version": 2}, salt="other"),
    ],
    ids=["garbage", "wrong-key"],
)
def test_a_forged_link_is_refused(client, published, uganda_member, token):
    path = reverse("members:principles_endorse", kwargs={"token": token})

    assert client.get(path).status_code == 400
    assert client.post(path).status_code == 400
    assert Membership.objects.get(organisation=uganda_member).principles.version == 1


def test_a_link_for_a_contact_no_longer_authorised_is_refused(client, published, representative):
    representative.contact.__class__.objects.filter(pk=representative.contact.pk).update(
        authorised_to_sign=False
    )

    assert client.post(published).status_code == 400


# What convenors see ----------------------------------------------------------------


def test_convenors_see_the_members_that_have_not_endorsed_the_newest_version(
    client_for, convenor, published, representative, uganda_member, brazil_member
):
    client_for(None).post(published)

    page = client_for(convenor).get(reverse("members:principles")).content.decode()

    assert "1 member has not endorsed version 2 yet." in page
    section = page.split('id="not-endorsed"')[1].split("</ul>")[0]
    assert brazil_member.name in section
    assert uganda_member.name not in section
    # Not endorsing does not end the membership.
    assert Membership.objects.get(organisation=brazil_member).status == "approved"


def test_the_page_shows_the_readers_language_and_lists_earlier_versions(client, convenor):
    PrinciplesFactory()
    publish_v2(convenor)

    page = client.get(reverse("members:principles"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    earlier = client.get(reverse("members:principles_version", args=[1])).content.decode()

    assert FRENCH[0] in page
    assert reverse("members:principles_version", args=[1]) in page
    assert "We fight inequality by building power from below." in earlier
    assert client.get(reverse("members:principles_version", args=[9])).status_code == 404


def test_the_principles_page_runs_a_fixed_number_of_queries(
    client_for, convenor, django_assert_max_num_queries
):
    PrinciplesFactory()
    for n in range(20):
        MembershipFactory(organisation=OrganisationFactory(name=f"Group {n}"))
    publish_v2(convenor)
    client = client_for(convenor)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("members:principles"))

    assert response.content.decode().count("Group ") >= 20
