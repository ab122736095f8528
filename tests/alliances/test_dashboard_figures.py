"""The dashboard's figures, checked against a small data set whose answers are known."""

import datetime as dt
import re

import pytest

from alliance.core.audit.models import AuditEntry
from members import dashboard
from members.models import CompositionTarget, Membership
from tests.factories import MembershipFactory, NationalAllianceFactory, OrganisationFactory

NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)


def joined(year, month, day=10):
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


@pytest.fixture
def known_members(uganda, brazil):
    """Six member organisations (four from the global south, two women's rights), and
    rows that must not count: an application, a declined and a suspended membership."""
    kapchorwa = OrganisationFactory(name="Kapchorwa Women", kind="womens_rights", country="UG")
    MembershipFactory(organisation=kapchorwa, national_alliance=uganda, joined_at=joined(2026, 4))
    gulu = OrganisationFactory(name="Gulu Grassroots", kind="grassroots", country="UG")
    MembershipFactory(organisation=gulu, national_alliance=uganda, joined_at=joined(2026, 6))
    nairobi = OrganisationFactory(name="Nairobi Union", kind="union", country="KE")
    MembershipFactory(organisation=nairobi, national_alliance=uganda, joined_at=joined(2026, 6))
    recife = OrganisationFactory(name="Recife Feminists", kind="womens_rights", country="BR")
    MembershipFactory(organisation=recife, national_alliance=brazil, joined_at=joined(2025, 12))
    # Joined before the 24 months the growth shows: counted in every month's total.
    paris = OrganisationFactory(name="Paris Research", kind="research", country="FR")
    MembershipFactory(organisation=paris, national_alliance=None, joined_at=joined(2023, 1))
    # In the international alliance first, then in Norway's: counted once, from the first.
    oslo = OrganisationFactory(name="Oslo Network", kind="network", country="NO")
    MembershipFactory(organisation=oslo, national_alliance=None, joined_at=joined(2026, 1))
    norway = NationalAllianceFactory(country="NO")
    MembershipFactory(organisation=oslo, national_alliance=norway, joined_at=joined(2026, 5))
    for status in (Membership.Status.APPLIED, Membership.Status.DECLINED):
        MembershipFactory(
            organisation=OrganisationFactory(kind="womens_rights", country="UG"),
            national_alliance=uganda,
            status=status,
            joined_at=None,
        )
    MembershipFactory(
        organisation=OrganisationFactory(country="BR"),
        national_alliance=brazil,
        status=Membership.Status.SUSPENDED,
        joined_at=joined(2025, 3),
    )
    return {"norway": norway}


def test_whole_alliance_counts_each_approved_organisation_once(known_members):
    figures = dashboard.composition(now=NOW)

    assert figures.total == 6
    assert (figures.global_south.count, figures.global_south.percent) == (4, 66.7)
    assert (figures.womens_rights.count, figures.womens_rights.percent) == (2, 33.3)
    assert {line.key: line.count for line in figures.by_kind} == {
        "womens_rights": 2,
        "grassroots": 1,
        "union": 1,
        "research": 1,
        "network": 1,
    }
    assert figures.by_kind[0].key == "womens_rights"  # largest first
    assert {line.key: line.count for line in figures.by_region} == {
        "africa": 3,
        "americas": 1,
        "europe": 2,
    }
    assert figures.countries == {"UG": 2, "KE": 1, "BR": 1, "FR": 1, "NO": 1}
    assert next(line for line in figures.by_country if line.key == "UG").label == "Uganda"


def test_growth_counts_members_in_the_month_of_their_first_approval(known_members):
    months = {month.month: month for month in dashboard.composition(now=NOW).months}

    assert len(months) == dashboard.GROWTH_MONTHS
    assert min(months) == dt.date(2024, 7, 1) and max(months) == dt.date(2026, 6, 1)
    # Paris joined before the window: in every total, in no month's "joined".
    assert months[dt.date(2024, 7, 1)].total == 1
    assert sum(month.joined for month in months.values()) == 5
    assert months[dt.date(2025, 12, 1)].joined == 1
    assert months[dt.date(2026, 1, 1)].joined == 1  # Oslo, not again in May
    assert months[dt.date(2026, 5, 1)].joined == 0
    assert months[dt.date(2026, 6, 1)].joined == 2
    june = months[dt.date(2026, 6, 1)]
    assert (june.total, june.global_south, june.womens_rights) == (6, 4, 2)
    assert june.by_kind["womens_rights"] == 2 and june.by_country["UG"] == 2
    april = months[dt.date(2026, 4, 1)]
    assert (april.total, april.global_south_percent, april.womens_rights_percent) == (
        4,
        50.0,
        50.0,
    )


