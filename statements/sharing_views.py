"""The pages other sites show: a statement's preview image (`<slug>/share.png`) and its
widget (`<slug>/embed/`), made for an `<iframe>` on any site.

The widget is the one page of the site that other sites may frame: it alone answers
without X-Frame-Options and with `frame-ancestors *`. It is the same for every visitor
(it reads nobody's session and sets no cookie), so the proxy keeps it as it keeps the
public statement page, and its count follows that page's. Its signing form posts without
a CSRF token: in another site's frame no cookie of ours may be read or set, and the form
acts for no account: what it sends is the public form's submission, confirmed by email,
limited per address (statements.services.sign_publicly, and nginx's limit on POSTs).
"""

from urllib.parse import quote

from csp.decorators import csp_replace
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from statements import services
from statements.counting import signature_count
from statements.forms import PublicSignatureForm
from statements.models import Signature, Statement
from statements.sharing import share_image as render_share_image
from statements.views._common import current_version, page_language, text_context
from statements.views.public_page import PUBLIC_CACHE_CONTROL
from statements.views.public_signing import (
    CHECK_EMAIL_MAX_AGE,
    CHECK_EMAIL_SALT,
    HttpResponseSeeOther,
)

# How many of the latest listed signatories the widget names.
LATEST_SIGNATORIES = 5
# How long the widget's empty form, drawn once per statement and language, is kept.
EMPTY_FORM_SECONDS = 300


def _public_statement(slug) -> Statement:
    """The statement, if anybody at all may read it; 404 otherwise, whoever asks (these
    pages are the same for everyone)."""
    statement = get_object_or_404(Statement, slug=slug)
    if not statement.seen_by_anyone:
        raise Http404
    return statement


@require_safe
def share_image(request, slug):
    """The preview a chat or a network shows for a link to the statement (og:image)."""
    statement = _public_statement(slug)
    version = current_version(statement)
    language = page_language(request)
    text = text_context(statement, version, language)["text"]
    if text is None:
        raise Http404
    png = render_share_image(
        statement=statement,
        title=text.title,
        total=signature_count(statement).total,
        language=language,
    )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    response["Content-Language"] = language
    return response


# Framable by any site: the widget, and the pages its form leads to.
framable = csp_replace({"frame-ancestors": ["*"]})


@csrf_exempt
@xframe_options_exempt
@framable
@require_http_methods(["GET", "HEAD", "POST"])
def embed(request, slug):
    """The widget: the count, the latest listed signatories, and the public form where
    any organisation may sign. A POST signs as the public form does."""
    statement = _public_statement(slug)
    signable = _signable_by_anyone(statement)
    if request.method != "POST":
        return _widget(request, statement, PublicSignatureForm() if signable else None)
    if not signable:  # a form loaded before the statement closed or was published
        return _widget(request, statement, None, status=400, closed=True)
    form = PublicSignatureForm(request.POST)
    if not form.is_valid():
        return _widget(request, statement, form, status=400)
    data = form.cleaned_data
    language = page_language(request)
    try:
        services.sign_publicly(
            statement=statement,
            organisation_name=data["organisation_name"],
            country=data["country"],
            kind=data["kind"],
            signatory=form.signatory(),
            language=language,
            ip=request.META.get("REMOTE_ADDR", ""),
            looks_automated=form.looks_automated,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _widget(request, statement, form, status=400)
    sent_to = signing.dumps(data["email"], salt=CHECK_EMAIL_SALT)
    sent = reverse("statements:embed_sent", args=[statement.slug])
    return HttpResponseSeeOther(f"{sent}?lang={language}&to={quote(sent_to)}")


@xframe_options_exempt
@framable
@require_safe
def embed_sent(request, slug):
    """Where the widget's form leads: "check your email", still inside the frame."""
    statement = _public_statement(slug)
    try:
        email = signing.loads(
            request.GET.get("to", ""), salt=CHECK_EMAIL_SALT, max_age=CHECK_EMAIL_MAX_AGE
        )
    except signing.BadSignature:
        email = ""
    language = page_language(request)
    with translation.override(language):
        response = TemplateResponse(
            request,
            "statements/embed_sent.html",
            {"statement": statement, "email": email, "language": language},
        )
        response.render()
    response["Cache-Control"] = "private, no-store"
    return response


def _signable_by_anyone(statement: Statement) -> bool:
    return (
        statement.status == Statement.Status.OPEN
        and statement.audience == Statement.Audience.ANYONE
    )


def _widget(request, statement, form, *, status=200, closed=False):
    version = current_version(statement)
    language = page_language(request)
    latest = (
        Signature.objects.visible_to(None)
        .filter(statement=statement)
        .select_related("organisation")
        .only("organisation__name", "created_at")
        .order_by("-created_at", "-pk")[:LATEST_SIGNATORIES]
    )
    count = signature_count(statement)
    context = {
        "statement": statement,
        **text_context(statement, version, language),
        "total": count.total,
        "unlisted": count.unlisted,
        "latest": [signature.organisation.name for signature in latest],
        "form": form,
        "closed": closed,
        "form_seconds": 0 if form is not None and form.is_bound else EMPTY_FORM_SECONDS,
    }
    with translation.override(language):
        response = TemplateResponse(request, "statements/embed.html", context, status=status)
        response.render()
    response["Content-Language"] = language
    # The widget for everyone is kept by the proxy as the statement page is; an answer to
    # a POST (the form with its errors) belongs to its sender.
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL if status == 200 else "private, no-store"
    return response
