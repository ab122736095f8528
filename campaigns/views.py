from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliance.core.accounts.models import zone_or_utc
from alliance.core.audit.services import record, snapshot
from alliance.core.csv_export import csv_response
from alliance.core.outbox.models import OutgoingMessage
from campaigns import services
from campaigns.forms import (
    CampaignForm,
    CancelForm,
    ConveningForm,
    InviteFilterForm,
    MomentForm,
    RsvpForm,
)
from campaigns.models import Campaign, Convening, Invitation, Moment

# --- campaigns -----------------------------------------------------------------------


def campaign_list(request):
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .annotate(moment_count=Count("moments", distinct=True))
        .prefetch_related("focus_areas")
    )
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})


def campaign_detail(request, slug):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), slug=slug)
    convenings = Convening.objects.visible_to(request.user)
    # Statements build on campaigns, not the other way round: reached through the relation.
    statements = Moment._meta.get_field("statements").related_model.objects.visible_to(request.user)
    moments = campaign.moments.prefetch_related(
        Prefetch("convenings", queryset=convenings, to_attr="visible_convenings"),
        Prefetch("statements", queryset=statements, to_attr="visible_statements"),
    )
    today = timezone.localdate()
    moments = list(moments)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "past_moments": [m for m in moments if m.date < today],
            "future_moments": [m for m in moments if m.date >= today],
            "other_convenings": convenings.filter(campaign=campaign, moment__isnull=True),
            "can_change": request.user.has_perm("campaigns.change_campaign", campaign),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, slug=None):
    campaign = get_object_or_404(Campaign, slug=slug) if slug else Campaign()
    permission = "campaigns.change_campaign" if slug else "campaigns.add_campaign"
    if not request.user.has_perm(permission, campaign if slug else None):
        raise PermissionDenied
    before = snapshot(campaign, ["title", "starts_on", "ends_on", "status", "is_public"])
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        campaign = services.save_campaign(
            campaign=form.save(commit=False), saved_by=request.user, before=before if slug else None
        )
        form.save_m2m()
        return redirect("campaigns:campaign", slug=campaign.slug)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
@require_http_methods(["GET", "POST"])
def moment_edit(request, slug, pk=None):
    campaign = get_object_or_404(Campaign, slug=slug)
    if not request.user.has_perm("campaigns.change_campaign", campaign):
        raise PermissionDenied
    moment = get_object_or_404(campaign.moments, pk=pk) if pk else Moment(campaign=campaign)
    form = MomentForm(request.POST or None, instance=moment)
    if request.method == "POST" and form.is_valid():
        services.save_moment(moment=form.save(commit=False), saved_by=request.user)
        return redirect("campaigns:campaign", slug=campaign.slug)
    return render(
        request,
        "campaigns/moment_form.html",
        {"form": form, "campaign": campaign, "moment": moment},
    )


# --- convenings ----------------------------------------------------------------------


@login_required
def convening_list(request):
    convenings = (
        Convening.objects.visible_to(request.user)
        .select_related("national_alliance", "campaign")
        .order_by("-starts_at")
    )
    now = timezone.now()
    return render(
        request,
        "campaigns/convening_list.html",
        {
            "upcoming": [c for c in convenings if c.ends_at >= now][::-1],
            "past": [c for c in convenings if c.ends_at < now],
            "can_organise": request.user.has_perm("campaigns.organise_any_convening"),
        },
    )


def _visible_convening(request, slug) -> Convening:
    return get_object_or_404(
        Convening.objects.visible_to(request.user).select_related(
            "national_alliance", "campaign", "moment"
        ),
        slug=slug,
    )


def _changeable_convening(request, slug) -> Convening:
    convening = _visible_convening(request, slug)
    if not request.user.has_perm("campaigns.change_convening", convening):
        raise PermissionDenied
    return convening


@login_required
def convening_detail(request, slug):
    convening = _visible_convening(request, slug)
    can_change = request.user.has_perm("campaigns.change_convening", convening)
    own_invitation = (
        convening.invitations.filter(organisation__contacts__user=request.user)
        .select_related("organisation")
        .first()
    )
    accepted = own_invitation is not None and bool(own_invitation.online_link())
    context = {
        "convening": convening,
        "can_change": can_change,
        "own_invitation": own_invitation,
        "show_online_link": bool(convening.online_link) and (can_change or accepted),
        "is_past": convening.ends_at < timezone.now(),
    }
    if request.user.has_perm("campaigns.view_invitations", convening):
        context["totals"] = _answer_totals(convening)
        context["progress"] = _sending_progress(convening)
    return render(request, "campaigns/convening_detail.html", context)


