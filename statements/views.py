import time
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_countries.fields import Country

from alliance.accounts.models import zone_or_utc
from alliance.audit.services import record
from alliance.collation import collated, sort_key
from alliance.csv_export import csv_response
from alliance.permissions import is_convenor, is_coordinator
from members.models import Contact, NationalAlliance, Organisation
from statements import services, tracking_board
from statements.counting import alliance_progress, signature_count, stored_signature_count
from statements.forms import (
    CirculationForm,
    PublicSignatureForm,
    SignatureForm,
    StatementForm,
    StatementTextForm,
)
from statements.models import Signature, SignOnRequest, Statement, StatementVersion

SIGNATORIES_PER_PAGE = 500


class _LoginNeeded(PermissionDenied):
    """Refused, but logging in might help: `_guarded` views redirect to the login page."""


def _check(request, permission: str, obj=None) -> None:
    """Send anonymous visitors to the login page, refuse everyone else without the
    permission."""
    if request.user.has_perm(permission, obj):
        return
    if not request.user.is_authenticated:
        raise _LoginNeeded
    raise PermissionDenied


def _guarded(view):
    """Turn _LoginNeeded into a redirect to the login page."""

    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _LoginNeeded:
            return redirect_to_login(request.get_full_path())

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _current_version(statement) -> StatementVersion | None:
    """The current version with its texts loaded once for the whole page."""
    return statement.versions.prefetch_related("texts").order_by("-number").first()


def _languages(version: StatementVersion | None) -> list[tuple[str, str]]:
    """The statement's languages, in the order of settings.LANGUAGES, each named in
    itself (a reader of French looks for "Français", whatever the page's language)."""
    if version is None:
        return []
    present = {text.language for text in version.texts.all()}
    return [
        (code, translation.get_language_info(code)["name_local"])
        for code, _name in settings.LANGUAGES
        if code in present
    ]


def _page_language(request) -> str:
    """The language of the page: the one asked for in the URL (`?lang=`: the links of the
    shared page, the personal links in emails), else the visitor's. Any interface
    language, whether or not the statement has a text in it."""
    languages = {code for code, _name in settings.LANGUAGES}
    asked = request.GET.get("lang")
    return asked if asked in languages else translation.get_language()


def _text_language(statement, version, language: str) -> str:
    """The statement's text in the page's language, else in its original language."""
    if language in {code for code, _name in _languages(version)}:
        return language
    return statement.original_language


