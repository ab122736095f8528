"""Signatories grouped by country come in the order of the countries' names in the
reader's language (not of their ISO codes), and within a group in the order readers of
that language expect: case and accents do not throw a name to the end."""

import pytest

from statements import services
from statements.counting import recount_signatures
from tests.factories import OrganisationFactory, SignatureFactory
from tests.statements.test_public_page_signatories import groups_in, page

pytestmark = pytest.mark.django_db


def sign(statement, name, country):
    SignatureFactory(
        statement=statement, organisation=OrganisationFactory(name=name, country=country)
    )


@pytest.fixture
def published(open_statement):
    for name, country in [
        ("Tax Justice Network France", "FR"),
        ("Oxfam GB", "GB"),
        ("Ghana Tax Coalition", "GH"),
        ("zéro pauvreté", "CI"),
        ("Éducation pour toutes", "CI"),
        ("Abidjan Women Unite", "CI"),
        ("ecole ouverte", "CI"),
        ("Kampala Tax Justice", "UG"),
    ]:
        sign(open_statement, name, country)
    services.publish(statement=open_statement)
    recount_signatures()
    return open_statement


IVORY_COAST_NAMES = [
    "Abidjan Women Unite",
    "ecole ouverte",
    "Éducation pour toutes",
    "zéro pauvreté",
]


def test_groups_follow_the_english_names_of_the_countries(client, published):
    groups = groups_in(page(client, published, lang="en"))

    assert [label for label, _count, _names in groups] == [
        "Côte d&#x27;Ivoire",
        "France",
        "Ghana",
        "Uganda",
        "United Kingdom",
    ]
    assert groups[0][2] == IVORY_COAST_NAMES


def test_groups_follow_the_french_names_of_the_countries(client, published):
    groups = groups_in(page(client, published, lang="fr"))

    assert [label for label, _count, _names in groups] == [
        "Côte d&#x27;Ivoire",
        "France",
        "Ghana",
        "Ouganda",
        "Royaume-Uni",
    ]
    assert groups[0][2] == IVORY_COAST_NAMES
