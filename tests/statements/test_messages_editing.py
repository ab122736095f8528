"""A statement's messages rewritten by its convenor: per language, with placeholders
checked, previewed as a recipient, a test sent to oneself through the outbox, and each
email recording the version of the text it was written from."""

import pytest
from django.urls import reverse

from alliance.core.audit.models import AuditEntry
from alliance.core.messagetexts.models import MessageText
from alliance.core.messagetexts.services import current_text, save_text
from alliance.core.outbox.models import OutgoingMessage
from statements import services
from tests.factories import SignOnRequestFactory
from tests.statements.conftest import DAVOS_FR

pytestmark = pytest.mark.django_db


def editor_url(statement, kind="statement_invitation", language="en"):
    return reverse(
        "statements:message", kwargs={"slug": statement.slug, "kind": kind, "language": language}
    )


def form(subject, body, action, **extra):
    return {"subject": subject, "body": body, "action": action, "token": "t1", **extra}


def test_the_editor_shows_the_default_text_in_its_language_and_the_placeholders(
    client, convenor, open_statement
):
    client.force_login(convenor)

    english = client.get(editor_url(open_statement, language="en"))
    french = client.get(editor_url(open_statement, language="fr"))

    assert english.status_code == 200
    assert "Will {organisation} sign? {title}" in english.text
    assert "This is the default text." in english.text
    for placeholder in ("{organisation}", "{title}", "{deadline}", "{link}", "{summary}"):
        assert placeholder in english.text
    assert "{organisation} signera-t-elle ? {title}" in french.text


def test_saving_makes_a_new_version_per_language_and_audits_it(client, convenor, open_statement):
    client.force_login(convenor)
    url = editor_url(open_statement, language="fr")

    first = client.post(url, form("Invitation : {title}", "Chère {organisation}.", "save"))
    second = client.post(url, form("Invitation : {title}", "Chère {organisation} !", "save"))

    assert first.status_code == second.status_code == 302
    versions = MessageText.objects.of(open_statement, "statement_invitation")
    assert list(versions.values_list("language", "number")) == [("fr", 2), ("fr", 1)]
    assert current_text(target=open_statement, kind="statement_invitation", language="fr").body == (
        "Chère {organisation} !"
    )
    # English keeps its default.
    assert current_text(
        target=open_statement, kind="statement_invitation", language="en"
    ).is_default
    assert AuditEntry.objects.filter(action="message_text.saved").count() == 2


def test_an_unknown_placeholder_is_a_clear_form_error(client, convenor, open_statement):
    client.force_login(convenor)

    response = client.post(
        editor_url(open_statement), form("Hello {organisation}", "Dear {organization}", "save")
    )

    assert response.status_code == 200
    assert "Unknown placeholder: {organization}" in response.text
    assert "{organisation}" in response.text
    assert not MessageText.objects.exists()


def test_the_service_refuses_unknown_placeholders_too(convenor, open_statement):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        save_text(
            target=open_statement,
            kind="statement_reminder",
            language="en",
            subject="{nope}",
            body="text",
            saved_by=convenor,
        )


def test_preview_as_an_organisation_asked_in_french(
    client, convenor, open_statement, uganda_member
):
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member)
    client.force_login(convenor)

    response = client.post(
        editor_url(open_statement, language="fr"),
        form(
            "{organisation} : {title}",
            "Chère **{organisation}**, signez [ici]({link}) avant le {deadline}.",
            "preview",
            preview_as=uganda_member.pk,
        ),
    )

    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview["subject"] == f"{uganda_member.name} : {DAVOS_FR}"
    assert f"<strong>{uganda_member.name}</strong>" in preview["html"]
    assert 'href="http://testserver/statements/s/preview/' in preview["html"]
    # The French fixed part, with the deadline in French.
    assert "Date limite" in preview["text"] or "date limite" in preview["text"]
    # Previewing saves nothing.
    assert not MessageText.objects.exists()


def test_a_name_in_a_link_address_is_dropped(client, convenor, open_statement):
    client.force_login(convenor)

    response = client.post(
        editor_url(open_statement),
        form("Hi", "[click]({organisation}) and [sign]({link})", "preview"),
    )

    html = response.context["preview"]["html"]
    assert 'href=""' in html
    assert "Sample organisation" not in html.split("click")[0]


