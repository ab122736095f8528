"""The audit trail of signing in and out and of second factors.

These events happen inside allauth's and Django's own flows; their public signals are
where those flows let us see them. Nothing here changes what the flow does.
"""

from allauth.account.adapter import get_adapter
from allauth.account.signals import user_logged_in
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver

from alliance.core.accounts.models import User
from alliance.core.audit.services import record


def _ip(request) -> str:
    return get_adapter(request).client_ip_or_blank(request) if request is not None else ""


@receiver(user_logged_in, dispatch_uid="audit_logged_in")
def audit_logged_in(sender, request, user, **kwargs):
    record(actor=user, action="user.logged_in", target=user, note=_ip(request))


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    """A wrong password for an existing account (an unknown address names nobody)."""
    email = credentials.get("email") or credentials.get("username") or ""
    user = User.objects.filter(email__iexact=email).first() if email else None
    if user is not None:
        record(actor_label=email, action="user.login_failed", target=user, note=_ip(request))


@receiver(user_logged_out, dispatch_uid="audit_logged_out")
def audit_logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action="user.logged_out", target=user, note=_ip(request))


@receiver(mfa_signals.authentication_failed, dispatch_uid="audit_second_factor_failed")
def audit_second_factor_failed(sender, request, user, **kwargs):
    record(
        actor_label=user.email,
        action="user.second_factor_failed",
        target=user,
        note=_ip(request),
    )


def _audit_authenticator_change(action: str):
    def audit(sender, request, user, authenticator, **kwargs):
        record(actor=user, action=action, target=user, changes={"type": authenticator.type})

    return audit


# One receiver each, made alike: an authenticator added, removed, or its recovery codes
# made anew.
for signal, action in (
    (mfa_signals.authenticator_added, "user.second_factor_added"),
    (mfa_signals.authenticator_removed, "user.second_factor_removed"),
    (mfa_signals.authenticator_reset, "user.recovery_codes_regenerated"),
):
    signal.connect(_audit_authenticator_change(action), weak=False, dispatch_uid=f"audit_{action}")


@receiver(mfa_signals.authenticator_used, dispatch_uid="audit_recovery_code_used")
def audit_recovery_code_used(sender, request, user, authenticator, **kwargs):
    """A TOTP code or a security key is the sign-in itself (user.logged_in); a recovery
    code means the usual second factor is lost, which the account's owner should see."""
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        record(actor_label=user.email, action="user.recovery_code_used", target=user)
