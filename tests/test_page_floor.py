"""What every signed-in page pays before its own work: the session (from Redis), and the
user read in one query with their contact, its organisation, whether they coordinate an
alliance and whether they have a second factor (alliance.auth_backends), which the
navigation, the permission checks and SecondFactorMiddleware all ask for."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.core.accounts import security

# The tables of the floor, in the order a page reads them (the session comes from Redis
# when there is one); a coordinator's navigation adds the alliances they coordinate, read
# with the rest of what their pages ask of their reach (members.models.read_reach).
FLOOR = [
    *(
        ["django_session"]
        if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
        else []
    ),
    "accounts_user",
]


def privileged_client(client, user):
    """A session as a convenor's or coordinator's sign-in leaves it (security.start_session)."""
    client.force_login(user)
    session = client.session
    session[security.PRIVILEGED_SESSION_KEY] = True
    session.save()
    return client


def tables_read(client, path: str) -> list[str]:
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    # The table each query reads: its outermost FROM, which follows the subqueries of its
    # columns (the user's query has two, and no subquery after its FROM).
    return [re.findall(r'FROM "(\w+)"', query["sql"])[-1] for query in queries]


@pytest.mark.parametrize(
    ("persona", "privileged", "tables"),
    [
        ("convenor", True, FLOOR),
        ("uganda_coordinator", True, [*FLOOR, "accounts_user"]),
        ("representative", False, FLOOR),
        ("outsider", False, FLOOR),
    ],
)
def test_a_plain_signed_in_page_reads_the_session_and_the_user_once(
    request, client, persona, privileged, tables
):
    user = request.getfixturevalue(persona)
    client = privileged_client(client, user) if privileged else client
    if not privileged:
        client.force_login(user)

    assert tables_read(client, reverse("privacy")) == tables


def test_the_navigation_names_the_representatives_organisation_from_the_users_query(
    client, representative
):
    client.force_login(representative)
    organisation = representative.contact.organisation

    page = client.get(reverse("privacy")).content.decode()

    assert (organisation.short_name or organisation.name) in page


def test_a_second_factor_removed_elsewhere_closes_the_pages_on_the_next_request(
    client, uganda_coordinator
):
    privileged_client(client, uganda_coordinator)
    assert client.get(reverse("privacy")).status_code == 200

    uganda_coordinator.authenticator_set.all().delete()

    assert client.get(reverse("privacy")).url == reverse("mfa_index")


def test_a_coordinators_directory_reads_their_reach_once_for_the_page_and_the_navigation(
    client, uganda_coordinator, uganda
):
    privileged_client(client, uganda_coordinator)

    tables = tables_read(client, reverse("members:directory"))

    # The user, then their reach; the filter lists are kept (members.directory).
    assert tables[: len(FLOOR) + 1] == [*FLOOR, "accounts_user"]
    assert tables.count("accounts_user") == 2
    assert "members_nationalalliance" not in tables
    page = client.get(reverse("members:directory")).content.decode()
    assert f'href="{reverse("members:alliance", args=[uganda.slug])}"' in page