def _answer_totals(convening: Convening) -> dict[str, int]:
    counts = dict(convening.invitations.values_list("answer").annotate(n=Count("pk")).order_by())
    totals = {answer: counts.get(answer, 0) for answer in Invitation.Answer.values}
    totals["invited"] = sum(counts.values())
    totals["delegates"] = sum(
        len(names)
        for names in convening.invitations.filter(answer=Invitation.Answer.YES).values_list(
            "delegates", flat=True
        )
    )
    return totals


def _sending_progress(convening: Convening) -> dict[str, int]:
    """How far the fan-out has gone: invitations whose emails are written, and emails
    sent, for the convening's current sequence."""
    invitations = convening.invitations.aggregate(
        total=Count("pk"),
        written=Count("pk", filter=Q(notified_sequence=convening.sequence)),
    )
    emails = OutgoingMessage.objects.filter(
        key__startswith=f"convening:{convening.pk}:{convening.sequence}:"
    ).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=OutgoingMessage.Status.SENT)),
        failed=Count("pk", filter=Q(status=OutgoingMessage.Status.FAILED)),
    )
    return {
        "invitations": invitations["total"],
        "invitations_written": invitations["written"],
        "emails": emails["total"],
        "emails_sent": emails["sent"],
        "emails_failed": emails["failed"],
        # Still going: the page refreshes itself until the fan-out is done.
        "running": invitations["written"] < invitations["total"]
        or emails["sent"] + emails["failed"] < emails["total"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def convening_create(request):
    if not request.user.has_perm("campaigns.organise_any_convening"):
        raise PermissionDenied
    form = ConveningForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        convening = services.create_convening(
            convening=form.save(commit=False), created_by=request.user
        )
        messages.success(request, _("The convening is saved as a draft."))
        return redirect("campaigns:convening", slug=convening.slug)
    return render(request, "campaigns/convening_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def convening_edit(request, slug):
    convening = _changeable_convening(request, slug)
    if convening.status in (Convening.Status.CANCELLED, Convening.Status.HELD):
        raise PermissionDenied
    before = snapshot(convening, [*services.MATERIAL_FIELDS, "agenda", "online_link"])
    form = ConveningForm(request.POST or None, instance=convening, user=request.user)
    if request.method == "POST" and form.is_valid():
        convening = services.update_convening(
            convening=form.save(commit=False), before=before, changed_by=request.user
        )
        if convening.last_change.get("sequence") == convening.sequence and convening.sequence:
            messages.success(request, _("Saved. Every invited organisation is being told."))
        else:
            messages.success(request, _("Saved."))
        return redirect("campaigns:convening", slug=convening.slug)
    return render(request, "campaigns/convening_form.html", {"form": form, "convening": convening})


@login_required
@require_POST
def convening_schedule(request, slug):
    convening = _changeable_convening(request, slug)
    try:
        services.schedule_convening(convening=convening, scheduled_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Scheduled: you can now invite organisations."))
    return redirect("campaigns:convening", slug=convening.slug)


@login_required
@require_http_methods(["GET", "POST"])
def convening_cancel(request, slug):
    convening = _changeable_convening(request, slug)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_convening(
                convening=convening,
                cancelled_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Cancelled. Every invited organisation is being told."))
        return redirect("campaigns:convening", slug=convening.slug)
    return render(
        request, "campaigns/convening_cancel.html", {"form": form, "convening": convening}
    )


@login_required
@require_http_methods(["GET", "POST"])
def convening_invite(request, slug):
    """Pick organisations with the directory's filters, see how many organisations and
    contacts that is, then send (the same filters, POSTed)."""
    convening = _visible_convening(request, slug)
    if not request.user.has_perm("campaigns.invite_to_convening", convening):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = InviteFilterForm(data, user=request.user)
    allowed = services.invitable_organisations(request.user, convening)
    chosen = form.filter(allowed) if data is not None else allowed.none()
    new = chosen.exclude(pk__in=convening.invitations.values("organisation_id"))
    if request.method == "POST" and form.is_valid():
        try:
            ids = services.invite_organisations(
                convening=convening, organisations=new, invited_by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(count)s organisations invited; the emails are on their way.")
                % {"count": len(ids)},
            )
            return redirect("campaigns:invitations", slug=convening.slug)
    return render(
        request,
        "campaigns/convening_invite.html",
        {
            "convening": convening,
            "form": form,
            "filtered": data is not None,
            "organisation_count": new.count() if data is not None else 0,
            "contact_count": services.reachable_contacts(new).count() if data is not None else 0,
            "already_invited": chosen.count() - new.count() if data is not None else 0,
            "sample": new.order_by("name")[:20] if data is not None else [],
            "can_send": convening.status in services.OPEN_STATUSES,
        },
    )


def _invitations_page(request, slug):
    convening = _visible_convening(request, slug)
    if not request.user.has_perm("campaigns.view_invitations", convening):
        raise PermissionDenied
    invitations = (
        convening.invitations.select_related("organisation")
        .annotate(contact_count=Count("contacts"))
        .order_by("organisation__name")
    )
    return convening, invitations


@login_required
@require_http_methods(["GET", "POST"])
def convening_invitations(request, slug):
    """Answers in totals and per organisation; after the meeting, who attended."""
    convening, invitations = _invitations_page(request, slug)
    if request.method == "POST":
        attended = {int(pk) for pk in request.POST.getlist("attended") if pk.isdigit()}
        try:
            services.record_attendance(
                convening=convening, attended=attended, recorded_by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Attendance saved."))
        return redirect("campaigns:invitations", slug=convening.slug)
    answer = request.GET.get("answer", "")
    if answer in Invitation.Answer.values:
        invitations = invitations.filter(answer=answer)
    return render(
        request,
        "campaigns/convening_invitations.html",
        {
            "convening": convening,
            "invitations": invitations,
            "totals": _answer_totals(convening),
            "progress": _sending_progress(convening),
            "answer": answer,
            "answers": Invitation.Answer.choices,
            "can_record_attendance": convening.starts_at <= timezone.now()
            and convening.status != Convening.Status.CANCELLED,
        },
    )


@login_required
def convening_attendance_csv(request, slug):
    convening, invitations = _invitations_page(request, slug)
    record(actor=request.user, action="convening.attendance_exported", target=convening)
    return csv_response(
        filename=f"{convening.slug}-attendance.csv",
        header=["organisation", "country", "answer", "answered_at", "delegates", "attended"],
        rows=(
            [
                invitation.organisation.name,
                invitation.organisation.country.code,
                invitation.answer,
                invitation.answered_at.isoformat() if invitation.answered_at else "",
                "; ".join(invitation.delegates),
                "" if invitation.attended is None else ("yes" if invitation.attended else "no"),
            ]
            for invitation in invitations
        ),
    )


@require_http_methods(["GET", "POST"])
def rsvp(request, token):
    """The RSVP link from the invitation: the token is the credential. GET only shows the
    form (mail scanners open links); the answer is a POST."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("convening", "organisation"), token=token
    )
    convening = invitation.convening
    initial = {"delegates": "\n".join(invitation.delegates)}
    suggested = request.GET.get("answer")
    if invitation.answer != Invitation.Answer.NO_REPLY:
        initial["answer"] = invitation.answer
    elif suggested in Invitation.Answer.values:
        initial["answer"] = suggested
    form = RsvpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_invitation(
                invitation=invitation,
                answer=form.cleaned_data["answer"],
                delegates=form.cleaned_data["delegates"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: your answer is recorded."))
            return redirect(request.get_full_path())
    # From the email, the times are in the zone of the person it was sent to.
    contact = _invited_contact(request, invitation)
    with timezone.override(zone_or_utc(contact.time_zone if contact else "UTC")):
        return render(
            request,
            "campaigns/rsvp.html",
            {
                "invitation": invitation,
                "convening": convening,
                "form": form,
                "open": convening.status in services.OPEN_STATUSES,
                "show_online_link": bool(invitation.online_link()),
                "personal_times": contact is not None,
            },
        )


def _invited_contact(request, invitation):
    """The contact the link was sent to (`?contact=`), among the invitation's own."""
    pk = request.GET.get("contact", "")
    if not pk.isdigit():
        return None
    return invitation.contacts.filter(pk=int(pk)).first()
