"""The directory's rows are rendered once per content and language (members.directory_rows):
never behind the database, and never one viewer's rows for another who may see less."""

from django.urls import reverse

from members.models import Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory

URL = reverse("members:directory")


def rows(client, query: str = "") -> str:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    return response.content.decode().split("<tbody>")[1].split("</tbody>")[0]


def test_a_decision_and_a_new_name_show_on_the_next_view(client, convenor, uganda):
    applicant = OrganisationFactory(name="Kampala Tax Justice Forum", country="UG")
    membership = MembershipFactory(
        organisation=applicant, national_alliance=uganda, status=Membership.Status.APPLIED
    )
    client.force_login(convenor)
    assert "applied" in rows(client, "q=Kampala")

    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.APPROVED)
    Organisation.objects.filter(pk=applicant.pk).update(name="Kampala Tax Justice Network")
    html = rows(client, "q=Kampala")

    assert "approved" in html and "applied" not in html
    assert "Kampala Tax Justice Network" in html


def test_a_coordinator_never_gets_the_rows_a_convenor_saw(
    client, convenor, brazil_coordinator, uganda, brazil
):
    """The same organisation on the same page: the convenor sees its application to
    Uganda; Brazil's coordinator may not, and gets rows of their own."""
    both = OrganisationFactory(name="Cross-border Collective", country="BR")
    MembershipFactory(organisation=both, national_alliance=brazil)
    MembershipFactory(organisation=both, national_alliance=uganda, status=Membership.Status.APPLIED)
    client.force_login(convenor)
    assert "Uganda" in rows(client, "q=Cross-border")

    client.force_login(brazil_coordinator)
    html = rows(client, "q=Cross-border")

    assert "Cross-border Collective" in html
    assert "Uganda" not in html
