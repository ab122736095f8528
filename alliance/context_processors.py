"""What every page needs to know about the person looking at it: their role, and the
navigation that follows from it."""

from dataclasses import dataclass
from functools import cache, lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from alliance.core.permissions import is_convenor, is_coordinator
from members.models import coordinated_alliances

ANONYMOUS, SIGNED_IN, CONVENOR, COORDINATOR, REPRESENTATIVE, STAFF = (
    "anonymous",
    "signed_in",
    "convenor",
    "coordinator",
    "representative",
    "staff",
)


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url_name: str
    shown_to: frozenset[str]


# The main navigation, one line per page. A link whose URL name does not resolve (the
# page is not built yet) is left out rather than leading to a 404.
NAVIGATION = [
    NavLink(_("Home"), "home", frozenset({SIGNED_IN})),
    NavLink(_("Members"), "members:directory", frozenset({CONVENOR, COORDINATOR})),
    NavLink(_("National alliances"), "members:alliances", frozenset({CONVENOR})),
    NavLink(_("Dashboard"), "members:dashboard", frozenset({CONVENOR, COORDINATOR})),
    NavLink(_("Applications"), "members:applications", frozenset({CONVENOR, COORDINATOR})),
    NavLink(_("Import"), "members:import_upload", frozenset({CONVENOR})),
    NavLink(_("Statements"), "statements:list", frozenset({ANONYMOUS, SIGNED_IN})),
    NavLink(_("Campaigns"), "campaigns:campaigns", frozenset({ANONYMOUS, SIGNED_IN})),
    NavLink(_("Convenings"), "campaigns:convenings", frozenset({CONVENOR, COORDINATOR})),
    NavLink(_("Join"), "members:apply", frozenset({ANONYMOUS})),
    NavLink(_("Admin"), "admin:index", frozenset({STAFF})),
]


def get_role(request) -> dict:
    """The role of the person making `request`, worked out once per request (the home
    view and the navigation both need it)."""
    if not hasattr(request, "_alliance_role"):
        request._alliance_role = _work_out_role(getattr(request, "user", None))
    return request._alliance_role


def _work_out_role(user) -> dict:
    if user is None or not user.is_authenticated:
        return {"anonymous": True, "names": frozenset({ANONYMOUS})}
    convenor = is_convenor(user)
    # A convenor sees every alliance anyway; their navigation does not list them. Whether
    # the user coordinates any, and their own (one-to-one) contact, came with the user
    # (alliance.auth_backends); which ones, with what a page asks of the user's reach
    # (members.models.read_reach), in one query for both.
    coordinated = coordinated_alliances(user) if not convenor and is_coordinator(user) else []
    contact = getattr(user, "contact", None)
    names = {SIGNED_IN}
    if convenor:
        names.add(CONVENOR)
    if coordinated:
        names.add(COORDINATOR)
    if contact is not None:
        names.add(REPRESENTATIVE)
    if user.is_staff:
        names.add(STAFF)
    return {
        "anonymous": False,
        "convenor": convenor,
        "coordinator": bool(coordinated),
        "coordinated_alliances": coordinated,
        "representative": contact is not None,
        "contact": contact,
        "organisation": contact.organisation if contact else None,
        "names": frozenset(names),
    }


def _url_or_none(url_name: str, *args) -> str | None:
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return None


@lru_cache(maxsize=64)
def _fixed_url(url_name: str, urlconf: str, script_prefix: str) -> str | None:
    """The URL of a link without arguments: the same for every request with this URLconf
    and script prefix, so each process works it out once rather than on every page."""
    return _url_or_none(url_name)


def _navigation(request, role: dict) -> list[dict]:
    where = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    links = []
    for link in NAVIGATION:
        if link.shown_to.isdisjoint(role["names"]):
            continue
        url = _fixed_url(link.url_name, *where)
        if url is not None:
            links.append({"label": link.label, "url": url})
    # A coordinator's alliances and a representative's organisation have their own
    # entries; until their pages exist, they point at the matching part of the home page.
    home = _fixed_url("home", *where)
    for alliance in role.get("coordinated_alliances", []):
        url = _url_or_none("members:alliance", alliance.slug)
        links.append({"label": alliance.name, "url": url or f"{home}#alliance-{alliance.slug}"})
    if role.get("organisation") is not None:
        organisation = role["organisation"]
        url = _url_or_none("members:organisation", organisation.slug)
        links.append(
            {
                "label": organisation.short_name or organisation.name,
                "url": url or f"{home}#organisation",
            }
        )
    # The one link the page is under, the longest that matches: a convening's page is under
    # Convenings, not also under Campaigns.
    matching = [
        link["url"]
        for link in links
        if "#" not in link["url"]
        and (request.path == home if link["url"] == home else request.path.startswith(link["url"]))
    ]
    current = max(matching, key=len, default=None)
    for link in links:
        link["current"] = link["url"] == current
    return links


@cache
def _htmx_url() -> str | None:
    """htmx is vendored by scripts/assets.sh; pages work without it, so a machine without
    npm simply gets no script tag (and no error from the manifest storage)."""
    path = "vendor/htmx/htmx.min.js"
    if finders.find(path) is None:
        return None
    try:
        return static(path)
    except ValueError:  # manifest storage, and collectstatic ran before assets.sh
        return None


def navigation(request):
    """`role` (who is looking), `navigation` (the links they get) and `htmx_url`."""
    role = get_role(request)
    return {
        "role": role,
        "navigation": _navigation(request, role),
        "htmx_url": _htmx_url(),
    }
