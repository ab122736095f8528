"""What a reader of French, Spanish or Portuguese found in English (names kept in the
database or in code tables, messages made in another language than the page's), and the
times that named no zone or the wrong one. The language is chosen as a visitor chooses it:
the language cookie set by the switcher."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Convening
from members import profiles
from tests.factories import (
    CampaignFactory,
    ContactFactory,
    ConveningFactory,
    FocusAreaFactory,
    InvitationFactory,
    PrinciplesFactory,
)

# 14:00 UTC: 17:00 in Kampala, 11:00 in São Paulo.
STARTS = dt.datetime(2031, 3, 12, 14, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _translations(compiled_translations):
    pass


@pytest.fixture
def tax_justice(db):
    return FocusAreaFactory(
        slug="tax-justice",
        name="Tax justice",
        translations={"fr": "Justice fiscale", "es": "Justicia fiscal", "pt": "Justiça fiscal"},
    )


def reading(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


# --- Names kept in the database or in code tables -----------------------------------------


def test_the_join_form_names_focus_areas_in_the_readers_language(client, tax_justice):
    PrinciplesFactory()
    html = reading(client, "fr").get(reverse("members:apply")).content.decode()

    assert "Justice fiscale" in html
    assert "Tax justice" not in html


def test_the_profile_form_names_focus_areas_in_the_readers_language(
    client_for, representative, uganda_member, tax_justice
):
    client = reading(client_for(representative), "es")

    html = client.get(reverse("members:organisation_edit", args=[uganda_member.slug])).content
    assert "Justicia fiscal" in html.decode()
    assert "Tax justice" not in html.decode()


def test_the_dashboard_names_regions_in_the_readers_language(client_for, convenor, uganda_member):
    html = reading(client_for(convenor), "fr").get(reverse("members:dashboard")).content.decode()

    assert "Afrique" in html
    assert ">Africa<" not in html


def test_the_history_names_actions_and_fields_in_the_readers_language(
    client_for, convenor, uganda_member
):
    profiles.update_organisation(
        organisation=uganda_member, data={"city": "Mbale"}, changed_by=convenor
    )

    client = reading(client_for(convenor), "pt")
    html = client.get(reverse("members:organisation", args=[uganda_member.slug])).content.decode()

    assert "Perfil alterado" in html
    assert "Profile changed" not in html
    assert "Cidade: Kapchorwa → Mbale" in html


def test_import_row_errors_are_read_in_the_readers_language(client_for, convenor):
    client = client_for(convenor)
    content = b"name,kind,country\nGulu Youth Voice,grassroots,Atlantis\n"
    uploaded = client.post(
        reverse("members:import_upload"),
        {"file": SimpleUploadedFile("a.csv", content, "text/csv")},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = reading(client, "fr").get(uploaded["Location"]).content.decode()

    assert "Pays inconnu &#x27;Atlantis&#x27;" in html
    assert "Unknown country" not in html


@pytest.mark.parametrize(("language", "label"), [("es", "Zona horaria"), ("pt", "Fuso horário")])
def test_the_preferences_label_the_time_zone_in_the_readers_language(
    client_for, representative, language, label
):
    html = reading(client_for(representative), language).get("/me/").content.decode()

    assert f">{label}</label>" in html


def test_a_campaign_under_way_says_so_in_french(client, db):
    CampaignFactory(title="Fight inequality", is_public=True)

    html = reading(client, "fr").get(reverse("campaigns:campaigns")).content.decode()

    assert ">en cours</span>" in html


# --- Times --------------------------------------------------------------------------------


@pytest.fixture
def invitation(uganda, uganda_member):
    convening = ConveningFactory(
        title="Uganda national assembly",
        national_alliance=uganda,
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=3),
        time_zone="Africa/Kampala",
        status=Convening.Status.SCHEDULED,
    )
    return InvitationFactory(convening=convening, organisation=uganda_member)


def test_the_rsvp_page_from_an_email_shows_times_in_the_recipients_zone(client, invitation):
    maria = ContactFactory(
        organisation=invitation.organisation, time_zone="America/Sao_Paulo", language="pt"
    )
    invitation.contacts.add(maria)
    url = reverse("campaigns:rsvp", args=[invitation.token])

    html = client.get(f"{url}?contact={maria.pk}").content.decode()

    assert "March 12, 2031, 11 a.m. (America/Sao_Paulo)" in html
    # And where it happens, whoever reads it.
    assert "March 12, 2031, 5 p.m. (Africa/Kampala)" in html
    assert "(UTC)" not in html
    assert "local-times.js" not in html


def test_the_rsvp_page_for_someone_else_shows_the_conveninings_zone_and_the_script(
    client, invitation
):
    other = ContactFactory(time_zone="America/Sao_Paulo")  # not invited
    url = reverse("campaigns:rsvp", args=[invitation.token])

    html = client.get(f"{url}?contact={other.pk}").content.decode()

    assert "March 12, 2031, 5 p.m. (Africa/Kampala)" in html
    assert "America/Sao_Paulo" not in html
    assert "(UTC)" not in html
    assert "js/local-times.js" in html
    assert 'datetime="2031-03-12T14:00:00+00:00" data-local-time' in html


def test_a_signed_in_reader_sees_their_own_zone_and_no_script(client_for, convenor, invitation):
    convenor.time_zone = "America/Sao_Paulo"
    convenor.save(update_fields=["time_zone"])
    client = client_for(convenor)

    html = client.get(
        reverse("campaigns:convening", args=[invitation.convening.slug])
    ).content.decode()

    assert "March 12, 2031, 11 a.m. (America/Sao_Paulo)" in html
    assert "local-times.js" not in html


@pytest.mark.parametrize(
    ("url_name", "fields"),
    [
        ("statements:create", ["signon_opens_at", "signon_closes_at", "embargo_until"]),
    ],
)
def test_date_inputs_say_the_zone_they_are_typed_in(client_for, convenor, url_name, fields):
    convenor.time_zone = "Africa/Kampala"
    convenor.save(update_fields=["time_zone"])

    response = client_for(convenor).get(reverse(url_name))

    form = response.context["form"]
    for name in fields:
        assert "Africa/Kampala" in str(form.fields[name].help_text), name
    assert "Your time zone: Africa/Kampala." in response.content.decode()


def test_the_contact_form_says_the_zone_of_the_consent_date(client_for, convenor, uganda_member):
    convenor.time_zone = "Africa/Kampala"
    convenor.save(update_fields=["time_zone"])

    response = client_for(convenor).get(reverse("members:contact_add", args=[uganda_member.slug]))

    assert "Africa/Kampala" in str(response.context["form"].fields["consent_given_at"].help_text)