def _text_context(statement, version, language: str) -> dict:
    """What statements/_text.html needs: the text, the languages it exists in, and whether
    it is shown in another language than the page's (the page then says so)."""
    text = version.text_in(_text_language(statement, version, language)) if version else None
    return {
        "text": text,
        "language": language,
        "languages": _languages(version),
        "interface_languages": [
            (code, translation.get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
        ],
        "text_is_fallback": text is not None and text.language != language,
    }


def _current_text(statement, language):
    """The text of the statement's current version from prefetched versions."""
    versions = sorted(statement.versions.all(), key=lambda v: v.number)
    if not versions:
        return None
    texts = {text.language: text for text in versions[-1].texts.all()}
    return texts.get(language) or texts.get(statement.original_language)


# --- Public pages -----------------------------------------------------------------------


def statement_list(request):
    """Published statements for everyone; the ones being circulated to the visitor's
    organisation; everything for convenors. The counts are the stored counters
    (statements.counting), which lag the signatures by at most the recount's 5 seconds:
    no count query per statement, however many signatures there are."""
    statements = (
        Statement.objects.visible_to(request.user)
        .prefetch_related(
            Prefetch("versions", queryset=StatementVersion.objects.prefetch_related("texts"))
        )
        .order_by("-published_at", "-created_at")
    )
    language = translation.get_language()
    sections: dict[str, list] = {status: [] for status in Statement.Status.values}
    for statement in statements:
        statement.text = _current_text(statement, language)
        statement.signature_count = stored_signature_count(statement).total
        sections[statement.status].append(statement)
    return render(
        request,
        "statements/list.html",
        {
            "sections": [
                (Statement.Status(status).label, items)
                for status, items in sections.items()
                if items
            ],
            "can_add": request.user.has_perm("statements.add_statement"),
        },
    )


# The public page of a statement a crowd refreshes to watch the count: anonymous readers
# may be answered by a shared cache (nginx in production) for a few seconds, and the
# stale page while one request renders the next (the count itself lags by as much, see
# statements.counting).
PUBLIC_PAGE_SECONDS = 5
PUBLIC_PAGE_STALE_SECONDS = 30
PUBLIC_CACHE_CONTROL = (
    f"public, max-age={PUBLIC_PAGE_SECONDS}, stale-while-revalidate={PUBLIC_PAGE_STALE_SECONDS}"
)


def detail(request, slug, *, sign_form=None, status=200):
    """The statement in one language: text, count, and the signatories who chose to be
    listed, grouped by country or by kind (`?by=kind`), a page at a time; the ones counted
    only are never named. Works without JavaScript."""
    statement = get_object_or_404(Statement.objects.visible_to(request.user), slug=slug)
    version = _current_version(statement)
    language = _page_language(request)
    grouping = _grouping(request)
    signatories = _signatories(request, statement, grouping, language)
    count = signature_count(statement)
    signing = _signing_context(request, statement, version, sign_form)
    # Only a page without a form of its own is shared: the same bytes go to every
    # anonymous reader, so they must carry no CSRF token (the header's language form
    # then has none either; the statement's own language links do the switching).
    shared = _is_anonymous_reader(request) and status == 200 and not _has_form(signing)
    context = {
        "statement": statement,
        "version": version,
        **_text_context(statement, version, language),
        "total": count.total,
        "unlisted": count.unlisted,
        "grouping": grouping,
        **signatories,
        **signing,
        **_management_context(request, statement),
        "alliance_progress": _alliance_progress(request, statement),
    }
    if shared:
        context.update(csrf_token="", shared_page=True)
    with translation.override(language):
        response = TemplateResponse(request, "statements/detail.html", context, status=status)
        response.render()
    response["Content-Language"] = language
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL if shared else "private"
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def _is_anonymous_reader(request) -> bool:
    """A reader with nothing of their own to see on the page (no session, no pending
    message): the page may be shared with every such reader."""
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not any(name in request.COOKIES for name in (settings.SESSION_COOKIE_NAME, "messages"))
    )


# How the listed signatories are grouped (`?by=`): the first is the default.
SIGNATORY_GROUPINGS = {"country": "organisation__country", "kind": "organisation__kind"}


def _grouping(request) -> str:
    asked = request.GET.get("by", "")
    return asked if asked in SIGNATORY_GROUPINGS else next(iter(SIGNATORY_GROUPINGS))


@dataclass
class SignatoryGroup:
    label: str
    count: int  # listed signatories in the whole group, on every page
    names: list[str] = field(default_factory=list)
    key: str = ""


class _CountedPaginator(Paginator):
    """A paginator told its count: the group counts already add up to it, so no
    COUNT(*) over tens of thousands of signatures."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@dataclass
class _Listing:
    """What the signatories part of the page shows, as plain data that Django's cache
    can keep: every group's count and the names on one page."""

    counts: dict[str, int]
    labels: dict[str, str]
    keys: list[str]  # the groups in the order of their labels
    rows: list[tuple[str, str]]  # (group, organisation name) on the page
    number: int

    def context(self) -> dict:
        total = sum(self.counts.values())
        page = Paginator(range(total), SIGNATORIES_PER_PAGE).get_page(self.number)
        groups: list[SignatoryGroup] = []
        for key, name in self.rows:
            if not groups or groups[-1].key != key:
                groups.append(self._group(key))
            groups[-1].names.append(name)
        return {
            "page": page,
            "groups": groups,
            "group_summary": [self._group(key) for key in self.keys],
        }

    def _group(self, key: str) -> "SignatoryGroup":
        return SignatoryGroup(label=self.labels[key], count=self.counts[key], key=key)


