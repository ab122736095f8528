"""Campaign pages: the list, the timeline of moments with their convenings and
statements, and who may create or change them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Moment
from statements.models import Statement
from tests.factories import (
    CampaignFactory,
    ConveningFactory,
    MomentFactory,
    StatementFactory,
)


@pytest.fixture
def campaign(uganda):
    campaign = CampaignFactory(title="Fight Inequality", vision="A world of **equals**.")
    today = timezone.localdate()
    davos = MomentFactory(
        campaign=campaign, title="World Economic Forum, Davos", date=today - dt.timedelta(days=300)
    )
    MomentFactory(campaign=campaign, title="Budget week", date=today + dt.timedelta(days=30))
    ConveningFactory(
        title="Davos counter-summit", national_alliance=uganda, campaign=campaign, moment=davos
    )
    StatementFactory(
        campaign=campaign,
        moment=davos,
        status=Statement.Status.PUBLISHED,
        text__title="Davos statement",
    )
    StatementFactory(
        campaign=campaign, moment=davos, status=Statement.Status.DRAFT, text__title="Secret draft"
    )
    return campaign


def test_campaign_timeline_shows_past_and_future_moments_with_what_is_attached(
    campaign, uganda_coordinator, client_for, django_assert_max_num_queries
):
    client = client_for(uganda_coordinator)
    url = reverse("campaigns:campaign", kwargs={"slug": campaign.slug})

    with django_assert_max_num_queries(16):
        response = client.get(url)

    assert [m.title for m in response.context["past_moments"]] == ["World Economic Forum, Davos"]
    assert [m.title for m in response.context["future_moments"]] == ["Budget week"]
    html = response.content.decode()
    assert "Davos counter-summit" in html
    assert "Davos statement" in html
    assert "Secret draft" not in html  # statements are shown only to those who may see them
    assert "<strong>equals</strong>" in html


def test_anonymous_visitor_sees_public_campaigns_without_private_convenings(campaign, client):
    response = client.get(reverse("campaigns:campaign", kwargs={"slug": campaign.slug}))

    assert response.status_code == 200
    assert "Davos counter-summit" not in response.content.decode()


def test_campaign_in_planning_is_hidden_from_everyone_but_convenors(
    campaign, convenor, uganda_coordinator, client_for
):
    Campaign.objects.update(status=Campaign.Status.PLANNING)
    url = reverse("campaigns:campaign", kwargs={"slug": campaign.slug})

    assert client_for(uganda_coordinator).get(url).status_code == 404
    assert client_for(convenor).get(url).status_code == 200


def test_campaign_list_query_count(campaign, convenor, client_for, django_assert_max_num_queries):
    CampaignFactory.create_batch(10)
    client = client_for(convenor)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("campaigns:campaigns"))

    assert len(response.context["campaigns"]) == 11


@pytest.mark.parametrize(
    "persona, allowed",
    [
        ("convenor", True),
        ("superuser_convenor", True),
        ("uganda_coordinator", False),
        ("brazil_coordinator", False),
        ("representative", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_only_convenors_create_and_edit_campaigns_and_moments(
    persona, allowed, personas, client_for, campaign
):
    client = client_for(personas[persona])
    client.post(
        reverse("campaigns:campaign_create"),
        {"title": "Tax the rich", "starts_on": "2026-01-01", "status": "active", "is_public": "on"},
    )
    client.post(
        reverse("campaigns:campaign_edit", kwargs={"slug": campaign.slug}),
        {"title": "Renamed", "starts_on": "2016-01-01", "status": "active"},
    )
    client.post(
        reverse("campaigns:moment_create", kwargs={"slug": campaign.slug}),
        {"title": "G20 summit", "date": "2026-11-20"},
    )

    assert Campaign.objects.filter(title="Tax the rich").exists() is allowed
    assert Campaign.objects.filter(title="Renamed").exists() is allowed
    assert Moment.objects.filter(title="G20 summit", campaign=campaign).exists() is allowed


def test_coordinator_attaches_a_national_convening_to_a_campaign_moment(
    campaign, uganda, uganda_coordinator, client_for
):
    budget_week = campaign.moments.get(title="Budget week")
    client = client_for(uganda_coordinator)

    client.post(
        reverse("campaigns:convening_create"),
        {
            "title": "Budget week assembly",
            "scope": "national",
            "national_alliance": uganda.pk,
            "moment": budget_week.pk,
            "format": "online",
            "time_zone": "Africa/Kampala",
            "starts_at": "2027-03-10T09:00",
            "ends_at": "2027-03-10T12:00",
            "delegates_per_organisation": 1,
        },
    )

    convening = campaign.convenings.get(title="Budget week assembly")
    assert convening.moment == budget_week  # the campaign follows from the moment
    timeline = client.get(reverse("campaigns:campaign", kwargs={"slug": campaign.slug}))
    (coming,) = timeline.context["future_moments"]
    assert [c.title for c in coming.visible_convenings] == ["Budget week assembly"]
