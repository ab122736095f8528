"""A national coordinator may circulate an open statement to their own alliance's
organisations, and only when the convenor allowed it."""

import pytest

from statements.models import SignOnRequest, Statement


@pytest.fixture
def allowed(open_statement):
    open_statement.coordinators_may_circulate = True
    open_statement.save()
    return open_statement


def test_a_coordinator_cannot_circulate_unless_the_convenor_allowed_it(
    client, uganda_coordinator, open_statement, uganda, uganda_member
):
    client.force_login(uganda_coordinator)
    response = client.post(
        f"/statements/{open_statement.slug}/circulate/", {"national_alliance": uganda.pk}
    )
    assert response.status_code == 403
    assert not SignOnRequest.objects.exists()


def test_a_coordinator_asks_their_own_alliances_organisations(
    client, uganda_coordinator, allowed, uganda, uganda_member, brazil_member, uganda_contacts
):
    client.force_login(uganda_coordinator)
    page = client.get(f"/statements/{allowed.slug}/circulate/", {"national_alliance": uganda.pk})
    assert "2 authorised contacts will receive an email." in page.content.decode()
    response = client.post(
        f"/statements/{allowed.slug}/circulate/", {"national_alliance": uganda.pk}
    )
    assert response.status_code == 302
    assert list(SignOnRequest.objects.values_list("organisation", flat=True)) == [uganda_member.pk]


def test_a_coordinator_cannot_choose_another_alliance(
    client, uganda_coordinator, allowed, brazil, brazil_member
):
    client.force_login(uganda_coordinator)
    client.post(f"/statements/{allowed.slug}/circulate/", {"national_alliance": brazil.pk})
    client.post(f"/statements/{allowed.slug}/circulate/", {"country": "BR"})
    assert not SignOnRequest.objects.exists()


def test_a_coordinator_cannot_open_a_draft_by_circulating_it(
    client, uganda_coordinator, draft, uganda, uganda_member
):
    draft.coordinators_may_circulate = True
    draft.save()
    client.force_login(uganda_coordinator)
    response = client.post(f"/statements/{draft.slug}/circulate/", {"national_alliance": uganda.pk})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Statement.Status.DRAFT


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", 200),
        ("superuser_convenor", 200),
        ("uganda_coordinator", 200),
        ("brazil_coordinator", 200),
        ("representative", 403),
        ("outsider", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_open_the_circulation_page_when_coordinators_are_allowed(
    client_for, personas, allowed, persona, expected
):
    response = client_for(personas[persona]).get(f"/statements/{allowed.slug}/circulate/")
    assert response.status_code == expected