def _signatories(request, statement, grouping: str, language: str) -> dict:
    """One page of the listed signatories in groups named in the page's language, and
    every group's count.

    Both read every signature of the statement with its organisation, so readers who
    all see the same list (convenors; anonymous readers whom the proxy does not answer)
    share it through Django's cache for as long as the public page is kept, under a key
    holding the stored count's time (a new count, a new list)."""
    number = request.GET.get("page") or "1"
    scope = _signatory_scope(request.user)
    key = None
    if scope and statement.counted_at and number.isdigit() and len(number) <= 6:
        key = (
            f"signatories:{statement.pk}:{statement.counted_at.timestamp()}:{scope}:"
            f"{grouping}:{language}:{SIGNATORIES_PER_PAGE}:{int(number)}"
        )
    # Plain values in the cache, so that no pickled class outlives a change of the code.
    cached = cache.get(key) if key else None
    listing = _Listing(**cached) if cached else None
    if listing is None:
        listing = _list_signatories(request.user, statement, grouping, language, number)
        if key:
            cache.set(key, vars(listing), PUBLIC_PAGE_SECONDS)
    return listing.context()


def _signatory_scope(user) -> str | None:
    """A name for the signatures `user` may see when many readers see the same ones
    (Signature.objects.visible_to); None when they depend on who `user` is."""
    if is_convenor(user):
        return "all"
    if not user.is_authenticated:
        return "public"
    return None


def _list_signatories(user, statement, grouping: str, language: str, number) -> _Listing:
    """The counts come from one aggregate query; the page is one query of its own."""
    field_name = SIGNATORY_GROUPINGS[grouping]
    listed = Signature.objects.visible_to(user).filter(
        statement=statement, status=Signature.Status.CONFIRMED, listed_publicly=True
    )
    counts = dict(
        listed.order_by(field_name)
        .values(field_name)
        .annotate(n=Count("pk"))
        .values_list(field_name, "n")
    )
    with translation.override(language):
        labels = _group_labels(grouping, counts)
    # Groups in the order of their names in the page's language, names within a group as
    # its readers sort them.
    keys = sorted(counts, key=lambda key: sort_key(labels[key]))
    group_order = Case(
        *(When(**{field_name: key}, then=Value(rank)) for rank, key in enumerate(keys)),
        default=Value(len(keys)),
        output_field=IntegerField(),
    )
    rows = (
        listed.select_related("organisation")
        .only("organisation__name", "organisation__country", "organisation__kind")
        .order_by(group_order, collated("organisation__name", language), "pk")
    )
    page = _CountedPaginator(rows, SIGNATORIES_PER_PAGE, count=sum(counts.values())).get_page(
        number
    )
    return _Listing(
        counts=counts,
        labels={key: str(label) for key, label in labels.items()},
        keys=keys,
        rows=[
            (_group_key(signature.organisation, grouping), signature.organisation.name)
            for signature in page.object_list
        ],
        number=page.number,
    )


def _group_key(organisation, grouping: str) -> str:
    return organisation.country.code if grouping == "country" else organisation.kind


def _group_labels(grouping: str, keys) -> dict[str, str]:
    if grouping == "country":
        return {code: Country(code).name or code for code in keys}
    kinds = dict(Organisation.Kind.choices)
    return {kind: str(kinds.get(kind, kind)) for kind in keys}


def _has_form(signing_context: dict) -> bool:
    return any(signing_context[name] for name in ("sign_form", "own_signature"))


