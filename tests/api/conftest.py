"""Keys for each scope, a client that sends them, and the API's URLs mounted."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from alliance.core.api.models import ApiKey
from alliance.core.api.scopes import Scope


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_key(db):
    def make(*scopes, partner_name="Campaign site", organisation=None):
        key, secret = ApiKey.issue(
            partner_name=partner_name, scopes=list(scopes), organisation=organisation
        )
        key.secret = secret
        return key

    return make


@pytest.fixture
def read_key(make_key):
    return make_key(Scope.READ)


@pytest.fixture
def contacts_key(make_key):
    return make_key(Scope.READ, Scope.READ_CONTACTS)


@pytest.fixture
def signing_key(make_key):
    return make_key(Scope.READ, Scope.WRITE_SIGNATURES)


@pytest.fixture
def api():
    """api(key) -> a client sending that key (no key for None)."""

    def client_with(key=None):
        client = APIClient()
        if key is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.secret}")
        return client

    return client_with
