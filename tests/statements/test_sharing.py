"""Sharing a statement: the share links and preview tags of its page, the preview image,
and the widget other sites frame (its headers, its form, its counts), while every other
page stays unframable."""

import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from PIL import Image

from statements import services
from statements.counting import recount_signatures
from statements.models import PublicSubmission, Statement
from tests.factories import OrganisationFactory, SignatureFactory, StatementFactory
from tests.statements.conftest import ACCRA_SUBMISSION, DAVOS_EN, DAVOS_FR

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=5, stale-while-revalidate=30"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def published(open_statement):
    for name in ("Kampala Tax Justice", "Gulu Women Unite", "Rede Brasil Justa"):
        SignatureFactory(statement=open_statement, organisation=OrganisationFactory(name=name))
    services.publish(statement=open_statement)
    recount_signatures()
    return open_statement


@pytest.fixture
def open_to_anyone(open_statement):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save(update_fields=["audience"])
    return open_statement


def meta(html: str, attribute: str, name: str) -> str:
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    assert found, f"no {name} tag"
    return unescape(found.group(1))


def csp(response) -> dict[str, str]:
    directives = (part.strip() for part in response["Content-Security-Policy"].split(";"))
    return dict(part.split(" ", 1) for part in directives if part)


# --- The statement page ---------------------------------------------------------------


def test_the_published_page_carries_open_graph_and_card_tags_with_absolute_urls(client, published):
    html = client.get(f"/statements/{published.slug}/?lang=fr").content.decode()
    assert meta(html, "property", "og:title") == DAVOS_FR
    assert meta(html, "property", "og:url") == "http://testserver/statements/davos-2026/?lang=fr"
    image = meta(html, "property", "og:image")
    assert image == "http://testserver/statements/davos-2026/share.png?lang=fr"
    assert meta(html, "property", "og:image:width") == "1200"
    assert meta(html, "property", "og:image:height") == "630"
    assert meta(html, "name", "twitter:card") == "summary_large_image"
    assert meta(html, "name", "twitter:image") == image
    assert meta(html, "name", "twitter:title") == DAVOS_FR
    assert meta(html, "property", "og:description").startswith("Pendant que les élites")


def test_share_links_are_plain_links_to_each_network_with_the_page_address(client, published):
    html = client.get(f"/statements/{published.slug}/").content.decode()
    page_url = "http://testserver/statements/davos-2026/?lang=en"
    links = {
        network: unescape(url)
        for url, network in re.findall(r'<a href="([^"]+)"[^>]*data-network="(\w+)"', html)
    }
    assert set(links) == {"email", "whatsapp", "telegram", "x", "facebook", "linkedin"}
    assert links["email"].startswith("mailto:?subject=")
    hosts = {network: urlsplit(url).netloc for network, url in links.items()}
    assert hosts == {
        "email": "",
        "whatsapp": "wa.me",
        "telegram": "t.me",
        "x": "x.com",
        "facebook": "www.facebook.com",
        "linkedin": "www.linkedin.com",
    }
    assert parse_qs(urlsplit(links["facebook"]).query)["u"] == [page_url]
    assert parse_qs(urlsplit(links["linkedin"]).query)["url"] == [page_url]
    assert parse_qs(urlsplit(links["telegram"]).query)["url"] == [page_url]
    assert parse_qs(urlsplit(links["x"]).query)["text"] == [DAVOS_EN]
    assert page_url in parse_qs(urlsplit(links["whatsapp"]).query)["text"][0]
    assert page_url in parse_qs(urlsplit(links["email"]).query)["body"][0]
    # The address to copy without JavaScript, and no script from any network.
    assert f'id="share-url" value="{page_url}" readonly' in html
    assert not re.search(r"<script[^>]+src=\"https?://", html)


def test_share_labels_are_translated(client, published, compiled_translations):
    html = client.get(f"/statements/{published.slug}/?lang=fr").content.decode()
    assert "Partager cette déclaration" in html
    assert ">E-mail<" in html


def test_the_page_shows_the_widget_snippets_to_copy(client, published):
    html = unescape(client.get(f"/statements/{published.slug}/").content.decode())
    embed = "http://testserver/statements/davos-2026/embed/?lang=en"
    assert f'<iframe src="{embed}"' in html
    assert f'data-alliance-embed="{embed}"' in html
    assert '<script src="http://testserver/static/js/embed.js" async></script>' in html


def test_a_statement_open_to_anyone_is_shared(client, open_to_anyone):
    html = client.get(f"/statements/{open_to_anyone.slug}/").content.decode()
    assert 'property="og:image"' in html
    assert 'data-network="whatsapp"' in html


def test_a_statement_only_its_invitees_read_offers_no_sharing(client, convenor, open_statement):
    client.force_login(convenor)
    html = client.get(f"/statements/{open_statement.slug}/").content.decode()
    assert 'property="og:image"' not in html
    assert "data-network" not in html
    assert "/embed/" not in html


# --- The share image ------------------------------------------------------------------


def test_the_share_image_is_a_1200_by_630_png_kept_by_the_proxy(client, published):
    response = client.get(f"/statements/{published.slug}/share.png?lang=fr")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == PUBLIC
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    assert image.size == (1200, 630)
    assert "Set-Cookie" not in response


def test_the_share_image_is_drawn_once_per_count_and_again_when_the_count_changes(
    client, published, django_assert_num_queries
):
    url = f"/statements/{published.slug}/share.png"
    first = client.get(url).content
    assert client.get(url).content == first
    SignatureFactory(statement=published, organisation=OrganisationFactory(name="Fourth"))
    recount_signatures()
    assert client.get(url).content != first


