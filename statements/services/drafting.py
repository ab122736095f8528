"""Drafting a statement: its settings and its versioned texts in each language.

Each operation is one transaction with an audit entry; emails are outbox rows written in
the same transaction, so a change and the messages it causes commit together or not at all.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from alliance.core.audit.services import diff, record, snapshot
from alliance.core.outbox.services import Email, queue_emails
from members.models import unique_slug
from statements.models import (
    Signature,
    Statement,
    StatementText,
    StatementVersion,
)
from statements.services.circulation import request_emails

# The settings of a statement whose changes are written to the audit trail: those of the
# edit form, defined once on the model.
AUDITED_SETTINGS = list(Statement.SETTINGS)


@dataclass(frozen=True)
class TextInput:
    """The title, summary and body of a statement in one language."""

    language: str
    title: str
    body: str
    summary: str = ""


# --- Drafting ---------------------------------------------------------------------------


def save_statement(
    *,
    statement: Statement,
    texts: list[TextInput],
    author,
    focus_areas=None,
    note: str = "",
    tell_invitees_of_deadline: bool = False,
) -> Statement:
    """Create or change a statement and its texts.

    `statement` carries the new settings (a new, unsaved instance, or one changed by a
    form). While nobody has signed, the texts of the current version are changed in
    place; once signatures exist, a changed text makes a new version, so that every
    signature keeps pointing at the exact text it signed. A changed deadline is emailed
    to the organisations already asked when `tell_invitees_of_deadline`.
    """
    if not any(text.language == statement.original_language for text in texts):
        raise ValidationError(_("The text in the original language is needed."))
    creating = statement.pk is None
    with transaction.atomic():
        before, previous_deadline = {}, None
        if not creating:
            stored = Statement.objects.select_for_update().get(pk=statement.pk)
            before = snapshot(stored, AUDITED_SETTINGS)
            previous_deadline = stored.signon_closes_at
        else:
            statement.created_by = author
            original = next(t for t in texts if t.language == statement.original_language)
            statement.slug = statement.slug or unique_slug(Statement, original.title)
        # Only the settings: a publication that happened while the form was open stays.
        statement.save(update_fields=None if creating else [*AUDITED_SETTINGS, "updated_at"])
        if focus_areas is not None:
            statement.focus_areas.set(focus_areas)
        version, new_version = _version_for_texts(statement, texts, author=author, note=note)
        if version is not None:
            _write_texts(version, texts)
        if new_version:
            _ask_to_confirm_again(statement, version)
        changes = {} if creating else diff(before, statement)
        if tell_invitees_of_deadline and _to_the_minute(previous_deadline) != _to_the_minute(
            statement.signon_closes_at
        ):
            _tell_new_deadline(statement)
        if version is not None:
            changes["texts"] = [None, f"v{version.number}: {_languages(texts)}"]
        if creating or changes:
            record(
                actor=author,
                action="statement.created" if creating else "statement.changed",
                target=statement,
                changes=changes,
                note=note,
            )
    statement.new_version_made = new_version
    return statement


def _to_the_minute(moment: dt.datetime | None) -> dt.datetime | None:
    # The form shows minutes: a deadline saved unchanged from it loses only its seconds.
    return moment.replace(second=0, microsecond=0) if moment else None


def _tell_new_deadline(statement: Statement) -> None:
    """Write to every organisation asked to sign: the deadline moved."""
    deadline = statement.signon_closes_at.isoformat() if statement.signon_closes_at else "none"
    queue_emails(
        request_emails(
            statement,
            statement.signon_requests.all(),
            template="statement_deadline_changed",
            key=lambda request, contact: (
                f"statement-deadline:{statement.pk}:{deadline}:{contact.pk}"
            ),
        )
    )


def _languages(texts: list[TextInput]) -> str:
    return ", ".join(sorted(text.language for text in texts))


def _version_for_texts(statement, texts, *, author, note):
    """The version the texts go into (None when nothing changed) and whether it is new."""
    current = statement.versions.select_for_update().order_by("-number").first()
    if current is None:
        return StatementVersion.objects.create(
            statement=statement, number=1, created_by=author, note=note
        ), False
    stored = {text.language: (text.title, text.summary, text.body) for text in current.texts.all()}
    wanted = {text.language: (text.title, text.summary, text.body) for text in texts}
    if stored == wanted:
        return None, False
    if not current.signatures.exists():
        return current, False
    return StatementVersion.objects.create(
        statement=statement, number=current.number + 1, created_by=author, note=note
    ), True


def _write_texts(version: StatementVersion, texts: list[TextInput]) -> None:
    version.texts.exclude(language__in=[text.language for text in texts]).delete()
    for text in texts:
        StatementText.objects.update_or_create(
            version=version,
            language=text.language,
            defaults={"title": text.title, "summary": text.summary, "body": text.body},
        )


def _ask_to_confirm_again(statement: Statement, version: StatementVersion) -> None:
    """Write to everyone who signed an earlier text: the text changed, please confirm.
    Their link is their organisation's personal link (or the statement's page)."""
    signatures = (
        Signature.objects.live()
        .filter(statement=statement)
        .exclude(version=version)
        .select_related("contact", "organisation")
    )
    tokens = dict(statement.signon_requests.values_list("organisation_id", "token"))
    texts = {text.language: text for text in version.texts.all()}
    emails = []
    for signature in signatures:
        language = signature.contact.language if signature.contact else ""
        if language not in texts:
            language = statement.original_language
        token = tokens.get(signature.organisation_id)
        path = (
            reverse("statements:respond", kwargs={"token": token}) + f"?lang={language}"
            if token
            else f"{statement.get_absolute_url()}?lang={language}"
        )
        emails.append(
            Email(
                key=f"statement-confirm-again:{signature.pk}:{version.number}",
                to_email=signature.email,
                to_name=signature.signatory_name,
                language=language,
                template="statement_text_changed",
                context={
                    "organisation": signature.organisation.name,
                    "title": texts[language].title,
                    "note": version.note,
                    "stays_counted": statement.unconfirmed_count_after_change,
                    "path": path,
                },
            )
        )
    queue_emails(emails)
