import datetime as dt
import io
import re

import pytest
from django.contrib.messages.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from alliance.core.api.models import ApiKey, hash_secret
from alliance.core.api.scopes import Scope

ORGANISATIONS = "/api/v1/organisations/"


@pytest.mark.django_db
def test_key_stores_only_the_hash_of_its_secret(make_key):
    key = make_key(Scope.READ)
    stored = ApiKey.objects.get(pk=key.pk)
    assert key.secret.startswith(f"ah_{stored.prefix}_")
    assert stored.secret_hash == hash_secret(key.secret)
    assert key.secret not in {str(value) for value in stored.__dict__.values()}


@pytest.mark.django_db
def test_unknown_scope_is_refused():
    with pytest.raises(ValueError):
        ApiKey.issue(partner_name="CRM", scopes=["admin"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization, code",
    [
        (None, "not_authenticated"),
        ("Bearer ah_00000000_not-a-real-secret", "authentication_failed"),
        ("Bearer nonsense", "authentication_failed"),
        ("Bearer two words", "authentication_failed"),
    ],
)
def test_missing_or_wrong_key_is_401_in_the_error_shape(client, authorization, code):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.get(ORGANISATIONS, **headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_key_with_right_prefix_but_wrong_secret_is_refused(api, read_key):
    read_key.secret = read_key.secret[:-4] + "AAAA"
    response = api(read_key).get(ORGANISATIONS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_revoked_key_is_refused(api, read_key):
    ApiKey.objects.filter(pk=read_key.pk).update(revoked_at=timezone.now())
    response = api(read_key).get(ORGANISATIONS)
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_last_used_is_written_at_most_once_a_minute(api, read_key):
    client = api(read_key)
    client.get(ORGANISATIONS)
    first_use = ApiKey.objects.get(pk=read_key.pk).last_used_at
    assert first_use is not None
    client.get(ORGANISATIONS)
    assert ApiKey.objects.get(pk=read_key.pk).last_used_at == first_use
    ApiKey.objects.filter(pk=read_key.pk).update(last_used_at=first_use - dt.timedelta(minutes=2))
    client.get(ORGANISATIONS)
    assert ApiKey.objects.get(pk=read_key.pk).last_used_at > first_use - dt.timedelta(minutes=1)


@pytest.mark.django_db
def test_session_of_a_logged_in_person_reads_the_api(client_for, convenor):
    response = client_for(convenor).get(ORGANISATIONS)
    assert response.status_code == 200


@pytest.mark.django_db
def test_create_api_key_command_prints_a_working_secret(api, uganda_member):
    out = io.StringIO()
    call_command(
        "create_api_key",
        "Kapchorwa CRM",
        "--scope",
        "read",
        "--scope",
        "write:signatures",
        "--organisation",
        uganda_member.slug,
        stdout=out,
        stderr=io.StringIO(),
    )
    secret = out.getvalue().strip()
    key = ApiKey.objects.get(partner_name="Kapchorwa CRM")
    assert key.scopes == ["read", "write:signatures"]
    assert key.organisation == uganda_member
    assert key.matches(secret)
    key.secret = secret
    assert api(key).get(ORGANISATIONS).status_code == 200


def stored_messages(client) -> list[str]:
    """The messages waiting for the client's next page, in its cookies or its session
    (the messages cookie is compressed: a plain search would not find a secret in it)."""
    request = RequestFactory().get("/")
    request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
    request.session = client.session
    return [str(message) for message in default_storage(request)]


@pytest.mark.django_db
def test_convenor_makes_a_key_in_the_admin_and_sees_the_secret_once(client_for, convenor):
    convenor.is_staff = True
    convenor.is_superuser = True
    convenor.save()
    client = client_for(convenor)
    response = client.post(
        "/admin/api/apikey/add/",
        {"partner_name": "Campaign site", "scopes": ["read"], "organisation": ""},
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(partner_name="Campaign site")
    assert key.created_by == convenor
    # Made by a convenor, the key does not carry the convenor's powers unless told to.
    assert key.acting_for is None
    page = response.content.decode()
    [secret] = re.findall(r"ah_[0-9a-f]{8}_[\w-]+", page)
    assert key.matches(secret)
    assert page.count(secret) == 1
    assert "no-store" in response["Cache-Control"]

    # Nothing keeps it after this response: no cookie, no session, no message.
    assert all(secret not in morsel.value for morsel in client.cookies.values())
    assert secret not in repr(dict(client.session.items()))
    assert not any(secret in message for message in stored_messages(client))
    for page in (
        "/admin/api/apikey/add/",
        "/admin/api/apikey/",
        f"/admin/api/apikey/{key.pk}/change/",
    ):
        again = client.get(page)
        assert again.status_code == 200
        assert secret not in again.content.decode()


@pytest.mark.django_db
def test_convenor_with_no_add_permission_cannot_make_a_key_in_the_admin(client_for, convenor):
    convenor.is_staff = True
    convenor.save()
    response = client_for(convenor).post(
        "/admin/api/apikey/add/", {"partner_name": "Campaign site", "scopes": ["read"]}
    )
    assert response.status_code == 403
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_create_api_key_command_names_the_person_the_key_acts_for(uganda_coordinator):
    call_command(
        "create_api_key",
        "Uganda alliance CRM",
        "--scope",
        "write:members",
        "--acting-for",
        uganda_coordinator.email.upper(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert ApiKey.objects.get(partner_name="Uganda alliance CRM").acting_for == uganda_coordinator


@pytest.mark.django_db
def test_create_api_key_command_refuses_an_unknown_person():
    with pytest.raises(CommandError, match="nobody@example.org"):
        call_command(
            "create_api_key", "CRM", "--acting-for", "nobody@example.org", stderr=io.StringIO()
        )
    assert not ApiKey.objects.exists()
