"""Every screenshot of docs/using/: which page, seen by whom, how wide. The browser test
tests/docs/test_screenshots.py takes each one from the demo data (seed_demo), in English
and in French; `make screenshots` writes them into docs/using/img/<language>/<name>.png.
tests/docs/test_screenshot_references.py checks that the pages reference only these.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import get_language

from alliance.demo import data

LANGUAGES = ("en", "fr")
WIDE, NARROW = 1280, 360
HEIGHT = {WIDE: 800, NARROW: 740}


@dataclass(frozen=True)
class Shot:
    name: str
    # A demo user (alliance.demo.data), or None for a visitor who is not logged in.
    persona: object
    # Called with the shot's language active (the message editor's path names it).
    path: Callable[[], str]
    width: int = WIDE
    # Swagger UI, at /api/v1/docs/, speaks English only.
    languages: tuple[str, ...] = LANGUAGES
    # A <details> element (CSS selector) opened before the picture is taken.
    open_details: str = ""


def _open_request_path() -> str:
    """The member representative's invitation to sign the open statement: the page the
    link in their email opens."""
    from statements.models import SignOnRequest

    request = SignOnRequest.objects.get(
        statement__slug=data.OPEN_STATEMENT_SLUG,
        organisation__slug=data.MEMBER_ORGANISATION_SLUG,
    )
    return reverse("statements:respond", args=[request.token])


def _uganda_convening(view: str) -> Callable[[], str]:
    return lambda: reverse(f"campaigns:{view}", args=["uganda-national-convening-kampala"])


def _open_statement(view: str) -> Callable[[], str]:
    return lambda: reverse(f"statements:{view}", args=[data.OPEN_STATEMENT_SLUG])


def _open_statement_pk() -> int:
    from statements.models import Statement

    return Statement.objects.get(slug=data.OPEN_STATEMENT_SLUG).pk


def _bulk(**fields) -> Callable[[], str]:
    """The directory's "act on the selection" page, with what it will do shown before the
    confirmation: the fields are those the directory's form sends (a callable value is
    looked up when the shot is taken, once the demo data is in)."""

    def path() -> str:
        values = {name: value() if callable(value) else value for name, value in fields.items()}
        return reverse("members:bulk") + "?" + urlencode(values)

    return path


def _focus_area_pk() -> int:
    from members.models import FocusArea

    return FocusArea.objects.order_by("name").first().pk


SHOTS = [
    # Convenor
    Shot("convenor-home", data.CONVENOR, lambda: "/"),
    Shot(
        "convenor-directory",
        data.CONVENOR,
        lambda: reverse("members:directory") + "?country=UG",
    ),
    Shot(
        "convenor-organisation",
        data.CONVENOR,
        lambda: reverse("members:organisation", args=[data.MEMBER_ORGANISATION_SLUG]),
    ),
    Shot("convenor-import", data.CONVENOR, lambda: reverse("members:import_upload")),
    Shot("convenor-statement-new", data.CONVENOR, lambda: reverse("statements:create")),
    Shot("convenor-circulate", data.CONVENOR, _open_statement("circulate")),
    Shot("convenor-tracking", data.CONVENOR, _open_statement("tracking")),
    Shot(
        "convenor-tracking-published",
        data.CONVENOR,
        lambda: reverse("statements:tracking", args=[data.DAVOS_STATEMENT_SLUG]),
    ),
    Shot(
        "convenor-directory-bulk",
        data.CONVENOR,
        _bulk(all="1", filter="country=UG", action="statement_invite", target=_open_statement_pk),
    ),
    Shot("convenor-statements", data.CONVENOR, lambda: reverse("statements:list") + "?q=tax"),
    Shot(
        "convenor-messages",
        data.CONVENOR,
        lambda: reverse(
            "statements:message",
            args=[data.OPEN_STATEMENT_SLUG, "statement_reminder", get_language()],
        ),
    ),
    Shot(
        "convenor-tracking-charts",
        data.CONVENOR,
        lambda: reverse("statements:tracking", args=[data.OPEN_STATEMENT_SLUG]) + "#charts-title",
    ),
    Shot(
        "convenor-share",
        data.CONVENOR,
        lambda: reverse("statements:detail", args=[data.DAVOS_STATEMENT_SLUG]) + "#share-title",
        open_details=".statement-share__embed",
    ),
    Shot("convenor-convening", data.CONVENOR, _uganda_convening("convening")),
    Shot("convenor-invitations", data.CONVENOR, _uganda_convening("invitations")),
    # National coordinator
    Shot("coordinator-home", data.UGANDA_COORDINATOR, lambda: "/"),
    Shot(
        "coordinator-applications", data.UGANDA_COORDINATOR, lambda: reverse("members:applications")
    ),
    Shot("coordinator-dashboard", data.UGANDA_COORDINATOR, lambda: reverse("members:dashboard")),
    Shot("coordinator-convening", data.UGANDA_COORDINATOR, _uganda_convening("convening")),
    Shot("coordinator-offline-record", data.UGANDA_COORDINATOR, _open_statement("offline_record")),
    Shot("coordinator-offline-import", data.UGANDA_COORDINATOR, _open_statement("offline_import")),
    Shot(
        "coordinator-directory-bulk",
        data.UGANDA_COORDINATOR,
        _bulk(all="1", filter="", action="focus_add", target=_focus_area_pk),
    ),
    # Member representative, and the public
    Shot("member-home", data.MEMBER, lambda: "/"),
    Shot("member-respond", data.MEMBER, _open_request_path),
    Shot("member-respond-mobile", data.MEMBER, _open_request_path, width=NARROW),
    Shot(
        "member-organisation-edit",
        data.MEMBER,
        lambda: reverse("members:organisation_edit", args=[data.MEMBER_ORGANISATION_SLUG]),
    ),
    Shot("public-apply", None, lambda: reverse("members:apply")),
    Shot(
        "public-statement",
        None,
        lambda: reverse("statements:detail", args=[data.DAVOS_STATEMENT_SLUG]),
    ),
    Shot(
        "public-statement-mobile",
        None,
        lambda: reverse("statements:detail", args=[data.DAVOS_STATEMENT_SLUG]),
        width=NARROW,
    ),
    # Partner
    Shot("partner-api-docs", None, lambda: reverse("api:docs"), languages=("en",)),
    Shot(
        "partner-embed",
        None,
        lambda: reverse("statements:embed", args=[data.DAVOS_STATEMENT_SLUG]),
        width=NARROW,
    ),
]


def image_path(language: str, shot: Shot) -> str:
    """Where a page of docs/using/ finds it, relative to that folder."""
    return f"img/{language}/{shot.name}.png"
