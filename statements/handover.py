"""The hand-over document: a statement as it is handed to the people it addresses, as
PDF. The text (in one language or in all of them, one after the other), the date, the
total, the signatories listed publicly grouped by country or by kind, and the number of
those counted without their names, never one of those names.

The document is statements/handover.html laid out by WeasyPrint with the statement page's
print stylesheet (static/css/statement-print.css): one source for the PDF and for the
page a browser prints. A document is built once per statement state and options
(`HandoverDocument.state`); up to BUILD_WHILE_WAITING_UP_TO listed signatories it is built
in the request, above that by a Celery task whose progress a page shows.
"""

import base64
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries.fields import Country

from alliance.core.collation import collated, sort_key
from members.models import Organisation
from statements.models import HandoverDocument, Signature, Statement, StatementVersion

# Above this many listed signatories the document is built by a task: a reader waits for
# about a second of CPU at most in the request (bench/README.md, `handover.py`).
BUILD_WHILE_WAITING_UP_TO = 2_000

ALL_LANGUAGES = "all"
GROUPINGS = ("country", "kind")
PAPERS = {"a4": "A4", "letter": "letter"}
STYLESHEET = "css/statement-print.css"
LOGO = "img/alliance-logo.svg"


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango) are not installed here."""


class BadOptions(ValueError):
    """An option of the query string that the statement cannot have: said to the reader."""


@dataclass(frozen=True)
class HandoverOptions:
    text_language: str  # one of the statement's languages, or ALL_LANGUAGES
    grouping: str
    paper: str
    reader_language: str  # the document's own words and the names of the groups

    def query(self) -> dict[str, str]:
        return {
            "text": self.text_language,
            "by": self.grouping,
            "paper": self.paper,
            "lang": self.reader_language,
        }


@dataclass
class SignatoryGroup:
    label: str
    count: int
    names: list[str] = field(default_factory=list)


def text_languages(version: StatementVersion | None) -> list[str]:
    """The statement's languages in the order of settings.LANGUAGES."""
    present = {text.language for text in version.texts.all()} if version else set()
    return [code for code, _name in settings.LANGUAGES if code in present]


def options_from(query, *, statement: Statement, version, reader_language: str):
    """The options asked for in the query string (`text`, `by`, `paper`), each checked;
    the text defaults to the reader's language where the statement has it."""
    languages = text_languages(version)
    if not languages:
        raise BadOptions(_("This statement has no text yet."))
    default_text = reader_language if reader_language in languages else statement.original_language
    text_language = query.get("text") or default_text
    if text_language not in [*languages, ALL_LANGUAGES]:
        raise BadOptions(
            _("This statement has no text in “%(language)s”.") % {"language": text_language}
        )
    grouping = query.get("by") or GROUPINGS[0]
    if grouping not in GROUPINGS:
        raise BadOptions(_("Signatories are grouped by country or by kind only."))
    paper = query.get("paper") or "a4"
    if paper not in PAPERS:
        raise BadOptions(_("The paper is A4 or Letter."))
    return HandoverOptions(
        text_language=text_language,
        grouping=grouping,
        paper=paper,
        reader_language=reader_language,
    )


def listed_signatures(statement: Statement):
    """The signatures the document names: confirmed and listed publicly, whoever reads."""
    return Signature.objects.filter(
        statement=statement, status=Signature.Status.CONFIRMED, listed_publicly=True
    )


