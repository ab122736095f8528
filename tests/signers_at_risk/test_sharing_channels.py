"""The sharing channels (statements/sharing.py, statements/sharing_views.py): the widget
other sites frame, its signing form, the preview image and the preview tags never name
an organisation counted without its name, nor tell whether one at risk signed, to
anyone: the widget is the same page for a convenor as for a stranger."""

import io

import pytest
from django.core.cache import cache
from PIL import Image, ImageChops

from statements import services
from statements.counting import recount_signatures
from statements.models import Statement
from statements.sharing import render_image
from tests.factories import OrganisationFactory, SignatureFactory
from tests.signers_at_risk.channels import STATES, sign_as, without_tokens

pytestmark = pytest.mark.django_db

AT_RISK_NAMES = ("Bangladesh Garment Workers' Solidarity Centre", "Shirin Akter")
TITLE = "Civil society steps up the fight on inequality"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def published_with(open_to_anyone, at_risk, state):
    for name in ("Kampala Tax Justice", "Rede Brasil Justa"):
        SignatureFactory(statement=open_to_anyone, organisation=OrganisationFactory(name=name))
    sign_as(open_to_anyone, at_risk, state)  # the newest signature: first in "latest"
    services.publish(statement=open_to_anyone)
    recount_signatures()
    return open_to_anyone


def assert_names_absent(html: str):
    for name in AT_RISK_NAMES:
        assert name not in html
        assert name.replace("'", "&#x27;") not in html


@pytest.mark.parametrize("persona", ["anonymous", "convenor"])
def test_the_widget_never_names_a_counted_only_signer(
    client, convenor, open_to_anyone, at_risk, persona
):
    statement = published_with(open_to_anyone, at_risk, "signed counted only")
    if persona == "convenor":
        client.force_login(convenor)  # the widget reads nobody's session
    html = client.get(f"/statements/{statement.slug}/embed/").content.decode()
    assert '<span class="stat__number">3</span>' in html
    assert "Kampala Tax Justice" in html
    assert_names_absent(html)


def test_the_statement_pages_preview_tags_name_nobody(client, open_to_anyone, at_risk):
    statement = published_with(open_to_anyone, at_risk, "signed counted only")
    html = client.get(f"/statements/{statement.slug}/").content.decode()
    head = html.split("</head>")[0]
    assert 'property="og:image"' in head
    assert "Kampala Tax Justice" not in head  # the tags carry the title and the count only
    assert_names_absent(html)


def test_the_share_image_draws_the_title_and_count_and_no_name(client, open_to_anyone, at_risk):
    statement = published_with(open_to_anyone, at_risk, "signed counted only")
    drawn = client.get(f"/statements/{statement.slug}/share.png").content
    expected = render_image(title=TITLE, total=3, language="en")
    difference = ImageChops.difference(
        Image.open(io.BytesIO(drawn)).convert("RGB"),
        Image.open(io.BytesIO(expected)).convert("RGB"),
    )
    assert difference.getbbox() is None  # pixel for pixel: nothing but title and count


def test_the_share_image_is_the_same_whether_the_signer_is_listed_or_counted_only(
    client, open_to_anyone, at_risk
):
    images = []
    for state in ("signed listed", "signed counted only"):
        statement = published_with(open_to_anyone, at_risk, state)
        images.append(client.get(f"/statements/{statement.slug}/share.png").content)
        statement.signatures.all().delete()
        Statement.objects.filter(pk=statement.pk).update(status=Statement.Status.OPEN)
        cache.clear()
    assert images[0] == images[1]


def test_the_widgets_form_answers_the_same_whether_or_not_the_organisation_signed(
    client, open_to_anyone, at_risk
):
    answers = {}
    for state in STATES:
        statement = open_to_anyone
        statement.signatures.all().delete()
        sign_as(statement, at_risk, state)
        response = client.post(
            f"/statements/{statement.slug}/embed/",
            {
                "organisation_name": at_risk.name.lower(),
                "country": at_risk.country.code,
                "kind": "network",
                "signatory_name": "A Stranger",
                "email": "stranger@attacker.example",
                "visibility": "listed",
            },
            follow=True,
        )
        assert response.status_code == 200
        answers[state] = without_tokens(response.content.decode())
        assert_names_absent(answers[state].replace(at_risk.name.lower(), ""))
    assert answers["not signed"] == answers["signed listed"] == answers["signed counted only"]
