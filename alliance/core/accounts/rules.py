"""Who may see and end whose sessions."""

import rules

from alliance.core.permissions import is_convenor


@rules.predicate
def is_self(user, account) -> bool:
    return account is not None and user.is_authenticated and user.pk == account.pk


# A convenor ends the sessions of an account they think is stolen; anyone, their own.
rules.add_perm("accounts.manage_sessions", is_convenor | is_self)
