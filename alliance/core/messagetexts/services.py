"""Messages a coordinator may rewrite per statement or convening: the kinds each app
declares (with their placeholders and default text per language), the versions written,
and how a text with placeholders becomes an email's subject, text and HTML.

A message's essentials (the personal link to answer, the deadline, the times and the
calendar file of a convening) stay in its email template: the editable text is what the
email says around them, so a rewritten text can never lose a recipient's link.
"""

import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _

from alliance.core.audit.services import record
from alliance.core.markup import markdown_to_text, render_markdown
from alliance.core.messagetexts.models import MessageText
from alliance.core.permissions import require

PLACEHOLDER = re.compile(r"\{(\w*)\}")
HREF = re.compile(r'href="([^"]*)"')


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: Promise | str
    # The email's context values that make it, one after the other (a link is the site's
    # address and a path).
    keys: tuple[str, ...]
    # Only a link may stand in a link's address: a name there could make one up.
    link: bool = False


@dataclass(frozen=True)
class MessageKind:
    name: str
    label: Promise | str
    # Who may rewrite it: the permission on the statement or convening.
    permission: str
    placeholders: tuple[Placeholder, ...]
    default_subject: Promise | str
    default_body: Promise | str

    def placeholder_names(self) -> list[str]:
        return [placeholder.name for placeholder in self.placeholders]


KINDS: dict[str, MessageKind] = {}


def register(kind: MessageKind) -> MessageKind:
    KINDS[kind.name] = kind
    return kind


def is_editable(name: str) -> bool:
    """Whether a message of this name has a text organisers may rewrite."""
    return name in KINDS


def kind_named(name: str) -> MessageKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValidationError(_("There is no message of that name.")) from None


@dataclass(frozen=True)
class Text:
    """What one message says in one language: a version written for its statement or
    convening, or the default (version None)."""

    kind: str
    language: str
    subject: str
    body: str
    version: MessageText | None = None

    @property
    def is_default(self) -> bool:
        return self.version is None

    def as_context(self) -> dict:
        """What an outbox row carries: the text itself (the worker renders it with the
        recipient's values) and the version it came from."""
        return {
            "kind": self.kind,
            "subject": self.subject,
            "body": self.body,
            "text_version": self.version.pk if self.version else None,
        }


def default_text(kind: str, language: str) -> Text:
    message = kind_named(kind)
    with translation.override(language):
        return Text(
            kind=kind,
            language=language,
            subject=str(message.default_subject),
            body=str(message.default_body),
        )


def current_text(*, target, kind: str, language: str) -> Text:
    version = MessageText.objects.of(target, kind).filter(language=language).first()
    if version is None:
        return default_text(kind, language)
    return Text(
        kind=kind, language=language, subject=version.subject, body=version.body, version=version
    )


class TextsOf:
    """The current text of one message per language, each read once: for a fan-out that
    writes to hundreds of people in a few languages."""

    def __init__(self, target, kind: str):
        self.target = target
        self.kind = kind
        self._texts: dict[str, Text] = {}

    def context(self, language: str) -> dict:
        if language not in self._texts:
            self._texts[language] = current_text(
                target=self.target, kind=self.kind, language=language
            )
        return self._texts[language].as_context()


def unknown_placeholders(kind: str, *texts: str) -> list[str]:
    known = set(kind_named(kind).placeholder_names())
    found = []
    for text in texts:
        for name in PLACEHOLDER.findall(text or ""):
            if name not in known and name not in found:
                found.append(name)
    return found


def check_placeholders(kind: str, *, subject: str, body: str) -> None:
    unknown = unknown_placeholders(kind, subject, body)
    if unknown:
        raise ValidationError(
            _("Unknown placeholder: %(unknown)s. The placeholders of this message are: %(known)s.")
            % {
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in kind_named(kind).placeholder_names()),
            },
            code="unknown_placeholder",
        )


def save_text(*, target, kind: str, language: str, subject: str, body: str, saved_by) -> Text:
    """Write a new version of the message for `target` in `language`. Returns the text
    as emails now use it; saving what is already current writes nothing."""
    message = kind_named(kind)
    require(saved_by, message.permission, target)
    check_placeholders(kind, subject=subject, body=body)
    with transaction.atomic():
        # The target's row orders concurrent editors: each gets the next number.
        type(target).objects.select_for_update().filter(pk=target.pk).first()
        current = current_text(target=target, kind=kind, language=language)
        if current.subject == subject and current.body == body:
            return current
        versions = MessageText.objects.of(target, kind).filter(language=language)
        number = (versions.aggregate(last=Max("number"))["last"] or 0) + 1
        MessageText.objects.create(
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
            kind=kind,
            language=language,
            number=number,
            subject=subject,
            body=body,
            created_by=saved_by,
        )
        record(
            actor=saved_by,
            action="message_text.saved",
            target=target,
            changes={
                f"{kind}.{language}": [current.version.number if current.version else None, number]
            },
        )
    return current_text(target=target, kind=kind, language=language)


# --- filling in the placeholders (called by the email templates) ---------------------


def _values(kind: str, context, *, html: bool) -> dict[str, str]:
    """Each placeholder's value from the email's context. Values the outbox fills in per
    recipient are stand-ins here (alliance.core.outbox.services._Slot): escaping goes through
    `conditional_escape` so that they are escaped when they are filled in."""
    values = {}
    for placeholder in kind_named(kind).placeholders:
        parts = [context.get(key, "") for key in placeholder.keys]
        if html:
            values[placeholder.name] = "".join(str(conditional_escape(part)) for part in parts)
        else:
            values[placeholder.name] = "".join(str(part) for part in parts)
    return values


def _substitute(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda found: values.get(found[1], found[0]), text)


def fill_subject(edited: dict, context) -> str:
    return " ".join(
        _substitute(edited["subject"], _values(edited["kind"], context, html=False)).split()
    )


def fill_text(edited: dict, context) -> str:
    return _substitute(
        markdown_to_text(edited["body"]), _values(edited["kind"], context, html=False)
    )


def fill_html(edited: dict, context) -> str:
    kind = kind_named(edited["kind"])
    values = _values(edited["kind"], context, html=True)
    links = {placeholder.name for placeholder in kind.placeholders if placeholder.link}
    html = str(render_markdown(edited["body"]))
    # In a link's address only a link placeholder is filled in; any other is dropped.
    html = HREF.sub(
        lambda found: (
            'href="'
            + PLACEHOLDER.sub(lambda inner: values[inner[1]] if inner[1] in links else "", found[1])
            + '"'
        ),
        html,
    )
    return _substitute(html, values)


def versions_of(*, target, kind: str, language: str) -> list[MessageText]:
    return list(
        MessageText.objects.of(target, kind)
        .filter(language=language)
        .select_related("created_by")
        .order_by("-number")[:20]
    )
