"""Who may open each statements page and take each action: the six personas."""

import pytest

from statements import services
from statements.models import Signature, Statement
from tests.factories import SignatureFactory, SignOnRequestFactory
from tests.fixtures.personas import CONVENORS
from tests.statements.conftest import ACCRA_SUBMISSION, add_texts

PERSONAS = [
    "convenor",
    "superuser_convenor",
    "uganda_coordinator",
    "brazil_coordinator",
    "representative",
    "outsider",
    "anonymous",
]
CONVENOR_ONLY = {
    "convenor": 200,
    "superuser_convenor": 200,
    "uganda_coordinator": 403,
    "brazil_coordinator": 403,
    "representative": 403,
    "outsider": 403,
    "anonymous": 302,  # to the login page
}


def expected_for(table, persona):
    return table[persona] if isinstance(table, dict) else table


@pytest.fixture
def circulated(open_statement, uganda_member):
    """The open statement, asked of the representative's organisation."""
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member)
    return open_statement


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/statements/", 200),
        ("/statements/new/", CONVENOR_ONLY),
        ("/statements/{slug}/edit/", CONVENOR_ONLY),
        ("/statements/{slug}/circulate/", CONVENOR_ONLY),
        ("/statements/{slug}/tracking/", CONVENOR_ONLY),
        ("/statements/{slug}/signatories.csv", CONVENOR_ONLY),
        (
            "/statements/{slug}/",
            # Open and invited only: the convenor, the organisation asked and the
            # coordinator of its alliance.
            {
                "convenor": 200,
                "superuser_convenor": 200,
                "uganda_coordinator": 200,
                "brazil_coordinator": 404,
                "representative": 200,
                "outsider": 404,
                "anonymous": 404,
            },
        ),
    ],
)
def test_pages_of_an_open_statement(client_for, personas, circulated, persona, path, expected):
    response = client_for(personas[persona]).get(path.format(slug=circulated.slug))
    assert response.status_code == expected_for(expected, persona)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_draft_is_seen_by_convenors_only(client_for, personas, draft, persona):
    response = client_for(personas[persona]).get(f"/statements/{draft.slug}/")
    assert response.status_code == (200 if persona in CONVENORS else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_published_statement_is_public(client_for, personas, open_statement, persona):
    open_statement.status = Statement.Status.PUBLISHED
    open_statement.save()
    response = client_for(personas[persona]).get(f"/statements/{open_statement.slug}/")
    assert response.status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_publish_now(client_for, personas, open_statement, persona):
    response = client_for(personas[persona]).post(f"/statements/{open_statement.slug}/publish/")
    open_statement.refresh_from_db()
    published = open_statement.status == Statement.Status.PUBLISHED
    assert published == (persona in CONVENORS)
    assert response.status_code == (302 if persona in {*CONVENORS, "anonymous"} else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_circulate(client_for, personas, draft, uganda_member, persona):
    response = client_for(personas[persona]).post(f"/statements/{draft.slug}/circulate/", {})
    assert draft.signon_requests.exists() == (persona in CONVENORS)
    assert response.status_code == (302 if persona in {*CONVENORS, "anonymous"} else 403)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", 403),  # a convenor speaks for no organisation
        ("superuser_convenor", 403),  # a convenor speaks for no organisation
        ("uganda_coordinator", 403),  # reads it (their member is asked), signs for nobody
        ("brazil_coordinator", 404),
        ("representative", 302),
        ("outsider", 404),
        ("anonymous", 404),
    ],
)
def test_sign_from_the_statement_page(client_for, personas, circulated, persona, expected):
    response = client_for(personas[persona]).post(
        f"/statements/{circulated.slug}/sign/",
        {"signatory_name": "Someone", "email": "someone@example.test", "visibility": "listed"},
    )
    assert response.status_code == expected
    assert Signature.objects.exists() == (persona == "representative")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", 302),
        ("superuser_convenor", 302),
        ("uganda_coordinator", 403),
        ("brazil_coordinator", 403),
        ("representative", 302),
        ("outsider", 403),
        ("anonymous", 302),  # to the login page
    ],
)
def test_withdraw_a_signature(client_for, personas, circulated, uganda_member, persona, expected):
    signature = SignatureFactory(statement=circulated, organisation=uganda_member)
    response = client_for(personas[persona]).post(
        f"/statements/signatures/{signature.pk}/withdraw/"
    )
    assert response.status_code == expected
    signature.refresh_from_db()
    withdrawn = signature.status == Signature.Status.WITHDRAWN
    assert withdrawn == (persona in {*CONVENORS, "representative"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_personal_link_works_for_whoever_holds_it(
    client_for, personas, circulated, uganda_member, persona
):
    token = circulated.signon_requests.get().token
    assert client_for(personas[persona]).get(f"/statements/s/{token}/").status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_anyone_may_sign_a_statement_open_to_any_organisation(
    client_for, personas, open_statement, persona
):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save()
    client = client_for(personas[persona])
    assert client.get(f"/statements/{open_statement.slug}/").status_code == 200
    response = client.post(
        f"/statements/{open_statement.slug}/sign/public/",
        ACCRA_SUBMISSION,
    )
    assert response.status_code == 303
    services.process_public_submissions()
    assert Signature.objects.get().status == Signature.Status.PENDING_VERIFICATION


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", 403),  # the organisation's own word: a convenor cannot give it
        ("superuser_convenor", 403),
        ("uganda_coordinator", 403),
        ("brazil_coordinator", 403),
        ("representative", 302),
        ("outsider", 403),
        ("anonymous", 302),  # to the login page
    ],
)
def test_confirm_a_changed_text_in_the_organisations_name(
    client_for, personas, circulated, uganda_member, persona, expected
):
    signature = SignatureFactory(statement=circulated, organisation=uganda_member)
    first = signature.version
    add_texts(circulated, number=first.number + 1)
    response = client_for(personas[persona]).post(f"/statements/signatures/{signature.pk}/confirm/")
    assert response.status_code == expected
    signature.refresh_from_db()
    assert (signature.version_id != first.pk) is (persona == "representative")


@pytest.mark.parametrize(
    ("persona", "status", "sees_progress"),
    [
        ("convenor", 200, False),  # the tracking board has it all
        ("superuser_convenor", 200, False),
        ("uganda_coordinator", 200, True),  # their member is asked
        ("brazil_coordinator", 404, False),
        ("representative", 200, False),
        ("outsider", 404, False),
        ("anonymous", 404, False),
    ],
)
def test_a_coordinator_reads_a_statement_their_members_are_asked_to_sign_and_its_progress(
    client_for, personas, circulated, persona, status, sees_progress
):
    response = client_for(personas[persona]).get(f"/statements/{circulated.slug}/")
    assert response.status_code == status
    assert ('class="alliance-progress"' in response.content.decode()) is sees_progress
