"""The helpers every page of statements shares: the permission check and its guard, and
which version and language of a statement's text a page shows.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils import translation

from statements.models import StatementText, StatementVersion, in_language


class LoginNeeded(PermissionDenied):
    """Refused, but logging in might help: `guarded` views redirect to the login page."""


def check_permission(request, permission: str, obj=None) -> None:
    """Send anonymous visitors to the login page, refuse everyone else without the
    permission."""
    if request.user.has_perm(permission, obj):
        return
    if not request.user.is_authenticated:
        raise LoginNeeded
    raise PermissionDenied


def guarded(view):
    """Turn LoginNeeded into a redirect to the login page."""

    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except LoginNeeded:
            return redirect_to_login(request.get_full_path())

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def current_version(statement) -> StatementVersion | None:
    """The current version with its texts loaded once for the whole page."""
    return statement.versions.prefetch_related("texts").order_by("-number").first()


def version_languages(version: StatementVersion | None) -> list[tuple[str, str]]:
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


def page_language(request) -> str:
    """The language of the page: the one asked for in the URL (`?lang=`: the links of the
    shared page, the personal links in emails), else the visitor's. Any interface
    language, whether or not the statement has a text in it."""
    languages = {code for code, _name in settings.LANGUAGES}
    asked = request.GET.get("lang")
    return asked if asked in languages else translation.get_language()


def text_language(statement, version, language: str) -> str:
    """The statement's text in the page's language, else in its original language."""
    if language in {code for code, _name in version_languages(version)}:
        return language
    return statement.original_language


def text_context(statement, version, language: str) -> dict:
    """What statements/_text.html needs: the text, the languages it exists in, and whether
    it is shown in another language than the page's (the page then says so)."""
    text = version.text_in(text_language(statement, version, language)) if version else None
    return {
        "text": text,
        "language": language,
        "languages": version_languages(version),
        "interface_languages": [
            (code, translation.get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
        ],
        "text_is_fallback": text is not None and text.language != language,
    }


def current_text_of(statement, language):
    """The text of the statement's current version from prefetched versions."""
    versions = sorted(statement.versions.all(), key=lambda v: v.number)
    if not versions:
        return None
    texts = {text.language: text for text in versions[-1].texts.all()}
    return texts.get(language) or texts.get(statement.original_language)


def title_in(statement, language: str) -> str:
    """The current version's title in the language `statement.current_text(language)`
    would choose (`in_language`), in one plain query."""
    texts = list(
        StatementText.objects.filter(version__statement_id=statement.pk)
        .order_by("-version__number", "pk")
        .values_list("version__number", "language", "title")
    )
    if not texts:
        return statement.slug
    current = {lang: title for number, lang, title in texts if number == texts[0][0]}
    return in_language(current, language, statement.original_language)