def statement_state(statement: Statement, version: StatementVersion | None) -> str:
    """A digest of everything the document shows: the statement row, its texts, and its
    confirmed signatures and their organisations. Two aggregate queries."""
    figures = Signature.objects.filter(
        statement=statement, status=Signature.Status.CONFIRMED
    ).aggregate(
        total=Count("pk"),
        unlisted=Count("pk", filter=Q(listed_publicly=False)),
        signatures_changed=Max("updated_at"),
        organisations_changed=Max("organisation__updated_at"),
        last_id=Max("pk"),
    )
    texts = sorted(
        (text.language, text.title, text.summary, text.body)
        for text in (version.texts.all() if version else [])
    )
    digest = hashlib.sha256()
    for part in (
        statement.status,
        statement.published_at,
        statement.updated_at,
        version.pk if version else None,
        texts,
        sorted(figures.items()),
        settings.ALLIANCE_NAME,
    ):
        digest.update(repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def document_for(statement: Statement, options: HandoverOptions) -> HandoverDocument:
    """The stored document for the statement as it is now, with these options: found, or
    made (empty, QUEUED) for a build."""
    version = statement.versions.prefetch_related("texts").order_by("-number").first()
    key = {
        "statement": statement,
        "state": statement_state(statement, version),
        "text_language": options.text_language,
        "grouping": options.grouping,
        "paper": options.paper,
        "reader_language": options.reader_language,
    }
    try:
        with transaction.atomic():
            document, _created = HandoverDocument.objects.get_or_create(**key)
    except IntegrityError:  # made at the same moment by another request
        document = HandoverDocument.objects.get(**key)
    return document


def options_of(document: HandoverDocument) -> HandoverOptions:
    return HandoverOptions(
        text_language=document.text_language,
        grouping=document.grouping,
        paper=document.paper,
        reader_language=document.reader_language,
    )


def build_document(*, document_id: int) -> bool:
    """Build a queued document and store it; False when another run has claimed it (a
    second run of the same task) or it is built already. A failure is stored on the
    document, which the reader's page shows, and raised again."""
    claimed = HandoverDocument.objects.filter(
        pk=document_id, status=HandoverDocument.Status.QUEUED
    ).update(status=HandoverDocument.Status.BUILDING, progress=5)
    if not claimed:
        return False
    document = HandoverDocument.objects.select_related("statement").get(pk=document_id)

    def progress(per_cent: int) -> None:
        HandoverDocument.objects.filter(pk=document_id).update(progress=per_cent)

    try:
        content = render_pdf(document.statement, options_of(document), on_progress=progress)
    except Exception as error:
        HandoverDocument.objects.filter(pk=document_id).update(
            status=HandoverDocument.Status.FAILED, error=repr(error)[:2000]
        )
        raise
    HandoverDocument.objects.filter(pk=document_id).update(
        status=HandoverDocument.Status.READY,
        progress=100,
        content=content,
        built_at=timezone.now(),
    )
    # The same document of an earlier state of the statement will not be asked for again.
    HandoverDocument.objects.filter(
        statement=document.statement_id,
        text_language=document.text_language,
        grouping=document.grouping,
        paper=document.paper,
        reader_language=document.reader_language,
        status__in=[HandoverDocument.Status.READY, HandoverDocument.Status.FAILED],
    ).exclude(pk=document_id).delete()
    return True


def queue_build(document: HandoverDocument) -> None:
    """Build the document in a task, once the row is committed. Safe to call again for a
    document whose task was lost: the task claims the document before building it."""
    from statements.tasks import build_handover_document

    transaction.on_commit(lambda: build_handover_document.delay(document.pk))


def render_pdf(statement: Statement, options: HandoverOptions, *, on_progress=None) -> bytes:
    """The PDF of the statement as it is now."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango's libraries are missing
        raise PdfUnavailable(str(error)) from error

    report = on_progress or (lambda per_cent: None)
    with translation.override(options.reader_language):
        html = render_to_string("statements/handover.html", handover_context(statement, options))
    report(30)
    stylesheet = finders.find(STYLESHEET)
    document = weasyprint.HTML(
        string=html,
        # Nothing is fetched: the logo is inline and the statement's text may not point
        # the server at an address of its own choosing.
        url_fetcher=weasyprint.URLFetcher(allowed_protocols=["data"]),
    ).render(
        stylesheets=[
            weasyprint.CSS(filename=stylesheet),
            weasyprint.CSS(string=f"@page {{ size: {PAPERS[options.paper]}; }}"),
        ]
    )
    report(80)
    return document.write_pdf()


def handover_context(statement: Statement, options: HandoverOptions) -> dict:
    version = statement.versions.prefetch_related("texts").order_by("-number").first()
    languages = text_languages(version)
    chosen = languages if options.text_language == ALL_LANGUAGES else [options.text_language]
    texts = [version.text_in(language) for language in chosen]
    listed = listed_signatures(statement)
    counts = Signature.objects.filter(
        statement=statement, status=Signature.Status.CONFIRMED
    ).aggregate(total=Count("pk"), unlisted=Count("pk", filter=Q(listed_publicly=False)))
    return {
        "statement": statement,
        "texts": texts,
        "title": texts[0].title,
        "date": statement.published_at or timezone.now(),
        "published": statement.status in Statement.PUBLIC_STATUSES,
        "total": counts["total"],
        "unlisted": counts["unlisted"],
        "grouping": options.grouping,
        "groups": grouped_names(listed, options.grouping, options.reader_language),
        "alliance_name": settings.ALLIANCE_NAME,
        "logo": logo_data_uri(),
    }


def grouped_names(listed, grouping: str, language: str) -> list[SignatoryGroup]:
    """Every listed organisation's name, in groups named in the reader's language, the
    groups in the order of their names and the names as the reader sorts them."""
    field_name = f"organisation__{grouping}"
    rows = listed.order_by(collated("organisation__name", language), "pk").values_list(
        field_name, "organisation__name"
    )
    names = defaultdict(list)
    for key, name in rows.iterator(chunk_size=2000):
        names[key].append(name)
    labels = group_labels(grouping, names, language)
    return [
        SignatoryGroup(label=labels[key], count=len(names[key]), names=names[key])
        for key in sorted(names, key=lambda key: sort_key(labels[key]))
    ]


def group_labels(grouping: str, keys, language: str) -> dict[str, str]:
    with translation.override(language):
        if grouping == "country":
            return {code: Country(code).name or code for code in keys}
        kinds = dict(Organisation.Kind.choices)
        return {kind: str(kinds.get(kind, kind)) for kind in keys}


def logo_data_uri() -> str:
    with open(finders.find(LOGO), "rb") as logo:
        encoded = base64.b64encode(logo.read()).decode()
    return f"data:image/svg+xml;base64,{encoded}"
