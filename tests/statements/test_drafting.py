"""Step 1: a convenor drafts a statement in several languages; texts are versioned."""

import pytest
from django.core.exceptions import ValidationError

from alliance.core.audit.models import AuditEntry
from statements import services
from statements.models import Statement, StatementVersion
from statements.services import TextInput
from tests.factories import SignatureFactory
from tests.statements.conftest import DAVOS_EN, DAVOS_FR

ENGLISH = TextInput(language="en", title=DAVOS_EN, summary="At Davos.", body="**Tax** wealth.")
FRENCH = TextInput(language="fr", title=DAVOS_FR, summary="À Davos.", body="Taxer la richesse.")


def text_fields(language, text: TextInput):
    return {
        f"{language}-title": text.title,
        f"{language}-summary": text.summary,
        f"{language}-body": text.body,
    }


def settings_fields(**overrides):
    data = {
        "original_language": "en",
        "signon_closes_at": "2030-01-15T12:00",
        "embargo_until": "2030-01-20T06:00",
        "audience": "invited",
        "reminder_offsets": "168, 48, 0",
    }
    data.update(overrides)
    return data


def test_creating_a_statement_writes_version_one_with_a_text_per_language(convenor):
    statement = services.save_statement(
        statement=Statement(original_language="en"), texts=[ENGLISH, FRENCH], author=convenor
    )
    version = statement.current_version()
    assert version.number == 1
    assert {text.language for text in version.texts.all()} == {"en", "fr"}
    assert statement.slug == "civil-society-steps-up-the-fight-on-inequality"
    assert statement.status == Statement.Status.DRAFT
    assert AuditEntry.objects.filter(action="statement.created", actor=convenor).exists()


def test_a_statement_needs_its_text_in_the_original_language(convenor):
    with pytest.raises(ValidationError):
        services.save_statement(
            statement=Statement(original_language="en"), texts=[FRENCH], author=convenor
        )


def test_editing_before_anyone_signed_changes_the_current_version(convenor, draft):
    changed = TextInput(language="en", title="A sharper title", body="New body.")
    services.save_statement(statement=draft, texts=[changed, FRENCH], author=convenor)
    assert draft.versions.count() == 1
    assert draft.current_text("en").title == "A sharper title"


def test_editing_after_a_signature_makes_a_new_version_and_keeps_the_signed_text(
    convenor, open_statement
):
    signature = SignatureFactory(statement=open_statement)
    changed = TextInput(language="en", title=DAVOS_EN, body="A corrected figure.")
    services.save_statement(
        statement=open_statement, texts=[changed, FRENCH], author=convenor, note="figure"
    )
    assert open_statement.versions.count() == 2
    assert open_statement.current_version().number == 2
    signature.refresh_from_db()
    assert signature.version.number == 1
    assert signature.version.text_in("en").body != "A corrected figure."
    assert open_statement.new_version_made is True


def test_changing_only_settings_after_signatures_makes_no_new_version(convenor, open_statement):
    SignatureFactory(statement=open_statement)
    texts = [
        TextInput(language=t.language, title=t.title, summary=t.summary, body=t.body)
        for t in open_statement.current_version().texts.all()
    ]
    open_statement.moderation = True
    services.save_statement(statement=open_statement, texts=texts, author=convenor)
    assert open_statement.versions.count() == 1
    entry = AuditEntry.objects.get(action="statement.changed")
    assert entry.changes == {"moderation": [False, True]}


def test_convenor_drafts_in_english_and_french_through_the_form(client, convenor):
    client.force_login(convenor)
    response = client.post(
        "/statements/new/",
        {**settings_fields(), **text_fields("en", ENGLISH), **text_fields("fr", FRENCH)},
    )
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/statements/{statement.slug}/"
    assert statement.reminder_offsets == [168, 48, 0]
    assert statement.signon_closes_at.isoformat() == "2030-01-15T12:00:00+00:00"
    assert statement.current_text("fr").title == DAVOS_FR


def test_a_started_translation_needs_a_title_and_a_body(client, convenor):
    client.force_login(convenor)
    response = client.post(
        "/statements/new/",
        {**settings_fields(), **text_fields("en", ENGLISH), "es-summary": "Solo un resumen"},
    )
    assert response.status_code == 200
    assert not Statement.objects.exists()
    assert "Needed for a text in this language." in response.content.decode()


def test_embargo_before_the_deadline_is_refused(client, convenor):
    client.force_login(convenor)
    response = client.post(
        "/statements/new/",
        {**settings_fields(embargo_until="2030-01-01T00:00"), **text_fields("en", ENGLISH)},
    )
    assert response.status_code == 200
    assert not Statement.objects.exists()


def test_reminder_offsets_must_be_hours(client, convenor):
    client.force_login(convenor)
    response = client.post(
        "/statements/new/",
        {**settings_fields(reminder_offsets="a week"), **text_fields("en", ENGLISH)},
    )
    assert response.status_code == 200
    assert not Statement.objects.exists()


def test_editing_through_the_form_after_signatures_warns_of_a_new_version(
    client, convenor, open_statement
):
    SignatureFactory(statement=open_statement)
    client.force_login(convenor)
    response = client.post(
        f"/statements/{open_statement.slug}/edit/",
        {
            **settings_fields(signon_closes_at="2030-01-15T12:00"),
            **text_fields("en", ENGLISH),
            **text_fields("fr", FRENCH),
            "note": "New figures",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "a new version" in response.content.decode()
    assert StatementVersion.objects.filter(statement=open_statement).count() == 2
    assert open_statement.current_version().note == "New figures"


def test_the_body_is_rendered_from_markdown_and_sanitised(client, convenor, draft):
    text = draft.current_text("en")
    text.body = "**Tax wealth** <script>alert('x')</script>"
    text.save()
    client.force_login(convenor)
    html = client.get(f"/statements/{draft.slug}/").content.decode()
    assert "<strong>Tax wealth</strong>" in html
    assert "<script>alert" not in html


def test_saving_settings_does_not_undo_a_publication_made_meanwhile(convenor, open_statement):
    form_copy = Statement.objects.get(pk=open_statement.pk)  # the form loaded it
    services.publish(statement=open_statement)
    form_copy.moderation = True
    services.save_statement(statement=form_copy, texts=[ENGLISH, FRENCH], author=convenor)
    open_statement.refresh_from_db()
    assert open_statement.status == Statement.Status.PUBLISHED
    assert open_statement.moderation is True
