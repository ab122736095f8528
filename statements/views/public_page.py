"""The list of statements and a statement's own page: its text, its signatories, the
signing form that fits the reader and, for those who run it, the management panel.
"""

import time
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Value, When
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django_countries.fields import Country

from alliance.core.collation import collated, sort_key
from alliance.core.permissions import is_convenor
from members.models import NationalAlliance, Organisation
from statements import services, sharing
from statements.counting import alliance_progress, signature_count, stored_signature_count
from statements.forms import SignatureForm
from statements.listing import StatementFilter
from statements.models import Signature, Statement, StatementVersion
from statements.views._common import current_text_of, current_version, page_language, text_context

SIGNATORIES_PER_PAGE = 500


def statement_list(request):
    """Published statements for everyone; the ones being circulated to the visitor's
    organisation; everything for convenors. The counts are the stored counters
    (statements.counting), which lag the signatures by at most the recount's 5 seconds:
    no count query per statement, however many signatures there are. Searched and
    filtered through statements.listing."""
    filters = StatementFilter(request.GET, user=request.user)
    valid = filters.is_valid()
    statements = (
        (filters.qs if valid else Statement.objects.none())
        .prefetch_related(
            Prefetch("versions", queryset=StatementVersion.objects.prefetch_related("texts"))
        )
        .order_by("-published_at", "-created_at")
    )
    language = translation.get_language()
    sections: dict[str, list] = {status: [] for status in Statement.Status.values}
    for statement in statements:
        statement.text = current_text_of(statement, language)
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
            "filters": filters,
            "filtered": any(request.GET.get(name) for name in filters.filters),
        },
        status=200 if valid else 400,
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
    version = current_version(statement)
    language = page_language(request)
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
        **text_context(statement, version, language),
        "total": count.total,
        "unlisted": count.unlisted,
        "grouping": grouping,
        **signatories,
        **signing,
        **_management_context(request, statement),
        "alliance_progress": _alliance_progress(request, statement),
    }
    context.update(
        sharing.page_context(
            statement=statement, text=context["text"], language=language, total=count.total
        )
    )
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


# How the listed signatories are grouped (`?by=`), and the organisation field of each: the
# first is the default.
SIGNATORY_GROUPINGS = {"country": "country", "kind": "kind"}


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
    """What the signatories part of the page shows: every group's count and the names
    on one page."""

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
    """The signatories part of the page: one page of the listed signatories in groups
    named in the page's language, and every group's count, rendered.

    Both read the index of the statement's listed signatures, and writing out hundreds
    of names is most of the page's rendering, so readers who all see the same
    list (convenors; anonymous readers whom the proxy does not answer) share the rendered
    part through Django's cache for as long as the public page is kept, under a key
    holding the stored count's time (a new count, a new list)."""
    number = request.GET.get("page") or "1"
    scope = _signatory_scope(request.user)
    key = None
    if scope and statement.counted_at and number.isdigit() and len(number) <= 6:
        key = (
            f"signatories-html:{_version_key(statement, scope, grouping)}:"
            f"{language}:{SIGNATORIES_PER_PAGE}:{int(number)}"
        )
    html = cache.get(key) if key else None
    if html is None:
        listing = _list_signatories(
            request.user, statement, grouping, language, number, scope=scope
        )
        with translation.override(language):
            html = render_to_string(
                "statements/includes/signatories.html",
                {**listing.context(), "grouping": grouping, "language": language},
            )
        if key:
            # A plain str, so that no pickled class outlives a change of the code.
            cache.set(key, str(html), PUBLIC_PAGE_SECONDS)
    # Written by the template above, which escapes every name; the cache keeps a str.
    return {"signatories_html": mark_safe(html)}  # noqa: S308


def _signatory_scope(user) -> str | None:
    """A name for the signatures `user` may see when many readers see the same ones
    (Signature.objects.visible_to); None when they depend on who `user` is."""
    if is_convenor(user):
        return "all"
    if not user.is_authenticated:
        return "public"
    return None


