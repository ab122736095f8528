from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliance.core.permissions import is_convenor
from members import services
from members.forms import ApplicationForm, DecisionForm
from members.models import Membership, Organisation, Principles


@require_http_methods(["GET", "POST"])
def apply(request):
    """The public application form. Probable duplicates are offered before a new
    organisation is created; the principles endorsed are the version shown."""
    principles = Principles.objects.current(get_language())
    if principles is None:
        return render(request, "members/apply_closed.html", status=503)
    form = ApplicationForm(
        request.POST or None,
        initial={"principles_version": principles.version, "contact_language": get_language()},
    )
    duplicates = Organisation.objects.none()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation, duplicates = _organisation_from(form, request.user)
        if organisation is not None:
            try:
                membership = _submit(form, organisation, request.user)
            except services.ApplicationsClosed:
                return render(request, "members/apply_closed.html", status=503)
            except services.PossibleDuplicates as found:
                duplicates = found.organisations
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return render(
                    request,
                    "members/apply_done.html",
                    {"membership": membership, "email": data["contact_email"]},
                )
    return render(
        request,
        "members/apply.html",
        {"form": form, "principles": principles, "duplicates": duplicates},
    )


def _organisation_from(form, user):
    """The organisation to attach the application to: a new one, or one of the
    duplicates offered, which only may be chosen (else None, and the duplicates again)."""
    data = form.cleaned_data
    choice = data.get("same_as") or ""
    if not choice.isdigit():
        return form.save(commit=False), None
    duplicates = services.find_duplicates(
        name=data["name"], country=data["country"], website=data.get("website", ""), seen_by=user
    )
    chosen = duplicates.filter(pk=int(choice)).first()
    if chosen is None:
        form.add_error(
            None,
            _(
                "The organisation you chose does not match the name, country and "
                "website given. Please check them and choose again."
            ),
        )
        return None, duplicates
    return chosen, None


def _submit(form, organisation, user):
    data = form.cleaned_data
    return services.apply_to_join(
        organisation=organisation,
        applicant=services.Applicant(
            name=data["contact_name"],
            email=data["contact_email"],
            role=data["contact_role"],
            language=data["contact_language"],
        ),
        principles_version=data["principles_version"],
        principles_language=get_language(),
        focus_areas=data["focus_areas"],
        not_a_duplicate=data.get("same_as") == "new",
        seen_by=user,
    )


@require_http_methods(["GET", "POST"])
def verify_contact(request, token):
    """The link in the verification email. GET only shows a button (mail scanners open
    links); the POST confirms the address."""
    try:
        contact = services.contact_for_token(token)
    except ValidationError as error:
        return render(
            request, "members/verify_contact.html", {"error": error.messages[0]}, status=400
        )
    if request.method == "POST":
        contact = services.verify_contact_email(token=token)
    return render(request, "members/verify_contact.html", {"contact": contact})


def _reviewable(user):
    """Memberships `user` may decide on: all for convenors, their alliances' for
    coordinators."""
    memberships = Membership.objects.select_related(
        "organisation", "national_alliance", "endorsed_by", "principles", "pending_applicant"
    )
    if is_convenor(user):
        return memberships
    return memberships.filter(Q(national_alliance__coordinators=user))


@login_required
def applications(request):
    """The review queue: applications whose applicant confirmed their address."""
    if not request.user.has_perm("members.view_applications"):
        raise PermissionDenied
    pending = (
        _reviewable(request.user).filter(status=Membership.Status.APPLIED).order_by("applied_at")
    )
    return render(
        request,
        "members/applications.html",
        {
            "confirmed": [m for m in pending if m.applicant_confirmed],
            "unconfirmed": [m for m in pending if not m.applicant_confirmed],
            "form": DecisionForm(),
        },
    )


@login_required
@require_POST
def decide(request, pk):
    membership = get_object_or_404(_reviewable(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect(_back(request))
    try:
        services.decide_membership(
            membership=membership,
            status=form.cleaned_data["status"],
            decided_by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(organisation)s: %(status)s.")
            % {
                "organisation": membership.organisation,
                "status": Membership.Status(form.cleaned_data["status"]).label,
            },
        )
    return redirect(_back(request))


def _back(request) -> str:
    """Where the decision was made: the page named in `next` if it is ours, else the
    review queue."""
    target = request.POST.get("next", "")
    # A path of ours: redirect() would take anything else for the name of a view.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("members:applications")
