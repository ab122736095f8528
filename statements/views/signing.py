"""Signing by members: a representative signs or withdraws from the statement's page, or
answers the personal link in the circulation email (sign or decline).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliance.core.accounts.models import zone_or_utc
from members.models import Contact
from statements import services
from statements.forms import SignatureForm
from statements.models import Signature, SignOnRequest, Statement
from statements.views._common import (
    check_permission,
    current_version,
    guarded,
    page_language,
    text_context,
)
from statements.views.public_page import detail


@guarded
@require_POST
def sign(request, slug):
    """A logged-in representative signs for their organisation from the statement page."""
    statement = get_object_or_404(Statement.objects.visible_to(request.user), slug=slug)
    check_permission(request, "statements.sign_statement", statement)
    contact = getattr(request.user, "contact", None)
    if contact is None:  # the rule asked the same; the contact is needed below
        raise PermissionDenied
    form = SignatureForm(request.POST)
    if not form.is_valid():
        return detail(request, slug, sign_form=form, status=400)
    organisation = contact.organisation
    try:
        services.sign(
            statement=statement,
            organisation=organisation,
            signatory=form.signatory(),
            actor=request.user,
        )
    except services.AlreadySigned as refusal:
        messages.error(request, _already_signed_message(refusal.signature))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Thank you: %(organisation)s has signed.") % {"organisation": organisation}
        )
    return redirect(statement)


def _already_signed_message(signature) -> str:
    return _(
        "On %(date)s, %(name)s signed this statement for %(organisation)s: an organisation"
        " signs only once."
    ) % {
        "organisation": signature.organisation,
        "name": signature.signatory_name,
        "date": date_format(timezone.localtime(signature.created_at), "DATE_FORMAT"),
    }


@guarded
@require_POST
def withdraw(request, pk):
    signature = get_object_or_404(Signature.objects.select_related("statement"), pk=pk)
    check_permission(request, "statements.withdraw_signature", signature)
    try:
        services.withdraw(signature=signature, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The signature has been withdrawn."))
    return redirect(signature.statement)


@require_http_methods(["GET", "POST"])
def respond(request, token):
    """The page the request to sign links to; no login. GET shows the statement and the
    form and changes nothing (mail scanners open links); POST signs, declines or
    withdraws."""
    signon_request = get_object_or_404(
        SignOnRequest.objects.select_related("statement", "organisation"), token=token
    )
    contact = _contact_from(request, signon_request)
    # The page, and the messages its answers leave, in the link's language; its times in
    # the zone of the person it was sent to.
    with (
        translation.override(page_language(request)),
        timezone.override(zone_or_utc(contact.time_zone if contact else "UTC")),
    ):
        return _respond_page(request, signon_request, contact)


def _respond_page(request, signon_request, contact):
    statement = signon_request.statement
    version = current_version(statement)
    language = translation.get_language()
    form = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        form, status = _respond_to(request, signon_request, action, contact)
        if status == 302:
            return redirect(request.get_full_path())
    own = services.live_signature(statement, signon_request.organisation)
    if form is None and own is None:
        form = SignatureForm(
            initial={
                "signatory_name": contact.name if contact else "",
                "signatory_title": contact.role if contact else "",
                "email": contact.email if contact else "",
            }
        )
    context = {
        "signon_request": signon_request,
        "statement": statement,
        **text_context(statement, version, language),
        "own_signature": own,
        "signed_earlier_text": own is not None and version and own.version_id != version.pk,
        "form": form,
        "open": statement.status == Statement.Status.OPEN,
        "personal_times": contact is not None,
    }
    return TemplateResponse(request, "statements/respond.html", context, status=status).render()


def _contact_from(request, signon_request) -> Contact | None:
    """The contact the link was sent to, to fill the form in; only among the
    organisation's own contacts."""
    pk = request.GET.get("contact", "")
    if not pk.isdigit():
        return None
    return signon_request.organisation.contacts.filter(pk=int(pk)).first()


def _respond_to(request, signon_request, action, contact):
    """Carry out the POST; returns (form to show, status), status 302 when done."""
    statement, organisation = signon_request.statement, signon_request.organisation
    on_behalf = _("%(contact)s, by the link sent to %(organisation)s") % {
        "contact": contact.email if contact else _("someone"),
        "organisation": organisation,
    }
    try:
        if action == "decline":
            services.decline(signon_request=signon_request, declined_by=on_behalf)
            messages.success(request, _("Thank you for your answer: you will not be reminded."))
            return None, 302
        if action == "confirm":
            signature = services.live_signature(statement, organisation)
            if signature is not None and services.confirm_current_text(
                signature=signature, actor_label=on_behalf
            ):
                messages.success(request, _("Thank you: your signature now carries the new text."))
            return None, 302
        if action == "withdraw":
            signature = services.live_signature(statement, organisation)
            if signature is not None:
                services.withdraw(signature=signature, actor_label=on_behalf)
                messages.success(request, _("Your organisation's signature has been withdrawn."))
            return None, 302
        form = SignatureForm(request.POST)
        if not form.is_valid():
            return form, 400
        services.sign(statement=statement, organisation=organisation, signatory=form.signatory())
    except services.AlreadySigned as refusal:
        messages.error(request, _already_signed_message(refusal.signature))
        return None, 409
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None, 400
    messages.success(
        request, _("Thank you: %(organisation)s has signed.") % {"organisation": organisation}
    )
    return None, 302
