"""The layout, the home page of every role, the language switcher, the accounts pages and
the development mailbox."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone

from alliance.core.accounts.models import User
from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, queue_email
from alliance.urls import urlpatterns as site_urlpatterns
from campaigns.models import Convening
from members.models import Membership
from statements.models import SignOnRequest, Statement
from tests.factories import (
    ContactFactory,
    ConveningFactory,
    MembershipFactory,
    OrganisationFactory,
    SignOnRequestFactory,
    StatementFactory,
)

# The mailbox exists only with DEBUG on; tests marked urls("tests.test_pages") see it.
urlpatterns = [*site_urlpatterns, path("mailbox/", include("alliance.core.outbox.urls"))]


def confirmed_application(alliance):
    """An application whose applicant confirmed their address: a reviewer may decide it."""
    membership = MembershipFactory(
        national_alliance=alliance, status=Membership.Status.APPLIED, joined_at=None
    )
    membership.endorsed_by = ContactFactory(
        organisation=membership.organisation, email_verified_at=timezone.now()
    )
    membership.save(update_fields=["endorsed_by"])
    return membership


def published_statement(title):
    return StatementFactory(
        status=Statement.Status.PUBLISHED, published_at=timezone.now(), text__title=title
    )


def nav_links(response) -> dict[str, str]:
    """{label: href} of the main navigation."""
    html = response.content.decode()
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    if nav is None:
        return {}
    return {
        label.strip(): href
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(0))
    }


@pytest.fixture
def staff_convenor(convenor):
    convenor.is_staff = True
    convenor.is_superuser = True
    convenor.save(update_fields=["is_staff", "is_superuser"])
    return convenor


# Layout -----------------------------------------------------------------------------


def test_layout_is_accessible_and_printable(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html
    assert 'media="print"' in html
    assert '<label for="language-select">' in html


def test_the_layout_names_the_sites_icon_and_it_is_served(client, db):
    # Without it, browsers ask for /favicon.ico on every first visit: a 404 each time.
    html = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon
    response = client.get(icon.group(1))
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def test_language_switcher_is_a_post_form_to_set_language(client, db):
    html = client.get("/accounts/login/").content.decode()
    form = re.search(r'<form class="language-form".*?</form>', html, re.S).group(0)
    assert f'action="{reverse("set_language")}"' in form
    assert 'method="post"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="next" value="/accounts/login/"' in form


def test_sign_out_is_a_post_form(client_for, uganda_coordinator):
    html = client_for(uganda_coordinator).get("/").content.decode()
    assert re.search(rf'<form action="{reverse("account_logout")}" method="post">', html), (
        "signing out must not be a link a crawler could follow"
    )
    assert "coordinator.ug@alliance.test" in html


def test_messages_are_shown(client_for, uganda_coordinator):
    client = client_for(uganda_coordinator)
    client.post(reverse("account_logout"))
    html = client.get("/").content.decode()
    assert re.search(
        r'class="messages">\s*<li class="message message--success">You have signed out', html
    )


def test_missing_page_is_a_404_in_the_site_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'class="skip-link"' in response.content.decode()


def test_server_error_page_renders_without_a_request(db):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html


def test_htmx_is_loaded_deferred_from_our_own_static_files(client, convenor):
    # By the pages that use it (tests/test_page_weight.py): the member directory.
    client.force_login(convenor)
    response = client.get("/members/directory/")
    html = response.content.decode()
    if response.context["htmx_url"] is None:
        assert "htmx" not in html, "without scripts/assets.sh the page has no htmx tag"
    else:
        assert '<script src="/static/vendor/htmx/htmx.min.js" defer>' in html
    assert "cdn" not in html.lower()


# Home, per role -----------------------------------------------------------------------


def test_visitor_home_welcomes_and_lists_published_statements(client, db):
    published_statement("Civil society steps up the fight on inequality")
    StatementFactory(status=Statement.Status.OPEN, text__title="Still circulating")
    StatementFactory(status=Statement.Status.DRAFT, text__title="A draft")

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "power from below" in html
    assert "Civil society steps up the fight on inequality" in html
    assert "Still circulating" not in html
    assert "A draft" not in html
    assert reverse("account_login") in html
    assert reverse("account_signup") in html
    assert "counts" not in response.context


def test_convenor_home_counts_the_whole_alliance(client_for, convenor, uganda, brazil):
    in_two_alliances = OrganisationFactory()
    MembershipFactory(organisation=in_two_alliances, national_alliance=uganda)
    MembershipFactory(organisation=in_two_alliances, national_alliance=brazil)
    MembershipFactory(national_alliance=brazil)
    MembershipFactory(national_alliance=uganda, status=Membership.Status.APPLIED)
    confirmed_application(uganda)
    MembershipFactory(national_alliance=uganda, status=Membership.Status.DECLINED)
    StatementFactory(status=Statement.Status.OPEN)
    published_statement("Davos")
    ConveningFactory(national_alliance=uganda)
    ConveningFactory(national_alliance=brazil, status=Convening.Status.CANCELLED)

    response = client_for(convenor).get("/")

    assert response.context["counts"] == {
        "members": 2,
        "applications_to_decide": 1,
        "applications_unconfirmed": 1,
        "national_alliances": 2,
        "open_statements": 1,
        "upcoming_convenings": 1,
    }
    html = response.content.decode()
    assert "Across the alliance" in html
    assert "Applications to decide" in html
    assert "Waiting for the applicant to confirm their address" in html


def test_coordinator_home_shows_own_alliance_and_not_the_alliance_counts(
    client_for, uganda_coordinator, uganda, brazil, uganda_member, brazil_member
):
    MembershipFactory(national_alliance=uganda, status=Membership.Status.APPLIED)
    MembershipFactory(national_alliance=uganda, status=Membership.Status.APPLIED)
    confirmed_application(uganda)
    MembershipFactory(national_alliance=brazil, status=Membership.Status.APPLIED)

    response = client_for(uganda_coordinator).get("/")

    html = response.content.decode()
    [alliance] = response.context["alliances"]
    assert alliance == uganda
    assert (alliance.member_count, alliance.to_decide_count, alliance.unconfirmed_count) == (
        1,
        1,
        2,
    )
    assert "Uganda Fight Inequality Alliance" in html
    assert "Aliança Brasileira" not in html
    assert "counts" not in response.context
    assert "Across the alliance" not in html


def test_home_counts_say_what_they_count(client_for, uganda_coordinator, uganda):
    # The queue shows one application to decide and two waiting for their applicant.
    confirmed_application(uganda)
    MembershipFactory(national_alliance=uganda, status=Membership.Status.APPLIED)
    MembershipFactory(national_alliance=uganda, status=Membership.Status.APPLIED)

    html = client_for(uganda_coordinator).get("/").content.decode()
    queue = client_for(uganda_coordinator).get(reverse("members:applications"))

    figures = {
        re.sub(r"<[^>]+>", "", label).strip(): int(number)
        for label, number in re.findall(r"<dt>(.*?)</dt>\s*<dd>(\d+)</dd>", html, re.S)
    }
    assert figures["Applications to decide"] == len(queue.context["confirmed"]) == 1
    assert figures["Waiting for the applicant to confirm their address"] == 2
    assert len(queue.context["unconfirmed"]) == 2


def test_coordinator_sees_own_alliance_in_navigation(client_for, uganda_coordinator, uganda):
    links = nav_links(client_for(uganda_coordinator).get("/"))
    assert "Uganda Fight Inequality Alliance" in links


def test_representative_home_shows_organisation_and_what_to_sign(
    client_for, representative, uganda_member, brazil_member
):
    to_sign = StatementFactory(text__title="Tax the super-rich")
    SignOnRequestFactory(statement=to_sign, organisation=uganda_member)
    answered = StatementFactory(text__title="Already signed")
    SignOnRequestFactory(
        statement=answered, organisation=uganda_member, answer=SignOnRequest.Answer.SIGNED
    )
    not_asked = StatementFactory(text__title="Asked of Brazil only")
    SignOnRequestFactory(statement=not_asked, organisation=brazil_member)

    response = client_for(representative).get("/")

    html = response.content.decode()
    assert "Kapchorwa Women Farmers Cooperative" in html
    assert "Tax the super-rich" in html
    assert "Already signed" not in html
    assert "Asked of Brazil only" not in html
    assert "Across the alliance" not in html
    assert "Kapchorwa Women Farmers Cooperative" in nav_links(response)


def test_person_without_a_role_is_told_how_to_get_one(client_for, outsider):
    html = client_for(outsider).get("/").content.decode()
    assert "Your account is not linked to an organisation yet" in html
    assert "Across the alliance" not in html


@pytest.mark.parametrize(
    ("persona", "sees_admin"),
    [
        ("staff_convenor", True),
        ("uganda_coordinator", False),
        ("representative", False),
        ("outsider", False),
        (None, False),
    ],
)
def test_admin_link_only_for_convenors(request, client_for, db, persona, sees_admin):
    user = request.getfixturevalue(persona) if persona else None
    links = nav_links(client_for(user).get("/"))
    assert ("Admin" in links) is sees_admin
    if sees_admin:
        assert links["Admin"] == reverse("admin:index")


@pytest.mark.parametrize(
    "persona", ["staff_convenor", "uganda_coordinator", "representative", "outsider", None]
)
def test_navigation_links_only_to_pages_that_exist(request, client_for, db, persona):
    user = request.getfixturevalue(persona) if persona else None
    client = client_for(user)
    for label, href in nav_links(client.get("/")).items():
        assert client.get(href.split("#")[0]).status_code != 404, label


# Query counts -------------------------------------------------------------------------


def _queries_for_home(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def _more_of_everything(uganda, brazil, organisation, n):
    for i in range(n):
        published_statement(f"Published {i}")
        statement = StatementFactory(text__title=f"To sign {i}")
        SignOnRequestFactory(statement=statement, organisation=organisation)
        ConveningFactory(national_alliance=uganda)
        MembershipFactory(national_alliance=uganda, status=Membership.Status.APPLIED)
        MembershipFactory(national_alliance=brazil)


@pytest.mark.parametrize(
    ("persona", "ceiling"),
    [
        ("staff_convenor", 12),
        ("uganda_coordinator", 11),
        ("representative", 14),
        ("outsider", 10),
        (None, 4),
    ],
)
def test_home_queries_do_not_grow_with_data(
    request, client_for, uganda, brazil, uganda_member, persona, ceiling
):
    user = request.getfixturevalue(persona) if persona else None
    if persona == "uganda_coordinator":
        brazil.coordinators.add(user)  # two alliances: their counts come in one query
    client = client_for(user)
    _more_of_everything(uganda, brazil, uganda_member, 1)
    few = _queries_for_home(client)
    _more_of_everything(uganda, brazil, uganda_member, 4)
    many = _queries_for_home(client)
    assert many == few
    assert many <= ceiling


# Language -----------------------------------------------------------------------------


def test_language_switcher_sets_french_and_the_navigation_follows(
    client, staff_convenor, compiled_translations
):
    client.force_login(staff_convenor)

    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    response = client.get("/")
    html = response.content.decode()
    assert '<html lang="fr"' in html
    links = nav_links(response)
    assert "Accueil" in links
    assert "Administration" in links
    assert "Home" not in links
    assert "Dans toute l’alliance" in html


@pytest.mark.parametrize(
    ("language", "home", "heading"),
    [
        ("es", "Inicio", "En toda la alianza"),
        ("pt", "Início", "Em toda a aliança"),
        ("en", "Home", "Across the alliance"),
    ],
)
def test_home_in_every_language(
    client, staff_convenor, compiled_translations, language, home, heading
):
    client.force_login(staff_convenor)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get("/")
    assert home in nav_links(response)
    assert heading in response.content.decode()


# Accounts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        ("account_login", 'name="password"'),
        ("account_signup", 'name="password2"'),
        ("account_reset_password", 'name="email"'),
        ("account_reset_password_done", "<h1>"),
        ("account_email_verification_sent", "<h1>"),
    ],
)
def test_accounts_pages_render_in_the_site_layout(client, db, url_name, expected):
    response = client.get(reverse(url_name))
    html = response.content.decode()
    assert response.status_code == 200
    assert expected in html
    assert 'class="skip-link"' in html
    assert 'class="container main main--entrance"' in html
    assert '<label for="' in html or url_name.endswith(("_done", "_sent"))


def test_password_reset_from_a_bad_key_says_so(client, db):
    response = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"})
    )
    assert response.status_code == 200
    assert "Bad Token" in response.content.decode()


def test_password_reset_goes_through_the_outbox_and_the_link_sets_a_new_password(
    client, representative
):
    client.post(reverse("account_reset_password"), {"email": representative.email})

    message = OutgoingMessage.objects.get(to_email=representative.email)
    assert message.context["subject"].endswith("Choose a new password for Alliance Hub")
    link = re.search(
        r"https?://testserver(/accounts/password/reset/key/\S+/)", message.context["text"]
    )
    # allauth moves the key from the address into the session, then shows the form.
    form_page = client.get(link.group(1), follow=True)
    assert 'name="password1"' in form_page.content.decode()
    new_password = "another long passphrase"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": new_password, "password2": new_password},
        follow=True,
    )
    assert "Your password is now changed." in done.content.decode()
    representative.refresh_from_db()
    assert representative.check_password(new_password)


def test_sign_up_sends_a_verification_link_and_refuses_login_until_it_is_used(client, db):
    email, password = "new.member@kapchorwa.test", "a long and unusual passphrase"

    response = client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    message = OutgoingMessage.objects.get(to_email=email)
    assert message.template == "prerendered"
    link = re.search(
        r"https?://testserver(/accounts/confirm-email/[^/\s]+/)", message.context["text"]
    )
    assert link, message.context["text"]
    assert not EmailAddress.objects.get(email=email).verified

    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert "_auth_user_id" not in client.session, "an unverified address must not log in"
    assert response["Location"] == reverse("account_email_verification_sent")

    confirmation_page = client.get(link.group(1))
    assert confirmation_page.status_code == 200, "a GET (a mail scanner) confirms nothing"
    assert not EmailAddress.objects.get(email=email).verified
    client.post(link.group(1))
    assert EmailAddress.objects.get(email=email).verified

    client.post(reverse("account_login"), {"login": email, "password": password})
    assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)


def test_verification_email_is_written_in_the_language_of_the_page(
    client, db, compiled_translations
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    password = "a long and unusual passphrase"
    client.post(
        reverse("account_signup"),
        {"email": "nouvelle@exemple.test", "password1": password, "password2": password},
    )

    message = OutgoingMessage.objects.get(to_email="nouvelle@exemple.test")
    assert message.language == "fr"
    assert "Confirmez votre adresse e-mail" in message.context["subject"]
    assert "Bonjour" in message.context["text"]


# Development mailbox ------------------------------------------------------------------


def queue_test_email() -> OutgoingMessage:
    queue_email(
        Email(
            key="test:mailbox",
            to_email="grace@alliance.test",
            template="prerendered",
            context={"subject": "Your application", "text": "Welcome aboard.", "html": ""},
        )
    )
    return OutgoingMessage.objects.get(key="test:mailbox")


@pytest.mark.urls("tests.test_pages")
def test_mailbox_lists_and_shows_every_email_to_staff(client_for, staff_convenor):
    outgoing = queue_test_email()
    client = client_for(staff_convenor)

    listing = client.get(reverse("outbox:mailbox")).content.decode()
    assert "grace@alliance.test" in listing
    assert reverse("outbox:message", args=[outgoing.pk]) in listing

    page = client.get(reverse("outbox:message", args=[outgoing.pk])).content.decode()
    assert "Your application" in page
    assert "Welcome aboard." in page


@pytest.mark.urls("tests.test_pages")
@pytest.mark.parametrize(
    "persona, status",
    [
        ("anonymous", 302),
        ("outsider", 403),
        ("representative", 403),
        ("uganda_coordinator", 403),
        ("brazil_coordinator", 403),
        ("convenor", 403),  # a convenor who is not staff
        ("superuser_convenor", 200),  # staff, as the demo's convenor is
    ],
)
def test_mailbox_is_for_staff_only(client_for, personas, persona, status):
    outgoing = queue_test_email()
    client = client_for(personas[persona])
    for page in [reverse("outbox:mailbox"), reverse("outbox:message", args=[outgoing.pk])]:
        response = client.get(page)
        assert response.status_code == status
        assert ("grace@alliance.test" in response.content.decode()) is (status == 200)
        if status == 302:
            assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.urls("tests.test_pages")
def test_mailbox_link_is_shown_to_staff_only(client_for, staff_convenor, outsider):
    mailbox = f'href="{reverse("outbox:mailbox")}"'
    assert mailbox in client_for(staff_convenor).get("/").content.decode()
    assert mailbox not in client_for(outsider).get("/").content.decode()
    assert mailbox not in client_for(None).get("/").content.decode()
