"""The convening invitation's text, rewritten by the convening's organiser per language:
who may, the preview, and the invitations written from it (recording its version)."""

import pytest
from django.urls import reverse

from alliance.core.messagetexts.models import MessageText
from alliance.core.outbox.services import render
from tests.campaigns.conftest import messages_for

pytestmark = pytest.mark.django_db


def url(convening, language="en"):
    return reverse(
        "campaigns:convening_message",
        kwargs={"slug": convening.slug, "kind": "convening_invitation", "language": language},
    )


def test_the_invitation_is_written_from_the_organisers_text_in_each_language(
    client, uganda_convening, uganda_member, member_contacts, uganda_coordinator, invite
):
    client.force_login(uganda_coordinator)
    response = client.post(
        url(uganda_convening, "fr"),
        {
            "subject": "Venez : {convening}",
            "body": "{organisation}, votre place est prête pour *{convening}* ({starts}).",
            "action": "save",
            "token": "t",
        },
    )
    assert response.status_code == 302
    version = MessageText.objects.get()

    invite(uganda_convening, [uganda_member], by=uganda_coordinator)

    emails = {m.language: m for m in messages_for(uganda_convening)}
    assert emails["fr"].context["edited"]["text_version"] == version.pk
    french = render(emails["fr"])
    assert french.subject == f"Venez : {uganda_convening.title}"
    assert f"{uganda_member.name}, votre place est prête pour" in french.body
    assert "answer=yes" in french.body  # the RSVP links stay
    assert f"<em>{uganda_convening.title}</em>" in french.alternatives[0][0]
    english = render(emails["en"])
    assert english.subject == f"Invitation: {uganda_convening.title}"
    assert emails["en"].context["edited"]["text_version"] is None


def test_the_preview_shows_an_invited_organisation_in_the_chosen_language(
    client, convenor, uganda_convening, uganda_member, member_contacts, uganda_coordinator, invite
):
    invite(uganda_convening, [uganda_member], by=uganda_coordinator)
    client.force_login(convenor)

    response = client.post(
        url(uganda_convening, "es"),
        {
            "subject": "Invitación: {convening}",
            "body": "Hola {organisation}.",
            "action": "preview",
            "token": "t",
            "preview_as": uganda_member.pk,
        },
    )

    preview = response.context["preview"]
    assert f"Hola {uganda_member.name}." in preview["text"]
    assert "/campaigns/rsvp/preview/" in preview["text"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", 200),
        ("uganda_coordinator", 200),
        ("brazil_coordinator", 404),
        ("representative", 404),
        (None, 302),
    ],
)
def test_who_may_edit_a_convenings_invitation(client, request, uganda_convening, persona, expected):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    page = client.get(url(uganda_convening))
    save = client.post(
        url(uganda_convening),
        {"subject": "S", "body": "B", "action": "save", "token": "t"},
    )

    assert page.status_code == expected
    assert save.status_code == (302 if expected == 200 else expected)
    assert MessageText.objects.exists() == (expected == 200)
