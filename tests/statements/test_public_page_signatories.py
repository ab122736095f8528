"""The signatories on the public page: grouped by country or by kind, with a count per
group, a page at a time; the ones counted only are never named, on any page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from statements import services
from statements.counting import recount_signatures
from statements.views import public_page
from tests.factories import OrganisationFactory, SignatureFactory

HIDDEN = "Hidden Defenders Collective"


def sign(statement, name, country, kind, **fields):
    organisation = OrganisationFactory(name=name, country=country, kind=kind)
    return SignatureFactory(statement=statement, organisation=organisation, **fields)


@pytest.fixture
def published(open_statement):
    """Five listed signatories in three countries and three kinds, one at risk counted
    only, one withdrawn."""
    sign(open_statement, "Kampala Tax Justice", "UG", "network")
    sign(open_statement, "Gulu Women Unite", "UG", "womens_rights")
    sign(open_statement, "Nairobi Workers Union", "KE", "union")
    sign(open_statement, "Mombasa Fisherfolk", "KE", "network")
    sign(open_statement, "Rede Brasil Justa", "BR", "network")
    sign(open_statement, HIDDEN, "UG", "human_rights", listed_publicly=False)
    sign(open_statement, "Changed Its Mind", "UG", "network", status="withdrawn")
    services.publish(statement=open_statement)
    recount_signatures()
    return open_statement


def groups_in(html: str) -> list[tuple[str, str, list[str]]]:
    """(heading, its count, the names under it) in the order of the page."""
    found = re.findall(
        r'<h3 class="signatories__\w+">(.+?) <span class="meta">\((\d+)\)</span></h3>\s*'
        r'<ul class="signatories__list">(.*?)</ul>',
        html,
        flags=re.S,
    )
    return [(label, count, re.findall(r"<li>(.*?)</li>", names)) for label, count, names in found]


def page(client, statement, **query):
    return client.get(statement.get_absolute_url(), query).content.decode()


def test_signatories_are_grouped_by_country_each_with_its_count(client, published):
    html = page(client, published)
    assert groups_in(html) == [
        ("Brazil", "1", ["Rede Brasil Justa"]),
        ("Kenya", "2", ["Mombasa Fisherfolk", "Nairobi Workers Union"]),
        ("Uganda", "2", ["Gulu Women Unite", "Kampala Tax Justice"]),
    ]
    assert '<span class="stat__number">6</span>' in html
    assert "1 of them is counted without its name" in html


def test_signatories_are_grouped_by_kind_on_asking(client, published):
    html = page(client, published, by="kind")
    assert groups_in(html) == [
        ("network", "3", ["Kampala Tax Justice", "Mombasa Fisherfolk", "Rede Brasil Justa"]),
        ("trade union", "1", ["Nairobi Workers Union"]),
        ("women&#x27;s rights organisation", "1", ["Gulu Women Unite"]),
    ]
    assert 'href="?lang=en&amp;by=kind" aria-current="true"' in html


def test_an_unknown_grouping_is_by_country(client, published):
    assert [group[0] for group in groups_in(page(client, published, by="secret"))] == [
        "Brazil",
        "Kenya",
        "Uganda",
    ]


@pytest.mark.parametrize("grouping", ["country", "kind"])
def test_the_unlisted_are_never_named_nor_counted_in_a_group(client, published, grouping):
    for number in ("1", "2", "3"):
        html = page(client, published, by=grouping, page=number)
        assert HIDDEN not in html
        assert "Changed Its Mind" not in html
    assert "human rights" not in page(client, published, by="kind")


def test_the_second_page_goes_on_with_the_group_and_keeps_the_grouping(
    client, published, monkeypatch
):
    monkeypatch.setattr(public_page, "SIGNATORIES_PER_PAGE", 2)
    first = page(client, published, by="kind")
    second = page(client, published, by="kind", page="2")
    assert groups_in(first) == [("network", "3", ["Kampala Tax Justice", "Mombasa Fisherfolk"])]
    assert groups_in(second) == [
        ("network", "3", ["Rede Brasil Justa"]),
        ("trade union", "1", ["Nairobi Workers Union"]),
    ]
    assert "Page 2 of 3" in second
    assert 'href="?lang=en&amp;by=kind&amp;page=1"' in second
    assert 'href="?lang=en&amp;by=kind&amp;page=3"' in second
    assert HIDDEN not in page(client, published, by="kind", page="3")


def test_each_grouping_is_a_cached_page_of_its_own(client, published):
    by_country = page(client, published)
    by_kind = page(client, published, by="kind")
    assert by_kind != by_country
    assert page(client, published) == by_country


def queries_of_the_page(client, statement, **query) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        page(client, statement, **query)
    return [query["sql"] for query in captured.captured_queries]


def test_the_group_counts_come_from_one_aggregate_query_whatever_the_signatories(client, published):
    few = queries_of_the_page(client, published, lang="fr")
    for n in range(30):
        sign(published, f"Organisation {n}", ["UG", "KE", "PE"][n % 3], "grassroots")
    # A new count: the kept counts and names are of the old one, so all is read again.
    recount_signatures()
    many = queries_of_the_page(client, published, lang="en")
    grouped = [sql for sql in many if "GROUP BY" in sql]
    assert len(many) == len(few)
    assert len(grouped) == 1
    assert not any("COUNT(*)" in sql and "GROUP BY" not in sql for sql in many)


def test_the_groups_are_named_in_the_language_of_the_page(client, published):
    html = page(client, published, lang="fr")
    assert [group[0] for group in groups_in(html)] == ["Brésil", "Kenya", "Ouganda"]


@pytest.mark.parametrize("grouping", ["country", "kind"])
@pytest.mark.parametrize("per_page", [1, 2, 3, 4])
def test_page_after_page_gives_every_listed_name_once_in_the_groups_order(
    client, published, monkeypatch, grouping, per_page
):
    # Each page sorts only the groups it draws from: the pages must still join up.
    monkeypatch.setattr(public_page, "SIGNATORIES_PER_PAGE", per_page)
    everything = groups_in(page(client, published, by=grouping, **{"page": "1"}))
    monkeypatch.setattr(public_page, "SIGNATORIES_PER_PAGE", 500)
    whole = [
        (label, name)
        for label, _count, names in groups_in(page(client, published, by=grouping, lang="fr"))
        for name in names
    ]
    monkeypatch.setattr(public_page, "SIGNATORIES_PER_PAGE", per_page)
    paged = []
    for number in range(1, 6 // per_page + 2):
        paged += [
            (label, name)
            for label, _count, names in groups_in(
                page(client, published, by=grouping, lang="fr", page=str(number))
            )
            for name in names
        ]
    assert everything and len(whole) == 5
    # The last page number past the end repeats the last page (Paginator.get_page).
    assert paged[: len(whole)] == whole
    assert HIDDEN not in {name for _label, name in paged}


def test_the_group_counts_are_counted_once_for_every_language(client, published):
    # The proxy redraws the page of each language at the same moment: only the first
    # counts the groups, the others read its counts.
    first = queries_of_the_page(client, published, lang="fr")
    assert len([sql for sql in first if "GROUP BY" in sql]) == 1
    for language in ("en", "es", "pt"):
        others = queries_of_the_page(client, published, lang=language)
        assert not [sql for sql in others if "GROUP BY" in sql]
        assert len(others) == len(first) - 1
    assert [(label, count) for label, count, _names in groups_in(page(client, published))] == [
        ("Brazil", "1"),
        ("Kenya", "2"),
        ("Uganda", "2"),
    ]
    by_kind = queries_of_the_page(client, published, by="kind", lang="es")
    assert len([sql for sql in by_kind if "GROUP BY" in sql]) == 1


@pytest.mark.parametrize(
    ("grouping", "group", "left"), [("country", "Uganda", 1), ("kind", "network", 2)]
)
def test_a_signer_counted_only_from_now_on_leaves_every_group_count_with_the_next_count(
    client, published, grouping, group, left
):
    # The counts kept for the other languages are of the old count: not shown again.
    page(client, published, by=grouping, lang="fr")
    published.signatures.filter(organisation__name="Kampala Tax Justice").update(
        listed_publicly=False
    )
    recount_signatures()
    for language in ("fr", "en"):
        html = page(client, published, by=grouping, lang=language)
        assert "Kampala Tax Justice" not in html
        assert sum(int(count) for _label, count, _names in groups_in(html)) == 4
    shown = {label: int(count) for label, count, _names in groups_in(html)}
    assert shown[group] == left


def test_counts_as_old_as_a_public_page_are_counted_again_by_the_sites_language_alone(
    client, published, monkeypatch
):
    # The proxy redraws every language's page at the same moment: one of them counts.
    def counted(language) -> bool:
        return any(
            "GROUP BY" in sql for sql in queries_of_the_page(client, published, lang=language)
        )

    assert counted("fr")
    monkeypatch.setattr(public_page, "PUBLIC_PAGE_SECONDS", 0)  # every kept count is as old
    for _ in range(2):
        assert [counted(language) for language in ("es", "fr", "en", "pt")] == [
            False,
            False,
            True,
            False,
        ]
