"""Public signing in Chromium: a non-member organisation signs a statement open to any
organisation from its public form, lands on "check your email" (a refresh posts
nothing again), and confirms its address from the link in the email."""

import re

import pytest
from playwright.sync_api import expect

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from statements import services
from statements.models import PublicSubmission, Signature, Statement, StatementText
from tests.factories import StatementFactory

TITLE = "Civil society steps up the fight on inequality"


@pytest.mark.django_db(transaction=True)
def test_a_visitor_signs_for_a_new_organisation_and_confirms_by_email(
    live_server, page, screenshot_dir
):
    statement = StatementFactory(
        text=False, status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE
    )
    version = statement.versions.create(number=1)
    StatementText.objects.create(
        version=version,
        language="en",
        title=TITLE,
        summary="As elites meet at Davos.",
        body="62 people own the same wealth as **half the world**.",
    )
    base = live_server.url

    page.goto(f"{base}/statements/{statement.slug}/sign/public/")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    # The field for bots is on the page but off screen: people never see it.
    trap = page.locator("input[name=website_url]").bounding_box()
    assert trap is not None and trap["x"] + trap["width"] <= 0
    page.get_by_label("Organisation", exact=True).fill("Accra Budget Watch")
    page.get_by_label("Country", exact=True).select_option("GH")
    page.get_by_label("Kind of organisation").select_option("research")
    page.get_by_label("Your name").fill("Kofi Mensah")
    page.get_by_label("Your email address").fill("kofi@budgetwatch.example")
    page.get_by_label("Counted in the total, without its name").check()
    page.screenshot(path=screenshot_dir / "statement-sign-public.png", full_page=True)
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("kofi@budgetwatch.example")
    expect(page).to_have_url(re.compile(r"/sign/public/sent/\?to="))
    page.reload()  # the answer was a redirect: nothing is posted again
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert PublicSubmission.objects.count() == 1

    services.process_public_submissions()  # what the woken task runs (done already, or now)
    signature = Signature.objects.get()
    assert signature.organisation.name == "Accra Budget Watch"
    assert signature.listed_publicly is False
    message = OutgoingMessage.objects.get(template="statement_signature_confirmation")
    link = re.search(r"http://\S+/statements/confirm/\S+/", render(message).body).group(0)
    page.goto(link.replace("http://testserver", base))
    page.get_by_role("button", name="Confirm our signature").click()
    expect(page.get_by_text("Thank you: Accra Budget Watch has signed.")).to_be_visible()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
