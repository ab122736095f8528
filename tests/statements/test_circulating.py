"""Step 2: a convenor picks organisations, sees how many people will be written to, and
sends; each authorised contact gets a personal link in their language; the tracking
board shows the answers."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
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
from tests.statements.conftest import in_days


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
    # 12 for the board, 2 for its charts (tests/statements/test_tracking_charts.py).
    with django_assert_max_num_queries(14):
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


# --- The deadline ------------------------------------------------------------------------


def test_a_statement_past_its_deadline_cannot_be_circulated(convenor, draft, uganda_contacts):
    draft.signon_closes_at = in_days(-1)
    draft.embargo_until = in_days(1)
    draft.save()
    with pytest.raises(ValidationError, match="deadline to sign has passed"):
        services.circulate(
            statement=draft, organisations=Organisation.objects.all(), sent_by=convenor
        )
    assert not SignOnRequest.objects.exists()
    assert not OutgoingMessage.objects.exists()


def test_the_circulate_page_says_why_a_statement_past_its_deadline_is_not_sent(
    client, convenor, draft, uganda, uganda_contacts
):
    draft.signon_closes_at = in_days(-1)
    draft.save()
    client.force_login(convenor)
    response = client.post(
        f"/statements/{draft.slug}/circulate/", {"membership_status": "approved"}, follow=True
    )
    assert "The deadline to sign has passed" in response.content.decode()
    assert not SignOnRequest.objects.exists()


def edit_data(statement, **overrides):
    """The edit form as the page fills it in (every language's text), with `overrides`."""
    texts = {text.language: text for text in statement.current_version().texts.all()}
    data = {
        "original_language": "en",
        "signon_closes_at": timezone.localtime(statement.signon_closes_at).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "embargo_until": "",
        "audience": statement.audience,
        "moderation": "",
        "reminder_offsets": "",
    }
    for language, text in texts.items():
        data.update(
            {
                f"{language}-title": text.title,
                f"{language}-summary": text.summary,
                f"{language}-body": text.body,
            }
        )
    data.update(overrides)
    return data


@pytest.fixture
def circulated(convenor, draft, uganda_contacts, brazil_contact):
    services.circulate(statement=draft, organisations=Organisation.objects.all(), sent_by=convenor)
    OutgoingMessage.objects.all().delete()
    return draft


def test_the_edit_form_asks_whether_to_tell_invitees_only_once_circulated(
    client, convenor, draft, uganda_contacts
):
    client.force_login(convenor)
    form = client.get(f"/statements/{draft.slug}/edit/").context["form"]
    assert "tell_invitees" not in form.fields
    services.circulate(statement=draft, organisations=Organisation.objects.all(), sent_by=convenor)
    form = client.get(f"/statements/{draft.slug}/edit/").context["form"]
    assert "tell_invitees" in form.fields


@pytest.mark.parametrize("tell", [True, False])
def test_a_new_deadline_is_told_to_every_invited_contact_in_their_language_if_asked(
    client, convenor, circulated, tell
):
    client.force_login(convenor)
    new_deadline = timezone.localtime(circulated.signon_closes_at + dt.timedelta(days=7))
    data = edit_data(circulated, signon_closes_at=new_deadline.strftime("%Y-%m-%dT%H:%M"))
    if tell:
        data["tell_invitees"] = "on"
    response = client.post(f"/statements/{circulated.slug}/edit/", data)

    assert response.status_code == 302
    told = OutgoingMessage.objects.filter(template="statement_deadline_changed")
    if not tell:
        assert not told.exists()
        return
    assert sorted(told.values_list("to_email", "language")) == [
        ("amina@kapchorwa.test", "en"),
        ("jean@kapchorwa.test", "fr"),
        ("maria@mpa.test", "pt"),
    ]
    french = render(told.get(language="fr"))
    assert "La société civile" in french.subject
    assert "date limite" in french.body
    assert "Africa/Kampala" in french.body
    request = SignOnRequest.objects.get(organisation__contacts__email="jean@kapchorwa.test")
    assert f"/statements/s/{request.token}/" in french.body


def test_saving_without_changing_the_deadline_tells_nobody(client, convenor, circulated):
    client.force_login(convenor)
    data = edit_data(circulated, tell_invitees="on", **{"en-summary": "A new summary."})
    client.post(f"/statements/{circulated.slug}/edit/", data)
    assert not OutgoingMessage.objects.filter(template="statement_deadline_changed").exists()