def _signing_context(request, statement, version, sign_form) -> dict:
    """The signing part of the page: a representative's signature or their form, or a
    link to the public form when any organisation may sign (a link, not the form: the
    page stays the same for every anonymous reader, and so can be shared)."""
    contact = (
        Contact.objects.filter(user=request.user).select_related("organisation").first()
        if request.user.is_authenticated
        else None
    )
    own = services.live_signature(statement, contact.organisation) if contact else None
    can_sign = (
        contact is not None
        and own is None
        and request.user.has_perm("statements.sign_statement", statement)
    )
    if can_sign and sign_form is None:
        sign_form = SignatureForm(
            initial={
                "signatory_name": contact.name,
                "signatory_title": contact.role,
                "email": contact.email,
            }
        )
    signable_by_anyone = (
        statement.status == Statement.Status.OPEN
        and statement.audience == Statement.Audience.ANYONE
    )
    return {
        "public_signing": contact is None and signable_by_anyone,
        "own_signature": own,
        "signed_earlier_text": own is not None and version and own.version_id != version.pk,
        "may_confirm": own is not None
        and request.user.has_perm("statements.confirm_signature", own),
        "may_withdraw": own is not None
        and request.user.has_perm("statements.withdraw_signature", own),
        "sign_form": sign_form if can_sign else None,
    }


def _alliance_progress(request, statement):
    """A coordinator's view of how their alliances' organisations answered an open
    statement (convenors have the tracking board)."""
    user = request.user
    if statement.status != Statement.Status.OPEN or not user.is_authenticated:
        return None
    if is_convenor(user):
        return None
    alliances = NationalAlliance.objects.coordinated_by(user)
    if not alliances.exists():
        return None
    progress = alliance_progress(statement, alliances)
    return progress if progress.asked else None


def _management_context(request, statement) -> dict:
    user = request.user
    return {
        "can_change": user.has_perm("statements.change_statement", statement),
        "can_circulate": user.has_perm("statements.circulate_statement", statement)
        and statement.status in (Statement.Status.DRAFT, Statement.Status.OPEN),
        "can_publish": user.has_perm("statements.publish_statement", statement)
        and statement.status in (Statement.Status.DRAFT, Statement.Status.OPEN),
        "can_track": user.has_perm("statements.view_tracking", statement),
        "can_export": user.has_perm("statements.export_signatories", statement),
    }


@_guarded
@require_POST
def sign(request, slug):
    """A logged-in representative signs for their organisation from the statement page."""
    statement = get_object_or_404(Statement.objects.visible_to(request.user), slug=slug)
    _check(request, "statements.sign_statement", statement)
    contact = Contact.objects.filter(user=request.user).select_related("organisation").first()
    if contact is None:  # the rule asked the same; the contact is needed below
        raise PermissionDenied
    form = SignatureForm(request.POST)
    if not form.is_valid():
        return detail(request, slug, sign_form=form, status=400)
    organisation = contact.organisation
    try:
        services.sign(
            statement=statement,
            organisation=organisation,
            signatory=form.signatory(),
            actor=request.user,
        )
    except services.AlreadySigned as refusal:
        messages.error(request, _already_signed_message(refusal.signature))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Thank you: %(organisation)s has signed.") % {"organisation": organisation}
        )
    return redirect(statement)


