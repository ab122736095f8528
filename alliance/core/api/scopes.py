"""What an API key may do. A key holds a list of these; every endpoint names the one it
needs for each method."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("read public data")
    READ_CONTACTS = "read:contacts", _("read personal data of contacts")
    # Only for a key acting for a convenor: the names of organisations that sign without
    # being listed are a danger to them; nobody else may read them.
    READ_UNLISTED = "read:unlisted", _("read signatures counted without the name (convenors)")
    WRITE_SIGNATURES = "write:signatures", _("record signatures collected by the partner")
    WRITE_MEMBERS = "write:members", _("change organisations and contacts")
    WRITE_ATTENDANCES = "write:attendances", _("answer invitations to convenings")


# A person logged in to the site who browses the API with their session reads what the
# pages show them; writes take a key.
SESSION_SCOPES = frozenset({Scope.READ})


def scopes_of(request) -> frozenset[str]:
    """The scopes of whoever made `request`: the API key's, or a session's."""
    from alliance.core.api.models import ApiKey

    if isinstance(request.auth, ApiKey):
        return frozenset(request.auth.scopes)
    if request.user and request.user.is_authenticated:
        return SESSION_SCOPES
    return frozenset()


def acting_user(request):
    """Whose permissions a write carries: for a key, the person it was made to act for
    (chosen when the key is made, never its maker by default; the key never does more
    than that person's own pages let them do), or nobody; for a session, the person
    logged in. Reads do not use it: a key reads what an anonymous visitor sees,
    plus what its scopes add."""
    from django.contrib.auth.models import AnonymousUser

    from alliance.core.api.models import ApiKey

    if isinstance(request.auth, ApiKey):
        return request.auth.acting_for or AnonymousUser()
    return request.user
