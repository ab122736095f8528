"""Step 2: a convenor picks organisations, sees how many people will be written to, and
sends; each authorised contact gets a personal link in their language; the tracking
board shows the answers."""

import pytest

from alliance.outbox.models import OutgoingMessage
from alliance.outbox.services import render
from members.models import Organisation
from statements import services
from statements.models import SignOnRequest, Statement
from tests.factories import (
    ContactFactory,
    MembershipFactory,
    OrganisationFactory,
    SignatureFactory,
    SignOnRequestFactory,
)


def test_preview_counts_organisations_and_authorised_contacts(
    draft, uganda_contacts, brazil_contact, uganda
):
    preview = services.preview_circulation(
        statement=draft, organisations=Organisation.objects.filter(country="UG")
    )
    assert (preview.organisations, preview.to_ask, preview.contacts) == (1, 1, 2)
    assert preview.without_contact == 0


def test_preview_leaves_out_organisations_already_asked(
    draft, uganda_member, brazil_member, uganda_contacts, brazil_contact
):
    SignOnRequestFactory(statement=draft, organisation=uganda_member)
    preview = services.preview_circulation(
        statement=draft, organisations=Organisation.objects.all()
    )
    assert (preview.organisations, preview.already_asked, preview.to_ask) == (2, 1, 1)
    assert preview.contacts == 1


def test_circulating_asks_each_organisation_and_writes_to_its_authorised_contacts(
    convenor, draft, uganda_contacts, brazil_contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = services.circulate(
            statement=draft, organisations=Organisation.objects.all(), sent_by=convenor
        )
    assert asked == 2
    draft.refresh_from_db()
    assert draft.status == Statement.Status.OPEN
    messages = OutgoingMessage.objects.filter(template="statement_invitation")
    assert sorted(messages.values_list("to_email", "language")) == [
        ("amina@kapchorwa.test", "en"),
        ("jean@kapchorwa.test", "fr"),
        ("maria@mpa.test", "pt"),
    ]


def test_the_invitation_is_in_the_contacts_language_with_a_personal_link(
    convenor, draft, uganda_contacts, uganda_member
):
    services.circulate(statement=draft, organisations=Organisation.objects.all(), sent_by=convenor)
    request = SignOnRequest.objects.get(organisation=uganda_member)
    jean = uganda_contacts[1]
    email = render(OutgoingMessage.objects.get(to_email=jean.email))
    assert "La société civile" in email.subject
    link = f"http://testserver/statements/s/{request.token}/?contact={jean.pk}&lang=fr"
    assert link in email.body
    assert "Kapchorwa" in email.body


def test_circulating_twice_asks_and_writes_only_once(convenor, draft, uganda_contacts):
    for _ in range(2):
        services.circulate(
            statement=draft, organisations=Organisation.objects.all(), sent_by=convenor
        )
    assert SignOnRequest.objects.count() == 1
    assert OutgoingMessage.objects.filter(template="statement_invitation").count() == 2


def test_a_published_statement_cannot_be_circulated(convenor, draft, uganda_contacts):
    draft.status = Statement.Status.PUBLISHED
    draft.save()
    with pytest.raises(Exception, match="draft or an open"):
        services.circulate(
            statement=draft, organisations=Organisation.objects.all(), sent_by=convenor
        )


def test_circulate_page_shows_the_counts_before_sending_and_sends_on_post(
    client, convenor, draft, uganda, uganda_contacts, brazil_contact
):
    client.force_login(convenor)
    query = {"national_alliance": uganda.pk, "membership_status": "approved"}
    html = client.get(f"/statements/{draft.slug}/circulate/", query).content.decode()
    assert "1 organisation will be asked to sign" in html
    assert "2 authorised contacts will receive an email." in html
    assert not SignOnRequest.objects.exists()
    response = client.post(f"/statements/{draft.slug}/circulate/", query)
    assert response.status_code == 302
    assert response["Location"] == f"/statements/{draft.slug}/tracking/"
    assert list(SignOnRequest.objects.values_list("organisation__country", flat=True)) == ["UG"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"country": "BR"}, {"Movimento dos Pequenos Agricultores"}),
        ({"kind": "womens_rights"}, {"Kapchorwa Women Farmers Cooperative"}),
        ({"membership_status": "applied"}, {"Applicant"}),
        ({}, {"Movimento dos Pequenos Agricultores", "Kapchorwa Women Farmers Cooperative"}),
    ],
)
def test_circulation_filters(
    client, convenor, draft, uganda_member, brazil_member, uganda, filters, expected
):
    applicant = OrganisationFactory(name="Applicant")
    MembershipFactory(organisation=applicant, national_alliance=uganda, status="applied")
    client.force_login(convenor)
    client.post(f"/statements/{draft.slug}/circulate/", filters)
    assert set(SignOnRequest.objects.values_list("organisation__name", flat=True)) == expected


def test_tracking_board_counts_answers_in_total_and_per_national_alliance(
    client,
    convenor,
    open_statement,
    uganda_member,
    brazil_member,
    uganda,
    django_assert_max_num_queries,
):
    signed_org = OrganisationFactory(name="Signed Org")
    MembershipFactory(organisation=signed_org, national_alliance=uganda)
    SignOnRequestFactory(statement=open_statement, organisation=signed_org, answer="signed")
    SignatureFactory(statement=open_statement, organisation=signed_org, signatory_name="Ruth")
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member, answer="declined")
    SignOnRequestFactory(statement=open_statement, organisation=brazil_member)
    for n in range(20):
        SignOnRequestFactory(statement=open_statement, organisation=OrganisationFactory())
    board = services.tracking(open_statement)
    assert (board.totals.signed, board.totals.declined, board.totals.no_reply) == (1, 1, 21)
    by_alliance = dict(board.by_alliance)
    assert (by_alliance[uganda.name].signed, by_alliance[uganda.name].declined) == (1, 1)
    assert by_alliance["Aliança Brasileira contra a Desigualdade"].no_reply == 1
    assert by_alliance["no national alliance"].no_reply == 20

    client.force_login(convenor)
    with django_assert_max_num_queries(13):
        html = client.get(f"/statements/{open_statement.slug}/tracking/").content.decode()
    assert "Signed Org" in html and "Ruth" in html
    assert '<span class="stat__number" id="total-no-reply">21</span>' in html


def test_tracking_board_filters_by_answer(
    client, convenor, open_statement, uganda_member, brazil_member
):
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member, answer="declined")
    SignOnRequestFactory(statement=open_statement, organisation=brazil_member)
    client.force_login(convenor)
    page = client.get(f"/statements/{open_statement.slug}/tracking/", {"answer": "declined"})
    rows = page.content.decode().split('id="organisations"')[1]
    assert uganda_member.name in rows
    assert brazil_member.name not in rows


def test_contacts_erased_or_without_email_are_not_written_to(convenor, draft, uganda_member):
    ContactFactory(organisation=uganda_member, email="")
    ContactFactory(organisation=uganda_member, erased_at="2020-01-01T00:00Z")
    services.circulate(statement=draft, organisations=Organisation.objects.all(), sent_by=convenor)
    assert SignOnRequest.objects.count() == 1
    assert not OutgoingMessage.objects.exists()
