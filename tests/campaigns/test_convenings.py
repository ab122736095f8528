"""Convening pages: who sees which, who organises which, and the online link."""

import pytest
from django.urls import reverse

from campaigns.models import Convening, Invitation
from tests.factories import ConveningFactory


@pytest.fixture
def convenings(uganda_convening, brazil_convening, international_convening):
    draft = ConveningFactory(
        title="Uganda draft",
        national_alliance=uganda_convening.national_alliance,
        status=Convening.Status.DRAFT,
    )
    return {
        "uganda": uganda_convening,
        "brazil": brazil_convening,
        "international": international_convening,
        "uganda_draft": draft,
    }


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("convenor", {"uganda", "brazil", "international", "uganda_draft"}),
        ("superuser_convenor", {"uganda", "brazil", "international", "uganda_draft"}),
        ("uganda_coordinator", {"uganda", "international", "uganda_draft"}),
        ("brazil_coordinator", {"brazil", "international"}),
        ("representative", {"uganda"}),  # invited (below)
        ("outsider", set()),
    ],
)
def test_convening_list_shows_what_each_persona_may_see(
    persona,
    expected,
    personas,
    client_for,
    convenings,
    uganda_member,
    convenor,
    invite,
    django_assert_max_num_queries,
):
    invite(convenings["uganda"], [uganda_member], by=convenor)
    client = client_for(personas[persona])

    with django_assert_max_num_queries(10):
        response = client.get(reverse("campaigns:convenings"))

    shown = {c.title for c in [*response.context["upcoming"], *response.context["past"]]}
    assert shown == {convenings[name].title for name in expected}


def test_convening_list_needs_a_login(client, convenings):
    assert client.get(reverse("campaigns:convenings")).status_code == 302


@pytest.mark.parametrize("typed", ["Kampala", "Mars/Olympus", "Africa/Kampala ", "x" * 500])
def test_an_unknown_time_zone_is_a_field_error(uganda, uganda_coordinator, client_for, typed):
    response = client_for(uganda_coordinator).post(
        reverse("campaigns:convening_create"),
        convening_data(national_alliance=uganda.pk, time_zone=typed),
    )

    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert not Convening.objects.exists()


def test_the_convening_and_preferences_forms_offer_the_same_time_zones(
    uganda_coordinator, client_for
):
    client = client_for(uganda_coordinator)
    convening = client.get(reverse("campaigns:convening_create")).context["form"]
    preferences = client.get(reverse("accounts:preferences")).context["form"]

    offered = convening["time_zone"].field.widget.zones
    assert offered == preferences["time_zone"].field.widget.zones
    assert ("Africa/Kampala", "Africa/Kampala") in offered
    html = str(convening["time_zone"])
    assert 'list="id_time_zone_zones"' in html and '<datalist id="id_time_zone_zones">' in html


