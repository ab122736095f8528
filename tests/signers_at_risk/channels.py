"""What the tests of the rules on signers at risk do as a stranger, a partner or a member
would: the public form, the partner API; and what may differ between two answers that
must otherwise be the same (tokens)."""

import re

from alliance.core.api.models import ApiKey
from alliance.core.api.scopes import Scope
from tests.factories import SignatureFactory

READ_UNLISTED = "read:unlisted"

# What differs between two answers that must otherwise be the same: tokens.
TOKENS = [
    (re.compile(r"/statements/confirm/[\w-]+/"), "/statements/confirm/TOKEN/"),
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r"\?to=[\w:%.-]+"), "?to=TOKEN"),
]


def without_tokens(text: str) -> str:
    for pattern, replacement in TOKENS:
        text = pattern.sub(replacement, text)
    return text


STATES = ["not signed", "signed listed", "signed counted only"]


def sign_as(statement, organisation, state):
    if state != "not signed":
        SignatureFactory(
            statement=statement,
            organisation=organisation,
            signatory_name="Shirin Akter",
            email="shirin@bgwsc.example",
            listed_publicly=state == "signed listed",
        )


def public_form(client, statement, organisation, email="stranger@attacker.example"):
    return client.post(
        f"/statements/{statement.slug}/sign/public/",
        {
            "organisation_name": organisation.name.lower(),
            "country": organisation.country.code,
            "kind": "network",
            "signatory_name": "A Stranger",
            "email": email,
            "visibility": "listed",
        },
        follow=True,
    )


def signing_key(*, acting_for=None, organisation=None, scopes=(Scope.READ, Scope.WRITE_SIGNATURES)):
    key, secret = ApiKey.issue(
        partner_name="Campaign site",
        scopes=list(scopes),
        acting_for=acting_for,
        organisation=organisation,
    )
    key.secret = secret
    return key


def post_signature(key, statement, organisation, email="stranger@attacker.example"):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    return client.post(
        f"/api/v1/statements/{statement.pk}/signatures/",
        {
            "organisation": organisation.pk,
            "signatory_name": "A Stranger",
            "signatory_email": email,
            "listed_publicly": True,
        },
        format="json",
    )