def _version_key(statement, scope: str, grouping: str) -> str:
    """What a kept part of the signatories depends on besides the language: the stored
    count's time (a new count, a new list), whose signatures, and how they are grouped."""
    return f"{statement.pk}:{statement.counted_at.timestamp()}:{scope}:{grouping}"


# How long the group counts of one stored count are kept: two public pages' time, so that
# the pages the proxy redraws together always find the counts of the cycle before.
SIGNATORY_COUNTS_KEPT_SECONDS = 2 * PUBLIC_PAGE_SECONDS


def _group_counts(
    listed, statement, grouping: str, scope: str | None, language: str
) -> dict[str, int]:
    """How many listed signatories each group has: one aggregate query, the same for every
    language, kept in Django's cache under the stored count (a signer who asks to be
    counted only changes it, and so the key).

    The proxy redraws the page of every language at the same moment, so the counts are
    counted again by the page of the site's language alone once they are as old as a
    public page; the other languages take the kept ones, and count only when none are
    kept."""
    field_name = SIGNATORY_GROUPINGS[grouping]
    key = None
    if scope and statement.counted_at:
        key = f"signatory-groups:{_version_key(statement, scope, grouping)}"
        kept = cache.get(key)
        if kept is not None and (
            language != settings.LANGUAGE_CODE
            or time.time() - kept["counted"] < PUBLIC_PAGE_SECONDS
        ):
            return kept["counts"]
    counts = dict(
        listed.order_by(field_name)
        .values(field_name)
        .annotate(n=Count("pk"))
        .values_list(field_name, "n")
    )
    if key:
        cache.set(key, {"counted": time.time(), "counts": counts}, SIGNATORY_COUNTS_KEPT_SECONDS)
    return counts


def _list_signatories(
    user, statement, grouping: str, language: str, number, *, scope: str | None
) -> _Listing:
    """The counts come from one aggregate query (kept for every language); the page is one
    query of its own."""
    field_name = SIGNATORY_GROUPINGS[grouping]
    # The organisations rather than their signatures (one listed signature each at most:
    # signature_one_live_per_organisation), found from the index of the listed signatures
    # (signature_listed_idx) without reading a row of them.
    listed = Organisation.objects.filter(
        Exists(
            Signature.objects.visible_to(user).filter(
                statement=statement,
                status=Signature.Status.CONFIRMED,
                listed_publicly=True,
                organisation=OuterRef("pk"),
            )
        )
    )
    counts = _group_counts(listed, statement, grouping, scope, language)
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
    # (group, name) pairs: the page shows nothing else of them.
    rows = listed.order_by(group_order, collated("name", language), "pk").values_list(
        field_name, "name"
    )
    page = _CountedPaginator(rows, SIGNATORIES_PER_PAGE, count=sum(counts.values())).get_page(
        number
    )
    # Only the groups the page draws from are sorted (the counts say which): sorting every
    # signature by its name in the reader's language was most of the drawing's time.
    groups, skip = _groups_on_page(
        keys, counts, start=(page.number - 1) * SIGNATORIES_PER_PAGE, size=SIGNATORIES_PER_PAGE
    )
    on_page = rows.filter(**{f"{field_name}__in": groups})[skip : skip + SIGNATORIES_PER_PAGE]
    return _Listing(
        counts=counts,
        labels={key: str(label) for key, label in labels.items()},
        keys=keys,
        rows=list(on_page),
        number=page.number,
    )


def _groups_on_page(keys, counts, *, start: int, size: int) -> tuple[list, int]:
    """The groups (in their order) whose names fill the page of `size` names from `start`,
    and how many names of the first of them come before the page."""
    groups, skip, seen = [], 0, 0
    for key in keys:
        if seen + counts[key] > start and seen < start + size:
            if not groups:
                skip = start - seen
            groups.append(key)
        seen += counts[key]
    return groups, skip


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
    # Read once per request with the permission checks and the navigation.
    contact = getattr(request.user, "contact", None)
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
        "can_record_offline": statement.status == Statement.Status.OPEN
        and user.has_perm("statements.record_offline_signatures", statement),
    }
