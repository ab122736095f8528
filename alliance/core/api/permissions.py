from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from alliance.core.api.scopes import scopes_of


class InsufficientScope(exceptions.PermissionDenied):
    default_code = "insufficient_scope"


class HasScope(permissions.BasePermission):
    """The view's `required_scopes` maps an HTTP method to the scope it needs
    (`{"GET": "read", "POST": "write:signatures"}`); a method it does not name is refused."""

    def has_permission(self, request, view):
        if not (request.auth or (request.user and request.user.is_authenticated)):
            raise exceptions.NotAuthenticated()
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        needed = view.required_scopes.get(method)
        if needed is None or needed not in scopes_of(request):
            raise InsufficientScope(
                _("This API key lacks the scope %(scope)s.") % {"scope": needed or method}
            )
        return True
