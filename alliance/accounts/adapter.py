import uuid

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from alliance.outbox.services import Email, queue_email


class AccountAdapter(DefaultAccountAdapter):
    """allauth's emails (address confirmation, password reset) go through the outbox like
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
