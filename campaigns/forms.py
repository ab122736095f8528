import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from alliance.core.accounts.forms import TimeZoneField
from campaigns.models import Campaign, Convening, Invitation, Moment
from members.models import Membership, NationalAlliance, Organisation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title",
            "vision",
            "strategy",
            "starts_on",
            "ends_on",
            "status",
            "is_public",
            "focus_areas",
            "national_alliances",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "vision": forms.Textarea(attrs={"rows": 4}),
            "strategy": forms.Textarea(attrs={"rows": 4}),
        }


class MomentForm(forms.ModelForm):
    class Meta:
        model = Moment
        fields = ["title", "date", "description"]
        widgets = {"date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}


# Entered as wall-clock times where the meeting happens, not in the organiser's zone.
LOCAL_TIME_FIELDS = ["starts_at", "ends_at", "rsvp_deadline"]


class ConveningForm(forms.ModelForm):
    """Times are typed in the convening's own zone (10:00 in Kampala is 10:00 in
    Kampala, whoever types it); alliances are limited to those the user may organise for."""

    time_zone = TimeZoneField(label=_("time zone"))
    online_link = forms.URLField(
        label=_("online link"),
        required=False,
        assume_scheme="https",
        help_text=_("Shown only to organisations that accepted the invitation."),
    )

    class Meta:
        model = Convening
        fields = [
            "title",
            "scope",
            "national_alliance",
            "campaign",
            "moment",
            "format",
            "time_zone",
            "starts_at",
            "ends_at",
            "venue",
            "online_link",
            "agenda",
            "rsvp_deadline",
            "delegates_per_organisation",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "rsvp_deadline": DateTimeInput(),
            "agenda": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "starts_at": _("Local time where the convening happens."),
            "ends_at": _("Local time where the convening happens."),
            "rsvp_deadline": _("Local time where the convening happens."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        convenor = user.has_perm("campaigns.organise_convening", None)
        alliances = NationalAlliance.objects.all()
        if not convenor:
            alliances = alliances.filter(coordinators=user)
            self.fields["scope"].choices = [
                (Convening.Scope.NATIONAL, Convening.Scope.NATIONAL.label)
            ]
            self.fields["scope"].initial = Convening.Scope.NATIONAL
        self.fields["national_alliance"].queryset = alliances
        campaigns = Campaign.objects.visible_to(user)
        self.fields["campaign"].queryset = campaigns
        self.fields["moment"].queryset = Moment.objects.filter(
            campaign__in=campaigns
        ).select_related("campaign")
        self.fields["moment"].label_from_instance = lambda m: f"{m.campaign} · {m}"
        if self.instance.pk:
            zone = zoneinfo.ZoneInfo(self.instance.time_zone)
            for name in LOCAL_TIME_FIELDS:
                value = getattr(self.instance, name)
                if value is not None:
                    # Naive, so the widget shows it as is instead of in the user's zone.
                    self.initial[name] = value.astimezone(zone).replace(tzinfo=None)

    def clean(self):
        data = super().clean()
        zone_name = data.get("time_zone")
        if zone_name and not self.has_error("time_zone"):
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in LOCAL_TIME_FIELDS:
                value = data.get(name)
                if value is not None:
                    # The field made it aware in the user's zone: keep the wall-clock
                    # time, in the convening's zone instead.
                    data[name] = value.replace(tzinfo=zone)
        scope, alliance = data.get("scope"), data.get("national_alliance")
        if scope == Convening.Scope.NATIONAL and alliance is None:
            self.add_error("national_alliance", _("A national convening needs its alliance."))
        if scope == Convening.Scope.INTERNATIONAL:
            data["national_alliance"] = None
        if scope and not self.user.has_perm("campaigns.organise_convening", alliance):
            raise forms.ValidationError(_("You may not organise this convening."))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        deadline = data.get("rsvp_deadline")
        if deadline and starts and deadline > starts:
            self.add_error("rsvp_deadline", _("The deadline must be before the start."))
        moment, campaign = data.get("moment"), data.get("campaign")
        if moment is not None and campaign is not None and moment.campaign_id != campaign.pk:
            self.add_error("moment", _("This moment belongs to another campaign."))
        if moment is not None and campaign is None:
            data["campaign"] = moment.campaign
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Sent to every invited organisation."),
    )


class InviteFilterForm(forms.Form):
    """The directory's filters, applied to the organisations the user may invite."""

    national_alliance = forms.ModelChoiceField(
        label=_("National alliance"), queryset=NationalAlliance.objects.none(), required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Any kind")), *Organisation.Kind.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Membership status"),
        choices=[("", _("Any status")), *Membership.Status.choices],
        required=False,
        initial=Membership.Status.APPROVED,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        alliances = NationalAlliance.objects.all()
        if not user.has_perm("campaigns.invite_anyone"):
            alliances = alliances.filter(coordinators=user)
        self.fields["national_alliance"].queryset = alliances
        self.fields["country"].choices = [("", _("Any country")), *countries]

    def filter(self, organisations):
        if not self.is_valid():
            return organisations.none()
        data = self.cleaned_data
        if data["country"]:
            organisations = organisations.filter(country=data["country"])
        if data["kind"]:
            organisations = organisations.filter(kind=data["kind"])
        membership = {}
        if data["national_alliance"]:
            membership["memberships__national_alliance"] = data["national_alliance"]
        if data["status"]:
            membership["memberships__status"] = data["status"]
        if membership:
            # One filter() call: the alliance and the status of the same membership.
            organisations = organisations.filter(
                pk__in=Organisation.objects.filter(**membership).values("pk")
            )
        return organisations


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Will your organisation attend?"),
        choices=[
            (Invitation.Answer.YES, _("Yes, we will attend")),
            (Invitation.Answer.MAYBE, _("Maybe")),
            (Invitation.Answer.NO, _("No, we cannot attend")),
        ],
        widget=forms.RadioSelect,
    )
    delegates = forms.CharField(
        label=_("Delegates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line."),
    )

    def clean_delegates(self):
        return [
            line.strip() for line in self.cleaned_data["delegates"].splitlines() if line.strip()
        ]
