"""The dashboard's map, breakdowns, charts and growth tables are rendered once per
figures and language (members.dashboard_figures): a new member shows at once, and each
language gets its own."""

from django.conf import settings

from tests.factories import MembershipFactory, OrganisationFactory

URL = "/members/dashboard/"


def figures_part(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode().split('<section aria-labelledby="map-title">')[1]


def countries_table(client) -> str:
    return figures_part(client).split('id="countries-table"')[1].split("</table>")[0]


def test_a_new_member_shows_at_once(client, convenor, uganda):
    MembershipFactory(
        organisation=OrganisationFactory(country="UG", kind="grassroots"), national_alliance=uganda
    )
    client.force_login(convenor)
    first = figures_part(client)
    assert figures_part(client) == first
    assert "Nepal" not in countries_table(client)

    MembershipFactory(
        organisation=OrganisationFactory(country="NP", kind="union"), national_alliance=uganda
    )

    assert "Nepal" in countries_table(client)


def test_each_language_gets_its_own_figures(client, convenor, uganda):
    MembershipFactory(
        organisation=OrganisationFactory(country="DE", kind="union"), national_alliance=uganda
    )
    client.force_login(convenor)
    english = countries_table(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = countries_table(client)

    assert "Germany" in english
    assert "Allemagne" in french and "Germany" not in french


def target_select(client, query: str = "") -> str:
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode().split('id="id_alliance"')[1].split("</select>")[0]


def test_the_target_form_follows_the_alliances_and_the_one_chosen(client, convenor, uganda):
    from tests.factories import NationalAllianceFactory

    client.force_login(convenor)
    assert f'<option value="{uganda.slug}">{uganda.name}</option>' in target_select(client)
    chosen = target_select(client, f"?alliance={uganda.slug}")
    assert f'<option value="{uganda.slug}" selected>{uganda.name}</option>' in chosen

    uganda.name = "Fight Inequality Uganda (renamed)"
    uganda.save()
    nepal = NationalAllianceFactory(name="Fight Inequality Nepal", country="NP")

    options = target_select(client)
    assert f'<option value="{uganda.slug}">Fight Inequality Uganda (renamed)</option>' in options
    assert f'<option value="{nepal.slug}">Fight Inequality Nepal</option>' in options


def test_the_target_form_is_drawn_in_each_language(client, convenor, uganda):
    client.force_login(convenor)
    english = client.get(URL).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = client.get(URL).content.decode()

    assert "Leave empty to remove the target." in english
    assert "Leave empty to remove the target." not in french
    assert 'name="percent"' in french and 'name="measure"' in french