def test_a_test_is_sent_to_oneself_through_the_outbox_once_per_form(
    client, convenor, open_statement, smtp_email, django_capture_on_commit_callbacks
):
    client.force_login(convenor)
    data = form("Test {title}", "Hello {organisation}.", "test")

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(editor_url(open_statement), data)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(editor_url(open_statement), data)  # a double click

    assert first.status_code == 302
    (received,) = smtp_email.wait_for(1)
    assert received.message["To"].endswith("<convenor@alliance.test>")
    assert received.subject == "Test Civil society steps up the fight on inequality"
    assert "Hello Sample organisation." in received.body
    assert OutgoingMessage.objects.filter(key__startswith="message-test:").count() == 1


def test_every_invitation_records_the_version_it_was_written_from(
    convenor, open_statement, uganda_member, uganda_contacts
):
    save_text(
        target=open_statement,
        kind="statement_invitation",
        language="fr",
        subject="{organisation}, signez : {title}",
        body="Chère {organisation}, votre voix compte.",
        saved_by=convenor,
    )
    version = MessageText.objects.get()
    from members.models import Organisation

    services.circulate(
        statement=open_statement,
        organisations=Organisation.objects.filter(pk=uganda_member.pk),
        sent_by=convenor,
    )

    messages = {
        m.language: m for m in OutgoingMessage.objects.filter(template="statement_invitation")
    }
    assert messages["fr"].context["edited"]["text_version"] == version.pk
    assert messages["en"].context["edited"]["text_version"] is None
    from alliance.core.outbox.services import render_parts

    french = render_parts(messages["fr"])
    assert french.subject == f"{uganda_member.name}, signez : {DAVOS_FR}"
    assert f"Chère {uganda_member.name}, votre voix compte." in french.text
    assert "/statements/s/" in french.text  # the personal link stays


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("convenor", 200),
        ("superuser_convenor", 200),
        ("uganda_coordinator", 403),
        ("brazil_coordinator", 403),
        ("representative", 403),
        (None, 302),
    ],
)
def test_who_may_edit_a_statements_messages(
    client, request, open_statement, uganda_member, persona, expected
):
    # The coordinator of the alliance whose organisation was asked may not rewrite the
    # statement's messages: only who may change the statement (a convenor) may.
    SignOnRequestFactory(statement=open_statement, organisation=uganda_member)
    if persona:
        client.force_login(request.getfixturevalue(persona))

    page = client.get(editor_url(open_statement))
    save = client.post(editor_url(open_statement), form("S {title}", "B", "save"))
    test = client.post(editor_url(open_statement), form("S {title}", "B", "test"))

    assert page.status_code == expected
    assert save.status_code == (302 if expected == 200 else expected)
    assert test.status_code == (302 if expected == 200 else expected)
    if expected != 200:
        assert not MessageText.objects.exists()
        assert not OutgoingMessage.objects.filter(key__startswith="message-test:").exists()


def test_the_editor_and_the_tracking_page_read_a_fixed_number_of_queries(
    client, convenor, open_statement, django_assert_max_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OrganisationFactory

    client.force_login(convenor)

    def queries(url):
        # Each read as the first: the tracking board keeps its charts' figures in the
        # cache while the signatures are unchanged (as they are here).
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    tracking = reverse("statements:tracking", kwargs={"slug": open_statement.slug})
    SignOnRequestFactory(statement=open_statement, organisation=OrganisationFactory())
    queries(editor_url(open_statement))  # content types cached once per process
    few = (queries(editor_url(open_statement)), queries(tracking))
    for _ in range(15):
        SignOnRequestFactory(statement=open_statement, organisation=OrganisationFactory())
    many = (queries(editor_url(open_statement)), queries(tracking))

    assert few == many
    with django_assert_max_num_queries(15):
        client.get(editor_url(open_statement))


def test_bad_input_gets_a_clear_answer_never_a_500(client, convenor, open_statement, draft_like):
    client.force_login(convenor)

    assert client.get(editor_url(open_statement, kind="nope")).status_code == 404
    assert client.get(editor_url(open_statement, language="de")).status_code == 404
    odd = client.post(editor_url(open_statement), form("S", "B", "preview", preview_as="abc"))
    assert odd.status_code == 200
    assert "Select a valid choice" in odd.text
    empty = client.post(editor_url(open_statement), {"action": "save"})
    assert empty.status_code == 200
    assert "This field is required." in empty.text
    reminded = client.post(
        reverse("statements:remind_now", kwargs={"slug": draft_like.slug}),
        {"token": "t"},
        follow=True,
    )
    assert "Only a statement open for sign-on can be reminded." in reminded.text
    no_token = client.post(
        reverse("statements:remind_now", kwargs={"slug": open_statement.slug}), follow=True
    )
    assert "The form has expired" in no_token.text


@pytest.fixture
def draft_like(db):
    from statements.models import Statement
    from tests.factories import StatementFactory

    return StatementFactory(status=Statement.Status.DRAFT)