@pytest.mark.parametrize(
    "persona, status",
    [
        ("convenor", 200),
        ("superuser_convenor", 200),
        ("uganda_coordinator", 200),
        ("brazil_coordinator", 404),
        ("representative", 200),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_convening_detail_permissions(
    persona, status, personas, client_for, uganda_convening, uganda_member, convenor, invite
):
    invite(uganda_convening, [uganda_member], by=convenor)
    url = reverse("campaigns:convening", kwargs={"slug": uganda_convening.slug})
    assert client_for(personas[persona]).get(url).status_code == status


def test_online_link_only_for_organisers_and_organisations_that_accepted(
    uganda_convening,
    uganda_member,
    representative,
    uganda_coordinator,
    convenor,
    invite,
    client_for,
):
    invite(uganda_convening, [uganda_member], by=convenor)
    url = reverse("campaigns:convening", kwargs={"slug": uganda_convening.slug})
    link = uganda_convening.online_link

    assert link in client_for(uganda_coordinator).get(url).content.decode()
    assert link in client_for(convenor).get(url).content.decode()
    assert link not in client_for(representative).get(url).content.decode()

    Invitation.objects.update(answer=Invitation.Answer.MAYBE)
    assert link not in client_for(representative).get(url).content.decode()
    Invitation.objects.update(answer=Invitation.Answer.YES)
    assert link in client_for(representative).get(url).content.decode()


def test_representative_does_not_see_answers_of_others(
    uganda_convening, uganda_member, representative, convenor, invite, client_for
):
    invite(uganda_convening, [uganda_member], by=convenor)
    url = reverse("campaigns:convening", kwargs={"slug": uganda_convening.slug})

    response = client_for(representative).get(url)

    assert "totals" not in response.context
    assert response.context["own_invitation"].organisation == uganda_member


def convening_data(**overrides):
    data = {
        "title": "Kampala assembly",
        "scope": "national",
        "format": "in_person",
        "time_zone": "Africa/Kampala",
        "starts_at": "2027-03-10T09:00",
        "ends_at": "2027-03-10T17:00",
        "rsvp_deadline": "2027-03-01T17:00",
        "venue": "Kampala",
        "agenda": "1. Welcome",
        "delegates_per_organisation": 2,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "persona, alliance, created",
    [
        ("convenor", "uganda", True),
        ("superuser_convenor", "uganda", True),
        ("convenor", None, True),  # international
        ("superuser_convenor", None, True),  # international
        ("uganda_coordinator", "uganda", True),
        ("uganda_coordinator", "brazil", False),
        ("uganda_coordinator", None, False),
        ("brazil_coordinator", "uganda", False),
        ("representative", "uganda", False),
        ("outsider", "uganda", False),
        ("anonymous", "uganda", False),
    ],
)
def test_who_may_create_which_convening(
    persona, alliance, created, personas, client_for, uganda, brazil
):
    alliances = {"uganda": uganda, "brazil": brazil, None: None}
    data = convening_data(
        scope="national" if alliance else "international",
        national_alliance=alliances[alliance].pk if alliance else "",
    )

    client_for(personas[persona]).post(reverse("campaigns:convening_create"), data)

    assert Convening.objects.filter(title="Kampala assembly").exists() is created


def test_created_convening_is_a_draft_with_times_in_its_own_zone(
    uganda, uganda_coordinator, client_for
):
    response = client_for(uganda_coordinator).post(
        reverse("campaigns:convening_create"), convening_data(national_alliance=uganda.pk)
    )

    convening = Convening.objects.get()
    assert response.url == reverse("campaigns:convening", kwargs={"slug": convening.slug})
    assert convening.status == Convening.Status.DRAFT
    assert convening.created_by == uganda_coordinator
    assert convening.starts_at.isoformat() == "2027-03-10T06:00:00+00:00"  # 09:00 in Kampala


@pytest.mark.parametrize(
    "persona, status",
    [
        ("convenor", 200),
        ("superuser_convenor", 200),
        ("uganda_coordinator", 200),
        ("brazil_coordinator", 404),
        ("representative", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_edit_page_permissions(persona, status, personas, client_for, uganda_convening):
    url = reverse("campaigns:convening_edit", kwargs={"slug": uganda_convening.slug})
    assert client_for(personas[persona]).get(url).status_code == status


def test_edit_form_shows_times_in_the_convening_zone(uganda_convening, convenor, client_for):
    convenor.time_zone = "America/Sao_Paulo"
    convenor.save(update_fields=["time_zone"])
    url = reverse("campaigns:convening_edit", kwargs={"slug": uganda_convening.slug})

    form = client_for(convenor).get(url).context["form"]

    kampala = uganda_convening.starts_at.astimezone(
        __import__("zoneinfo").ZoneInfo("Africa/Kampala")
    )
    assert form["starts_at"].value() == kampala.replace(tzinfo=None)


def test_coordinator_schedules_their_draft(uganda, uganda_coordinator, client_for):
    draft = ConveningFactory(national_alliance=uganda, status=Convening.Status.DRAFT)
    url = reverse("campaigns:convening_schedule", kwargs={"slug": draft.slug})

    client_for(uganda_coordinator).post(url)

    draft.refresh_from_db()
    assert draft.status == Convening.Status.SCHEDULED


def test_schedule_by_get_changes_nothing(uganda, uganda_coordinator, client_for):
    draft = ConveningFactory(national_alliance=uganda, status=Convening.Status.DRAFT)
    url = reverse("campaigns:convening_schedule", kwargs={"slug": draft.slug})

    assert client_for(uganda_coordinator).get(url).status_code == 405
    draft.refresh_from_db()
    assert draft.status == Convening.Status.DRAFT
