from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alliance.core.accounts import services
from alliance.core.accounts.forms import EndSessionsForm, PreferencesForm
from alliance.core.accounts.models import User
from alliance.core.permissions import require


@login_required
def preferences(request):
    """Name, interface language and time zone: every time shown is in this zone."""
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language)
        messages.success(request, _("Your preferences are saved."))
        response = redirect("accounts:preferences")
        # The switcher's cookie wins over the profile; keep the two in step.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        return response
    return render(request, "accounts/preferences.html", {"form": form, "now": timezone.now()})


@login_required
def sessions(request, user_id):
    """The places `account` is signed in, to end one or all: a convenor's view of anyone's
    (an account that may be stolen), or one's own."""
    account = get_object_or_404(User, pk=user_id)
    require(request.user, "accounts.manage_sessions", account)
    if request.method == "POST":
        form = EndSessionsForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a session to end."))
            return redirect("accounts:sessions", user_id=account.pk)
        current = request.session.session_key
        ends_current = account == request.user and (
            form.session_ids is None
            or UserSession.objects.filter(pk__in=form.session_ids, session_key=current).exists()
        )
        ended = services.end_sessions(
            account=account, ended_by=request.user, session_ids=form.session_ids
        )
        if ends_current:
            logout(request)
            return redirect("account_login")
        messages.success(
            request,
            ngettext("%(count)d session ended.", "%(count)d sessions ended.", ended)
            % {"count": ended},
        )
        return redirect("accounts:sessions", user_id=account.pk)
    listed = sorted(UserSession.objects.purge_and_list(account), key=lambda s: s.created_at)
    for session in listed:
        session.current = session.session_key == request.session.session_key
    return render(request, "accounts/sessions.html", {"account": account, "sessions": listed})
