"""Rule 3: counted-only signatures are named to convenors only (and to the organisation's
own people for its own): a partner key only when it acts for a convenor and holds
read:unlisted; a key acting for nobody reads what the public reads, whatever its scopes."""

import pytest

from alliance.core.api.models import ApiKey
from alliance.core.api.scopes import Scope
from statements.models import Statement
from tests.factories import (
    OrganisationFactory,
    SignatureFactory,
    StatementFactory,
    UserFactory,
)
from tests.signers_at_risk.channels import (
    READ_UNLISTED,
    signing_key,
)

# --- Rule 3: counted-only signatures are named to convenors only ---------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, scopes, sees_unlisted",
    [
        ("nobody", [Scope.READ], False),
        ("nobody", [Scope.READ, Scope.READ_CONTACTS], False),
        ("uganda_coordinator", [Scope.READ, Scope.READ_CONTACTS], False),
        ("representative", [Scope.READ, Scope.READ_CONTACTS], False),
        ("convenor", [Scope.READ, Scope.READ_CONTACTS], False),
        ("superuser_convenor", [Scope.READ, Scope.READ_CONTACTS], False),
        ("convenor", [Scope.READ, READ_UNLISTED], True),
        ("superuser_convenor", [Scope.READ, READ_UNLISTED], True),
        ("superuser", [Scope.READ, READ_UNLISTED], True),
    ],
)
def test_api_names_counted_only_signers_to_a_convenors_key_made_for_it_only(
    request, who, scopes, sees_unlisted
):
    from rest_framework.test import APIClient

    if who == "superuser":
        user = UserFactory(email="root@alliance.test", is_superuser=True, is_staff=True)
    else:
        user = None if who == "nobody" else request.getfixturevalue(who)
    key = signing_key(acting_for=user, scopes=scopes)
    published = StatementFactory(status=Statement.Status.PUBLISHED)
    open_one = StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    for statement in (published, open_one):
        listed = SignatureFactory(statement=statement, listed_publicly=True)
        hidden = SignatureFactory(
            statement=statement,
            listed_publicly=False,
            organisation=OrganisationFactory(name=f"Hidden Org {statement.pk}"),
        )
        response = client.get(f"/api/v1/statements/{statement.pk}/signatures/")
        assert response.status_code == 200
        seen = {row["id"] for row in response.json()["results"]}
        assert (hidden.pk in seen) is sees_unlisted
        assert (hidden.organisation.name in response.content.decode()) is sees_unlisted
        if statement == published:
            assert listed.pk in seen


def test_read_unlisted_is_only_for_a_key_acting_for_a_convenor(db, uganda_coordinator):
    with pytest.raises(ValueError, match="read:unlisted"):
        ApiKey.issue(partner_name="x", scopes=[READ_UNLISTED])
    with pytest.raises(ValueError, match="read:unlisted"):
        ApiKey.issue(partner_name="x", scopes=[READ_UNLISTED], acting_for=uganda_coordinator)


@pytest.mark.django_db
def test_a_key_whose_convenor_stops_being_one_stops_seeing_the_unlisted(convenor):
    key = signing_key(acting_for=convenor, scopes=[Scope.READ, READ_UNLISTED])
    assert key.sees_unlisted
    convenor.is_convenor = False
    convenor.save()
    key.refresh_from_db()
    assert not key.sees_unlisted