@require_http_methods(["GET", "POST"])
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
            language=_page_language(request),
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
# every submission (services._check_open).
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
    version = _current_version(statement)
    language = _page_language(request)
    with translation.override(language):
        response = render(
            request,
            "statements/sign_publicly.html",
            {"statement": statement, **_text_context(statement, version, language), "form": form},
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
    language = _page_language(request)
    text = signature.version.text_in(language)
    with translation.override(language):
        return render(request, "statements/verify.html", {"signature": signature, "text": text})


def _already_signed_message(signature) -> str:
    return _(
        "On %(date)s, %(name)s signed this statement for %(organisation)s: an organisation"
        " signs only once."
    ) % {
        "organisation": signature.organisation,
        "name": signature.signatory_name,
        "date": date_format(timezone.localtime(signature.created_at), "DATE_FORMAT"),
    }


@_guarded
@require_POST
def withdraw(request, pk):
    signature = get_object_or_404(Signature.objects.select_related("statement"), pk=pk)
    _check(request, "statements.withdraw_signature", signature)
    try:
        services.withdraw(signature=signature, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The signature has been withdrawn."))
    return redirect(signature.statement)


@_guarded
@require_POST
def moderate(request, pk):
    """Approve or reject a signature waiting for moderation, from the tracking board (or,
    for a coordinator, a claim from the claims page)."""
    signature = get_object_or_404(
        Signature.objects.select_related("statement", "organisation"), pk=pk
    )
    _check(request, "statements.moderate_signature", signature)
    approve = request.POST.get("decision") == "approve"
    try:
        services.moderate(
            signature=signature,
            approve=approve,
            moderator=request.user,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        # The same words whatever became of it: approving a claim for an organisation
        # that signed already must not tell a coordinator that it had.
        messages.success(request, _("Your decision is recorded.") if approve else _("Rejected."))
    if request.user.has_perm("statements.view_tracking", signature.statement):
        return redirect("statements:tracking", slug=signature.statement.slug)
    return redirect("statements:claims")


@_guarded
def claims(request):
    """Signatures sent by people not known as one of the organisation's people, whose
    address is confirmed, waiting for a convenor or the organisation's coordinator to
    approve them. Nothing here says whether the organisation has signed otherwise."""
    if not request.user.is_authenticated:
        raise _LoginNeeded
    if not (is_convenor(request.user) or is_coordinator(request.user)):
        raise PermissionDenied
    claims = list(
        Signature.objects.claims_decidable_by(request.user)
        .select_related("statement", "organisation")
        .prefetch_related("statement__versions__texts")
        .order_by("created_at")
    )
    language = translation.get_language()
    for claim in claims:
        text = _current_text(claim.statement, language)
        claim.statement_title = text.title if text else claim.statement.slug
    return render(request, "statements/claims.html", {"claims": claims})


@_guarded
@require_POST
def confirm(request, pk):
    """A representative confirms, for their organisation, the changed text."""
    signature = get_object_or_404(Signature.objects.select_related("statement"), pk=pk)
    _check(request, "statements.confirm_signature", signature)
    if services.confirm_current_text(signature=signature, actor=request.user):
        messages.success(request, _("Thank you: your signature now carries the new text."))
    return redirect(signature.statement)


# --- The personal link in the email -----------------------------------------------------


@require_http_methods(["GET", "POST"])
def respond(request, token):
    """The page the request to sign links to; no login. GET shows the statement and the
    form and changes nothing (mail scanners open links); POST signs, declines or
    withdraws."""
    signon_request = get_object_or_404(
        SignOnRequest.objects.select_related("statement", "organisation"), token=token
    )
    contact = _contact_from(request, signon_request)
    # The page, and the messages its answers leave, in the link's language; its times in
    # the zone of the person it was sent to.
    with (
        translation.override(_page_language(request)),
        timezone.override(zone_or_utc(contact.time_zone if contact else "UTC")),
    ):
        return _respond_page(request, signon_request, contact)


def _respond_page(request, signon_request, contact):
    statement = signon_request.statement
    version = _current_version(statement)
    language = translation.get_language()
    form = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        form, status = _respond_to(request, signon_request, action, contact)
        if status == 302:
            return redirect(request.get_full_path())
    own = services.live_signature(statement, signon_request.organisation)
    if form is None and own is None:
        form = SignatureForm(
            initial={
                "signatory_name": contact.name if contact else "",
                "signatory_title": contact.role if contact else "",
                "email": contact.email if contact else "",
            }
        )
    context = {
        "signon_request": signon_request,
        "statement": statement,
        **_text_context(statement, version, language),
        "own_signature": own,
        "signed_earlier_text": own is not None and version and own.version_id != version.pk,
        "form": form,
        "open": statement.status == Statement.Status.OPEN,
        "personal_times": contact is not None,
    }
    return TemplateResponse(request, "statements/respond.html", context, status=status).render()


def _contact_from(request, signon_request) -> Contact | None:
    """The contact the link was sent to, to fill the form in; only among the
    organisation's own contacts."""
    pk = request.GET.get("contact", "")
    if not pk.isdigit():
        return None
    return signon_request.organisation.contacts.filter(pk=int(pk)).first()


def _respond_to(request, signon_request, action, contact):
    """Carry out the POST; returns (form to show, status), status 302 when done."""
    statement, organisation = signon_request.statement, signon_request.organisation
    on_behalf = _("%(contact)s, by the link sent to %(organisation)s") % {
        "contact": contact.email if contact else _("someone"),
        "organisation": organisation,
    }
    try:
        if action == "decline":
            services.decline(signon_request=signon_request, declined_by=on_behalf)
            messages.success(request, _("Thank you for your answer: you will not be reminded."))
            return None, 302
        if action == "confirm":
            signature = services.live_signature(statement, organisation)
            if signature is not None and services.confirm_current_text(
                signature=signature, actor_label=on_behalf
            ):
                messages.success(request, _("Thank you: your signature now carries the new text."))
            return None, 302
        if action == "withdraw":
            signature = services.live_signature(statement, organisation)
            if signature is not None:
                services.withdraw(signature=signature, actor_label=on_behalf)
                messages.success(request, _("Your organisation's signature has been withdrawn."))
            return None, 302
        form = SignatureForm(request.POST)
        if not form.is_valid():
            return form, 400
        services.sign(statement=statement, organisation=organisation, signatory=form.signatory())
    except services.AlreadySigned as refusal:
        messages.error(request, _already_signed_message(refusal.signature))
        return None, 409
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None, 400
    messages.success(
        request, _("Thank you: %(organisation)s has signed.") % {"organisation": organisation}
    )
    return None, 302


# --- Convenors --------------------------------------------------------------------------


@_guarded
@require_http_methods(["GET", "POST"])
def edit(request, slug=None):
    """Draft a new statement or change one: settings, and the text in each language."""
    if slug is None:
        _check(request, "statements.add_statement")
        statement = Statement()
    else:
        statement = get_object_or_404(Statement, slug=slug)
        _check(request, "statements.change_statement", statement)
    version = statement.current_version() if statement.pk else None
    initial_texts = StatementTextForm.initial_from(version)
    data = request.POST if request.method == "POST" else None
    form = StatementForm(data, instance=statement)
    text_forms = [
        StatementTextForm(data, language=code, initial=initial_texts.get(code))
        for code, _name in settings.LANGUAGES
    ]
    if data is not None and form.is_valid() and all(f.is_valid() for f in text_forms):
        texts = [text for f in text_forms if (text := f.text()) is not None]
        try:
            statement = services.save_statement(
                statement=form.save(commit=False),
                texts=texts,
                author=request.user,
                focus_areas=form.cleaned_data["focus_areas"],
                note=request.POST.get("note", "")[:300],
                tell_invitees_of_deadline=form.cleaned_data.get("tell_invitees", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if statement.new_version_made:
                messages.warning(
                    request,
                    _(
                        "Organisations have signed the earlier text: the change is a new "
                        "version; their signatures stay counted."
                    ),
                )
            messages.success(request, _("The statement is saved."))
            return redirect(statement)
    return render(
        request,
        "statements/edit.html",
        {"statement": statement, "form": form, "text_forms": text_forms, "version": version},
    )


@_guarded
@require_http_methods(["GET", "POST"])
def circulate(request, slug):
    """Choose the organisations to ask, see how many people that writes to, send."""
    statement = get_object_or_404(Statement, slug=slug)
    _check(request, "statements.circulate_statement", statement)
    # A coordinator asks their own alliance's organisations only.
    alliances = (
        None
        if request.user.has_perm("statements.view_tracking", statement)
        else NationalAlliance.objects.coordinated_by(request.user)
    )
    form = CirculationForm(
        request.POST if request.method == "POST" else request.GET or None, alliances=alliances
    )
    preview = None
    if form.is_bound and form.is_valid():
        organisations = form.organisations()
        if request.method == "POST":
            try:
                asked = services.circulate(
                    statement=statement, organisations=organisations, sent_by=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s organisation has been asked to sign.",
                        "%(count)s organisations have been asked to sign.",
                        asked,
                    )
                    % {"count": asked},
                )
                if alliances is not None:
                    return redirect("statements:circulate", slug=statement.slug)
                return redirect("statements:tracking", slug=statement.slug)
        preview = services.preview_circulation(statement=statement, organisations=organisations)
    return render(
        request,
        "statements/circulate.html",
        {
            "statement": statement,
            "form": form,
            "preview": preview,
            "query": urlencode(request.GET),
        },
    )


@_guarded
def tracking(request, slug):
    """Per organisation: signed, declined or no reply; totals; per national alliance."""
    statement = get_object_or_404(Statement, slug=slug)
    _check(request, "statements.view_tracking", statement)
    answer = request.GET.get("answer", "")
    page = tracking_board.page_of_requests(statement, answer=answer, number=request.GET.get("page"))
    return render(
        request,
        "statements/tracking.html",
        {
            "statement": statement,
            # The title in the reader's language where the statement has it.
            "title": _title_in(statement, translation.get_language()),
            "page": page,
            "rows": tracking_board.rows_html(statement, page),
            "answer": answer,
            "answers": SignOnRequest.Answer.choices,
            "tracking": services.tracking(statement),
            "to_moderate": Signature.objects.filter(
                statement=statement,
                status__in=[
                    Signature.Status.PENDING_MODERATION,
                    Signature.Status.PENDING_APPROVAL,
                ],
            )
            .select_related("organisation")
            .order_by("created_at"),
            "removed": Signature.objects.filter(
                statement=statement,
                status__in=[Signature.Status.WITHDRAWN, Signature.Status.REJECTED],
            )
            .select_related("organisation")
            .order_by("-updated_at"),
        },
    )


def _title_in(statement, language: str) -> str:
    text = statement.current_text(language)
    return text.title if text else str(statement)


@_guarded
@require_POST
def publish(request, slug):
    statement = get_object_or_404(Statement, slug=slug)
    _check(request, "statements.publish_statement", statement)
    if services.publish(statement=statement, actor=request.user):
        messages.success(request, _("The statement is published in all its languages."))
    else:
        messages.info(request, _("The statement was already published."))
    return redirect(statement)


@_guarded
def export(request, slug):
    """Every signature, with its status and whether it is listed: for convenors only."""
    statement = get_object_or_404(Statement, slug=slug)
    _check(request, "statements.export_signatories", statement)
    record(actor=request.user, action="statement.signatories_exported", target=statement)
    rows = (
        Signature.objects.filter(statement=statement)
        .select_related("organisation", "version")
        .order_by("organisation__country", "organisation__name")
    )
    return csv_response(
        filename=f"{statement.slug}-signatories.csv",
        header=[
            "organisation",
            "country",
            "kind",
            "signatory",
            "title",
            "email",
            "listed_publicly",
            "status",
            "source",
            "version",
            "signed_at",
        ],
        rows=(
            [
                signature.organisation.name,
                signature.organisation.country.code,
                signature.organisation.kind,
                signature.signatory_name,
                signature.signatory_title,
                signature.email,
                "yes" if signature.listed_publicly else "no",
                signature.status,
                signature.source,
                signature.version.number,
                signature.created_at.isoformat(),
            ]
            for signature in rows.iterator(chunk_size=2000)
        ),
    )
