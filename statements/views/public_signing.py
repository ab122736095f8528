"""Public signing: the form open to any organisation, the page that asks to check the
email, and the link in that email that confirms the address.
"""

import time
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from statements import services
from statements.forms import PublicSignatureForm
from statements.models import Signature, Statement
from statements.unavailable import retried_once_then_try_again
from statements.views._common import current_version, page_language, text_context


@require_http_methods(["GET", "POST"])
@retried_once_then_try_again(page_language=page_language)
def sign_publicly(request, slug):
    """The public form to sign a statement open to any organisation. GET shows it (a
    private page: it carries a CSRF token, so the shared statement page links here
    instead of embedding it); POST stores the submission and answers 303 to "check your
    email", so that a refresh never posts again. The answer is the same whether or not
    the organisation had signed."""
    statement = _open_to_anyone(slug)
    if request.method == "GET":
        return _public_form_page(request, statement, PublicSignatureForm())
    form = PublicSignatureForm(request.POST)
    if not form.is_valid():
        return _public_form_page(request, statement, form, status=400)
    data = form.cleaned_data
    try:
        services.sign_publicly(
            statement=statement,
            organisation_name=data["organisation_name"],
            country=data["country"],
            kind=data["kind"],
            signatory=form.signatory(),
            language=page_language(request),
            # REMOTE_ADDR: behind a proxy, the proxy must set it to the client's address.
            ip=request.META.get("REMOTE_ADDR", ""),
            looks_automated=form.looks_automated,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _public_form_page(request, statement, form, status=400)
    sent_to = signing.dumps(data["email"], salt=CHECK_EMAIL_SALT)
    check_email = reverse("statements:check_email", args=[slug])
    return HttpResponseSeeOther(f"{check_email}?to={quote(sent_to)}")


# Statements open to any organisation, by slug, as each process last read them: under a
# burst of signatures, reading the same row for every submission cost a fifth of the
# request (the ORM's query, not PostgreSQL's). Kept PUBLIC_SIGNING_STATEMENT_SECONDS:
# a statement closed or published that long ago is refused; the deadline is checked on
# every submission (services.signing._check_open).
_open_statements: dict[str, tuple[float, Statement]] = {}


def _open_to_anyone(slug) -> Statement:
    """The statement any organisation may sign, or 404. Every visitor may see such a
    statement (Statement.objects.visible_to), so this asks nothing of the user."""
    seconds = settings.PUBLIC_SIGNING_STATEMENT_SECONDS
    known = _open_statements.get(slug) if seconds else None
    if known is not None and known[0] > time.monotonic():
        return known[1]
    statement = get_object_or_404(
        Statement, slug=slug, status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE
    )
    if seconds:
        if len(_open_statements) > 100:  # slugs that stopped being signed; and a bound
            _open_statements.clear()
        _open_statements[slug] = (time.monotonic() + seconds, statement)
    return statement


class HttpResponseSeeOther(HttpResponseRedirect):
    """303: the browser follows with a GET, whatever the method was."""

    status_code = 303


# The "check your email" page shows the address it was sent to, carried in a signed
# value: nobody can make the page claim it wrote to an address of their choosing.
CHECK_EMAIL_SALT = "statements.check-email"


CHECK_EMAIL_MAX_AGE = 3600


def _public_form_page(request, statement, form, *, status=200):
    version = current_version(statement)
    language = page_language(request)
    with translation.override(language):
        response = render(
            request,
            "statements/sign_publicly.html",
            {"statement": statement, **text_context(statement, version, language), "form": form},
            status=status,
        )
    response["Cache-Control"] = "private"
    return response


def check_email(request, slug):
    """Where a public signature's POST redirects: the address the link was sent to."""
    statement = get_object_or_404(Statement.objects.visible_to(request.user), slug=slug)
    try:
        email = signing.loads(
            request.GET.get("to", ""), salt=CHECK_EMAIL_SALT, max_age=CHECK_EMAIL_MAX_AGE
        )
    except signing.BadSignature:
        email = ""
    response = render(
        request, "statements/check_email.html", {"statement": statement, "email": email}
    )
    response["Cache-Control"] = "private"
    return response


@require_http_methods(["GET", "POST"])
def verify(request, token):
    """The link in the confirmation email. GET shows a button (mail scanners open
    links); the POST confirms the address and the signature."""
    signature = get_object_or_404(
        Signature.objects.select_related("statement", "organisation", "version"), token=token
    )
    if request.method == "POST":
        signature = services.verify_signature(signature=signature)
    language = page_language(request)
    text = signature.version.text_in(language)
    with translation.override(language):
        return render(request, "statements/verify.html", {"signature": signature, "text": text})
