from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alliance.accounts.forms import PreferencesForm


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