@pytest.mark.parametrize("status", [Statement.Status.DRAFT, Statement.Status.OPEN])
def test_no_image_nor_widget_of_a_statement_not_everyone_may_read(client, convenor, status):
    statement = StatementFactory(status=status, audience=Statement.Audience.INVITED)
    client.force_login(convenor)  # even a convenor: these pages are the same for everyone
    assert client.get(f"/statements/{statement.slug}/share.png").status_code == 404
    assert client.get(f"/statements/{statement.slug}/embed/").status_code == 404


def test_no_image_of_a_statement_that_does_not_exist(client):
    assert client.get("/statements/no-such-thing/share.png").status_code == 404


# --- The widget -----------------------------------------------------------------------


def test_the_widget_is_framable_by_any_site_sets_no_cookie_and_is_kept_by_the_proxy(
    client, published
):
    response = client.get(f"/statements/{published.slug}/embed/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    policy = csp(response)
    assert policy["frame-ancestors"] == "*"
    assert policy["script-src"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert not response.cookies
    assert "Set-Cookie" not in response
    assert response["Cache-Control"] == PUBLIC


def test_a_visitor_with_a_session_gets_the_same_widget_and_no_cookie(
    client, representative, published
):
    anonymous = client.get(f"/statements/{published.slug}/embed/").content
    client.force_login(representative)
    response = client.get(f"/statements/{published.slug}/embed/")
    assert response.content == anonymous
    assert not response.cookies


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/statements/",
        "/statements/davos-2026/",
        "/statements/davos-2026/sign/public/",
        "/statements/davos-2026/share.png",
        "/accounts/login/",
    ],
)
def test_every_other_page_still_refuses_to_be_framed(client, open_to_anyone, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert csp(response)["frame-ancestors"] == "'none'"


def test_the_widget_shows_the_count_and_latest_listed_signatories(client, published):
    html = client.get(f"/statements/{published.slug}/embed/?lang=fr").content.decode()
    assert DAVOS_FR in html
    assert '<span class="stat__number">3</span>' in html
    for name in ("Kampala Tax Justice", "Gulu Women Unite", "Rede Brasil Justa"):
        assert name in html
    assert "<form" not in html  # published: nobody signs any more
    assert "csrfmiddlewaretoken" not in html


def test_the_widget_reads_a_fixed_number_of_queries(client, published, django_assert_num_queries):
    for number in range(20):
        SignatureFactory(
            statement=published, organisation=OrganisationFactory(name=f"Member {number}")
        )
    with django_assert_num_queries(4):
        # the statement, its version and texts, the latest five
        response = client.get(f"/statements/{published.slug}/embed/")
    assert response.content.decode().count("<li>") == 5


def test_the_widget_follows_the_public_pages_count(client, published):
    url = f"/statements/{published.slug}/embed/"
    SignatureFactory(statement=published, organisation=OrganisationFactory(name="Fourth"))
    assert '<span class="stat__number">3</span>' in client.get(url).content.decode()
    recount_signatures()  # what beat runs every 5 seconds
    assert '<span class="stat__number">4</span>' in client.get(url).content.decode()


def test_a_visitor_signs_through_the_widget_without_a_csrf_token(open_to_anyone):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    html = client.get(f"/statements/{open_to_anyone.slug}/embed/").content.decode()
    assert 'name="organisation_name"' in html
    assert "csrfmiddlewaretoken" not in html
    response = client.post(
        f"/statements/{open_to_anyone.slug}/embed/?lang=fr",
        ACCRA_SUBMISSION,
    )
    assert response.status_code == 303
    assert response["Location"].startswith(f"/statements/{open_to_anyone.slug}/embed/sent/")
    assert not response.cookies
    submission = PublicSubmission.objects.get()
    assert (submission.organisation_name, submission.language) == ("Accra Budget Watch", "fr")
    sent = client.get(response["Location"])
    assert sent.status_code == 200
    assert "kofi@budgetwatch.example" in sent.content.decode()
    assert "X-Frame-Options" not in sent
    assert csp(sent)["frame-ancestors"] == "*"
    assert not sent.cookies


def test_an_incomplete_form_in_the_widget_says_what_is_missing(client, open_to_anyone):
    response = client.post(
        f"/statements/{open_to_anyone.slug}/embed/", {"organisation_name": "Accra"}
    )
    assert response.status_code == 400
    assert "field--invalid" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert PublicSubmission.objects.count() == 0


def test_posting_to_the_widget_of_a_published_statement_is_refused_clearly(client, published):
    response = client.post(f"/statements/{published.slug}/embed/", {"organisation_name": "X"})
    assert response.status_code == 400
    assert "This statement is no longer open for signatures." in response.content.decode()
    assert PublicSubmission.objects.count() == 0


def test_the_widgets_empty_form_drawn_once_never_shows_anothers_errors(client, open_to_anyone):
    url = f"/statements/{open_to_anyone.slug}/embed/"
    assert "field--invalid" not in client.get(url).content.decode()  # kept from now on
    refused = client.post(url, {"organisation_name": "Accra"}).content.decode()
    assert "field--invalid" in refused
    assert 'value="Accra"' in refused
    again = client.get(url).content.decode()
    assert "field--invalid" not in again
    assert 'value="Accra"' not in again
    french = client.get(f"{url}?lang=fr").content.decode()
    assert 'lang="fr"' in french
    assert "?lang=fr" in french.split('<form method="post" action="')[1].split('"')[0]


def test_a_crawler_may_ask_for_the_image_with_head(client, published):
    response = client.head(f"/statements/{published.slug}/share.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