def test_national_alliance_figures_count_its_own_members_only(known_members, uganda):
    figures = dashboard.composition(uganda, now=NOW)

    assert figures.total == 3
    assert figures.global_south.percent == 100.0
    assert figures.womens_rights.count == 1
    assert figures.countries == {"UG": 2, "KE": 1}
    months = {month.month: month for month in figures.months}
    assert months[dt.date(2026, 4, 1)].total == 1
    assert months[dt.date(2026, 6, 1)].joined == 2


def test_membership_counts_from_its_approval_in_a_national_alliance(known_members):
    figures = dashboard.composition(known_members["norway"], now=NOW)

    months = {month.month: month for month in figures.months}
    assert figures.total == 1
    assert months[dt.date(2026, 4, 1)].total == 0
    assert months[dt.date(2026, 5, 1)].joined == 1


def test_empty_alliance_has_no_shares(db):
    figures = dashboard.composition(now=NOW)

    assert figures.total == 0
    assert figures.global_south.percent is None
    assert figures.global_south.meets_target is None
    assert all(month.total == 0 for month in figures.months)


def test_national_target_replaces_the_whole_alliance_target(known_members, uganda, brazil):
    CompositionTarget.objects.create(measure="global_south", percent=60)
    CompositionTarget.objects.create(measure="womens_rights", percent=40)
    CompositionTarget.objects.create(measure="womens_rights", percent=25, national_alliance=uganda)

    whole = dashboard.composition(now=NOW)
    assert (whole.global_south.target, whole.global_south.meets_target) == (60, True)
    assert (whole.womens_rights.target, whole.womens_rights.meets_target) == (40, False)
    in_uganda = dashboard.composition(uganda, now=NOW)
    assert (in_uganda.womens_rights.target, in_uganda.womens_rights.meets_target) == (25, True)
    assert dashboard.composition(brazil, now=NOW).womens_rights.target == 40


def test_setting_a_target_is_audited_and_replaces_the_previous_one(convenor, uganda):
    dashboard.set_composition_target(
        measure="global_south", percent=60, national_alliance=None, set_by=convenor
    )
    target = dashboard.set_composition_target(
        measure="global_south", percent=65, national_alliance=None, set_by=convenor
    )

    assert CompositionTarget.objects.get().percent == 65
    entries = AuditEntry.objects.filter(action="composition_target.set").order_by("pk")
    assert [entry.changes for entry in entries] == [
        {"global_south": [None, 60]},
        {"global_south": [60, 65]},
    ]
    assert entries[1].actor == convenor and entries[1].object_id == str(target.pk)


def test_removing_a_target_is_audited(convenor, uganda):
    dashboard.set_composition_target(
        measure="womens_rights", percent=30, national_alliance=uganda, set_by=convenor
    )
    dashboard.set_composition_target(
        measure="womens_rights", percent=None, national_alliance=uganda, set_by=convenor
    )

    assert not CompositionTarget.objects.exists()
    removed = AuditEntry.objects.get(action="composition_target.removed")
    assert removed.changes == {"womens_rights": [30, None]}


def test_map_shades_countries_by_members(known_members):
    svg = str(dashboard.world_map({"UG": 100, "KE": 1}, label="Members"))

    assert 'data-country="UG"' in svg and "map__country--5" in svg
    assert '<path d="' in svg and "<title>Uganda: 100</title>" in svg
    assert "<title>France: 0</title>" in svg
    assert dashboard.map_shade(0, 100) == 0
    assert dashboard.map_shade(1, 100) == 1
    assert dashboard.map_shade(100, 100) == dashboard.MAP_SHADES


def test_map_data_has_every_country_that_members_come_from():
    from members.classification import M49

    drawn = set(re.findall(r'data-country="([A-Z]{2})"', str(dashboard.world_map({}, label="x"))))
    missing = {
        code
        for subregions in M49.values()
        for codes in subregions.values()
        for code in codes.split()
        if code not in drawn
    }
    # Tiny territories the source draws no outline for; every sovereign state is there.
    assert missing <= {"BV", "HM", "GS", "IO", "TF", "PN", "TK", "UM", "NF", "CX", "CC"}
