"""Who sees a national convening: the pages and the partner API answer alike, from
Convening.objects.visible_to. A key reads as an anonymous visitor, whoever it acts for."""

import pytest
from django.urls import reverse

from alliance.core.api.models import ApiKey
from alliance.core.api.scopes import Scope
from campaigns.models import Convening
from tests.factories import (
    CampaignFactory,
    ConveningFactory,
    InvitationFactory,
    MomentFactory,
)

# persona -> (the convening's page, whether the API names it)
EXPECTED = {
    "convenor": (200, True),
    "superuser_convenor": (200, True),
    "uganda_coordinator": (200, True),
    "brazil_coordinator": (404, False),
    "representative_invited": (200, True),
    "representative_not_invited": (404, False),
    "anonymous": (302, False),
}


@pytest.fixture
def ugandan_convening(uganda):
    campaign = CampaignFactory(title="Fight Inequality")
    return ConveningFactory(
        title="Kampala assembly",
        national_alliance=uganda,
        status=Convening.Status.SCHEDULED,
        campaign=campaign,
        moment=MomentFactory(campaign=campaign),
    )


def _persona(name, personas, convening, uganda_member):
    if name.startswith("representative"):
        if name == "representative_invited":
            InvitationFactory(convening=convening, organisation=uganda_member)
        return personas["representative"]
    return personas[name]


def _api_sees(client, convening) -> bool:
    listed = client.get("/api/v1/convenings/")
    detail = client.get(f"/api/v1/convenings/{convening.pk}/")
    timeline = client.get(f"/api/v1/campaigns/{convening.campaign.pk}/")
    ids = {row["id"] for row in listed.json()["results"]} if listed.status_code == 200 else set()
    in_timeline = timeline.status_code == 200 and any(
        convening.pk in moment["convenings"] for moment in timeline.json()["moments"]
    )
    assert (convening.pk in ids) == (detail.status_code == 200) == in_timeline
    return convening.pk in ids


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_pages_and_api_show_a_national_convening_to_the_same_people(
    personas, client_for, uganda_member, ugandan_convening, persona
):
    page_status, api_names_it = EXPECTED[persona]
    client = client_for(_persona(persona, personas, ugandan_convening, uganda_member))

    page = client.get(reverse("campaigns:convening", kwargs={"slug": ugandan_convening.slug}))

    assert page.status_code == page_status
    assert _api_sees(client, ugandan_convening) is api_names_it


@pytest.mark.parametrize("acting_for", [None, "uganda_coordinator", "convenor"])
def test_a_key_never_names_a_national_convening_whoever_it_acts_for(
    api, personas, ugandan_convening, acting_for
):
    key, secret = ApiKey.issue(
        partner_name="Campaign site",
        scopes=[Scope.READ, Scope.READ_CONTACTS],
        acting_for=personas[acting_for] if acting_for else None,
    )
    key.secret = secret

    assert _api_sees(api(key), ugandan_convening) is False
