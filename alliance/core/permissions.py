"""Permissions plumbing: the roles every rule is built from.

Every "may this user do X to this object?" in the project is answered by
`user.has_perm("app.action_model", obj)`, through django-rules' object permission
backend. The rules themselves live next to their models, in each app's `rules.py`;
this module holds only the predicates that know no domain. Lists are scoped with each
model's `QuerySet.visible_to(user)`; `rules` answers for one object.
"""

import rules
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

is_authenticated = rules.is_authenticated

# Permissions that are an organisation's own word (signing in its name, confirming a
# changed text): no role gives them, not even a superuser's (see User.has_perm).
_OWN_WORD: set[str] = set()


def add_own_word_perm(name: str, predicate) -> None:
    """Register a permission that only its predicate answers, for superusers too."""
    _OWN_WORD.add(name)
    rules.add_perm(name, predicate)


def is_own_word(name: str) -> bool:
    return name in _OWN_WORD


@rules.predicate
def is_convenor(user) -> bool:
    """Secretariat staff (or a superuser). None, for nobody, is not one."""
    return bool(user and user.is_authenticated and (user.is_convenor or user.is_superuser))


# Set on the signed-in user by the query that loads them for the request
# (alliance.auth_backends), so that the role costs the request no query of its own.
COORDINATES_WHEN_LOADED = "coordinates_when_loaded"


def coordinates_an_alliance() -> Exists:
    """`is_coordinator` for the user of each row, to annotate a query of users with."""
    coordinators = get_user_model().coordinated_alliances.through
    return Exists(coordinators.objects.filter(user=OuterRef("pk")))


@rules.predicate
def is_coordinator(user) -> bool:
    """Coordinates at least one national alliance (as of when the request loaded them)."""
    if not user.is_authenticated:
        return False
    loaded = getattr(user, COORDINATES_WHEN_LOADED, None)
    return loaded if loaded is not None else user.coordinated_alliances.exists()


def require(user, permission: str, obj=None) -> None:
    """Raise PermissionDenied unless `user` has `permission` (on `obj`)."""
    from django.core.exceptions import PermissionDenied

    if not user.has_perm(permission, obj):
        raise PermissionDenied(permission)
