import uuid

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import translation

from alliance.core.accounts import security
from alliance.core.audit.services import record
from alliance.core.outbox.services import Email, queue_email


class AccountAdapter(DefaultAccountAdapter):
    """Sign-in follows `alliance.core.accounts.security`: a convenor or coordinator whose one
    sign-in to set up a second factor is used gets no further than their password.

    allauth's emails (address confirmation, password reset) go through the outbox like
    every other email, so that they survive a worker or broker outage too.

    They are rendered here, in the language of the person at the keyboard, and stored
    rendered: their context holds objects (the user, the request) that a row cannot.
    """

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        ctx = {"email": email, **context}
        if self.request is not None:
            ctx.setdefault("request", self.request)
            from django.contrib.sites.shortcuts import get_current_site

            ctx.setdefault("current_site", get_current_site(self.request))
        message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        queue_email(
            Email(
                key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
                to_email=email,
                template="prerendered",
                language=translation.get_language() or "en",
                context={"subject": message.subject, "text": message.body, "html": html},
            )
        )

    def pre_login(self, request, user, **kwargs):
        response = super().pre_login(request, user, **kwargs)
        if response is None and not security.may_sign_in_with_password(user):
            record(
                actor=user,
                action="user.login_refused",
                target=user,
                note=self.client_ip_or_blank(request),
            )
            return render(request, "accounts/second_factor_missing.html", status=403)
        return response

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        security.start_session(request, user)
        return response

    def client_ip_or_blank(self, request) -> str:
        """For the audit trail, where a missing address is no reason to refuse a page."""
        try:
            return self.get_client_ip(request)
        except PermissionDenied:
            return ""
