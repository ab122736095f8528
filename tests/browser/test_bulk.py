"""Bulk work in the directory in a real browser, as the convenor: tick rows and invite
them to sign a statement, then invite "all matching this filter"; again in French, and
at 360px wide."""

import pytest
from playwright.sync_api import expect

from alliance.core.outbox.models import OutgoingMessage
from members.models import BulkAction
from statements.models import SignOnRequest, Statement
from tests.browser.login import log_in
from tests.factories import ContactFactory, MembershipFactory, OrganisationFactory, StatementFactory
from tests.fixtures.services import RESULTS
from tests.mfa import TOTP_SECRET

SHOTS = RESULTS / "screenshots" / "bulk"


@pytest.fixture
def ugandan_members(uganda, uganda_member, brazil_member):
    organisations = [uganda_member]
    for name in ("Gulu Youth Voice", "Mbale Teachers Union"):
        organisation = OrganisationFactory(name=name, country="UG")
        MembershipFactory(organisation=organisation, national_alliance=uganda)
        organisations.append(organisation)
    for organisation in [*organisations, brazil_member]:
        ContactFactory(
            organisation=organisation,
            email=f"sign@{organisation.slug}.test",
            authorised_to_sign=True,
        )
    return organisations


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / name, full_page=True)


@pytest.mark.django_db(transaction=True)
def test_convenor_ticks_rows_then_all_matching_and_invites_them_to_sign(
    live_server, page, convenor, ugandan_members, brazil_member
):
    statement = StatementFactory(
        status=Statement.Status.OPEN, text__title="Tax the richest one per cent"
    )
    log_in(page, live_server.url, convenor.email, totp_secret=TOTP_SECRET)
    page.goto(f"{live_server.url}/members/directory/?country=UG")
    results = page.locator("#directory-results")
    expect(results.get_by_role("row")).to_have_count(4)

    # Two rows ticked.
    for organisation in ugandan_members[:2]:
        results.get_by_label(f"Select {organisation.name}").check()
    results.get_by_label("Action").select_option(label="Invite to sign a statement")
    results.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Act on the selection")).to_be_visible()
    expect(page.get_by_text("2 organisations ticked.")).to_be_visible()
    page.get_by_label("Statement").select_option(label="Tax the richest one per cent")
    page.get_by_role("button", name="Show what it will do").click()
    expect(page.get_by_text("2 organisations selected.")).to_be_visible()
    shoot(page, "confirm-en.png")
    assert not SignOnRequest.objects.exists()  # nothing before the POST
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Invite to sign a statement")).to_be_visible()
    expect(page.locator("#bulk-progress")).to_contain_text("Done")
    shoot(page, "result-en.png")
    asked = SignOnRequest.objects.filter(statement=statement)
    assert set(asked.values_list("organisation", flat=True)) == {o.pk for o in ugandan_members[:2]}

    # All matching the filter: the third one is asked, the two already asked are left.
    page.goto(f"{live_server.url}/members/directory/?country=UG")
    results.get_by_label("All organisations matching this filter").check()
    results.get_by_label("Action").select_option(label="Invite to sign a statement")
    results.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("All organisations matching the directory's filter.")).to_be_visible()
    page.get_by_label("Statement").select_option(label="Tax the richest one per cent")
    page.get_by_role("button", name="Show what it will do").click()
    expect(page.get_by_text("3 organisations selected.")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    stats = page.locator(".bulk-totals")
    expect(stats.locator(".stat", has_text="changed")).to_contain_text("1")
    expect(stats.locator(".stat", has_text="already done")).to_contain_text("2")
    assert asked.count() == 3
    assert not asked.filter(organisation=brazil_member).exists()
    assert BulkAction.objects.get(selection={"filter": "country=UG"}).changed_count == 1
    invitations = OutgoingMessage.objects.filter(template="statement_invitation")
    assert sorted(invitations.values_list("to_email", flat=True)) == sorted(
        f"sign@{o.slug}.test" for o in ugandan_members
    )


@pytest.mark.django_db(transaction=True)
def test_convenor_invites_all_matching_in_french_at_360px(
    live_server, page, convenor, ugandan_members
):
    statement = StatementFactory(status=Statement.Status.OPEN, text__title="Taxer les plus riches")
    log_in(page, live_server.url, convenor.email, totp_secret=TOTP_SECRET)
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.set_viewport_size({"width": 360, "height": 800})

    page.goto(f"{live_server.url}/members/directory/?country=UG")
    results = page.locator("#directory-results")
    results.get_by_label(f"Sélectionner {ugandan_members[0].name}").check()
    results.get_by_label("Toutes les organisations correspondant à ce filtre").check()
    results.get_by_label("Action").select_option(label="Inviter à signer une déclaration")
    shoot(page, "directory-fr-360.png")
    results.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", name="Agir sur la sélection")).to_be_visible()
    page.get_by_label("Déclaration").select_option(label="Taxer les plus riches")
    page.get_by_role("button", name="Voir ce qui sera fait").click()
    expect(page.get_by_text("3 organisations sélectionnées.")).to_be_visible()
    shoot(page, "confirm-fr-360.png")
    page.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_role("heading", name="Inviter à signer une déclaration")).to_be_visible()
    expect(page.locator(".bulk-totals .stat", has_text="traitées")).to_contain_text("3")
    shoot(page, "result-fr-360.png")
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert SignOnRequest.objects.filter(statement=statement).count() == 3
