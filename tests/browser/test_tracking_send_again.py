"""The tracking board's "send again" in Chromium: the rows are drawn once and kept, so each
row's button submits the page's own form (HTML's form and formaction attributes), which
carries the CSRF token and the token that makes a double click send once."""

import pytest
from playwright.sync_api import expect

from alliance.core.outbox.models import OutgoingMessage
from tests.browser.login import log_in
from tests.browser.scenes import statement_asking_the_cooperative
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    SignOnRequestFactory,
    UserFactory,
)
from tests.mfa import TOTP_SECRET, enrol_totp


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_send_again_sends_the_invitation_once(live_server, page):
    convenor = UserFactory(email="convenor@alliance.test", is_convenor=True, language="en")
    enrol_totp(convenor)
    statement, cooperative = statement_asking_the_cooperative()
    other = OrganisationFactory(name="Gulu Youth Network", country="UG")
    ContactFactory(organisation=other, email="info@gulu.test")
    SignOnRequestFactory(statement=statement, organisation=other)
    base = live_server.url

    log_in(page, base, convenor.email, totp_secret=TOTP_SECRET)
    # Read twice: the second time the rows come from the cache, the tokens do not.
    page.goto(f"{base}/statements/{statement.slug}/tracking/")
    page.goto(f"{base}/statements/{statement.slug}/tracking/")
    page.get_by_role("button", name=f"Send again to {cooperative.name}").dblclick()

    expect(page.get_by_text("1 email is on its way.")).to_be_visible()
    sent = OutgoingMessage.objects.filter(key__contains=":again:")
    assert list(sent.values_list("to_email", flat=True)) == ["jean@kapchorwa.test"]
