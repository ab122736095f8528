"""The hand-over document's pages: the PDF itself, and the page that follows a large one
being built (statements.handover)."""

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from statements import handover
from statements.models import HandoverDocument, Statement

# A document still queued after this long lost its task (a broker restart), and one
# still being built after BUILD_LOST_AFTER_SECONDS lost its worker: the next look at it
# queues it again. The task claims the document, so two tasks build it once.
REQUEUE_AFTER_SECONDS = 60
BUILD_LOST_AFTER_SECONDS = 15 * 60


def _statement_for(request, slug) -> Statement:
    """The statement, if the reader may have its hand-over document: not found for
    whoever may not see it at all; refused (or the login page) for those who see it but
    may not have the document yet."""
    statement = get_object_or_404(Statement.objects.visible_to(request.user), slug=slug)
    if request.user.has_perm("statements.view_handover", statement):
        return statement
    if not request.user.is_authenticated:
        raise _LoginFirst
    raise PermissionDenied


class _LoginFirst(Exception):
    pass


def _reader_language(request) -> str:
    asked = request.GET.get("lang")
    return asked if asked in dict(settings.LANGUAGES) else translation.get_language()


def handover_pdf(request, slug):
    """The PDF, built now if it is small, else by a task while a page shows progress.
    Options: `text` (a language of the statement, or "all"), `by` (country or kind),
    `paper` (a4 or letter), `lang` (the reader's language)."""
    try:
        statement = _statement_for(request, slug)
    except _LoginFirst:
        return redirect_to_login(request.get_full_path())
    version = statement.versions.prefetch_related("texts").order_by("-number").first()
    reader_language = _reader_language(request)
    try:
        options = handover.options_from(
            request.GET, statement=statement, version=version, reader_language=reader_language
        )
    except handover.BadOptions as error:
        return _problem(request, statement, str(error), status=400)
    document = handover.document_for(statement, options)
    if document.status == HandoverDocument.Status.FAILED:
        HandoverDocument.objects.filter(
            pk=document.pk, status=HandoverDocument.Status.FAILED
        ).update(status=HandoverDocument.Status.QUEUED, progress=0, error="")
        document.status = HandoverDocument.Status.QUEUED
    if document.status == HandoverDocument.Status.QUEUED:
        small = handover.listed_signatures(statement).count() <= handover.BUILD_WHILE_WAITING_UP_TO
        if small:
            try:
                handover.build_document(document_id=document.pk)
            except handover.PdfUnavailable:
                return _problem(
                    request,
                    statement,
                    _("This server cannot make PDF documents yet: it lacks Pango."),
                    status=503,
                )
            document.refresh_from_db()
        elif not small:
            handover.queue_build(document)
    if document.status != HandoverDocument.Status.READY:
        return redirect("statements:handover_progress", slug=statement.slug, pk=document.pk)
    return _pdf_response(statement, document)


def handover_progress(request, slug, pk):
    """Where a large document is being built: refreshes itself until it is ready."""
    try:
        statement = _statement_for(request, slug)
    except _LoginFirst:
        return redirect_to_login(request.get_full_path())
    document = get_object_or_404(
        HandoverDocument.objects.defer("content"), pk=pk, statement=statement
    )
    age = (timezone.now() - document.created_at).total_seconds()
    if document.status == HandoverDocument.Status.BUILDING and age > BUILD_LOST_AFTER_SECONDS:
        HandoverDocument.objects.filter(
            pk=document.pk, status=HandoverDocument.Status.BUILDING
        ).update(status=HandoverDocument.Status.QUEUED, progress=0)
        document.status = HandoverDocument.Status.QUEUED
    if document.status == HandoverDocument.Status.QUEUED and age > REQUEUE_AFTER_SECONDS:
        handover.queue_build(document)
    options = handover.options_of(document)
    download_url = (
        reverse("statements:handover", kwargs={"slug": statement.slug})
        + "?"
        + urlencode(options.query())
    )
    # In the visitor's language; the document keeps the one it was asked in.
    response = TemplateResponse(
        request,
        "statements/handover_progress.html",
        {
            "statement": statement,
            "document": document,
            "download_url": download_url,
            "title": str(statement),
            "refresh": document.status
            in (HandoverDocument.Status.QUEUED, HandoverDocument.Status.BUILDING),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf_response(statement, document) -> HttpResponse:
    response = HttpResponse(bytes(document.content), content_type="application/pdf")
    filename = f"{statement.slug}-{document.text_language}-{document.paper}.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private"
    return response


def _problem(request, statement, message: str, *, status: int):
    return TemplateResponse(
        request,
        "statements/handover_progress.html",
        {"statement": statement, "title": str(statement), "problem": message},
        status=status,
    )
