from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from members.models import CompositionTarget, NationalAlliance


class NationalAllianceForm(forms.ModelForm):
    class Meta:
        model = NationalAlliance
        fields = ["name", "country", "status", "description"]


class NationalAllianceEditForm(forms.ModelForm):
    """The country is fixed once the alliance exists: its members belong to it."""

    class Meta:
        model = NationalAlliance
        fields = ["name", "status", "description"]


class AppointCoordinatorForm(forms.Form):
    email = forms.EmailField(
        label=_("Email of the new coordinator"),
        help_text=_("The person must already have an account."),
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account uses this address."))
        self.cleaned_data["user"] = user
        return email


class CompositionTargetForm(forms.Form):
    measure = forms.ChoiceField(label=_("Measure"), choices=CompositionTarget.Measure.choices)
    percent = forms.IntegerField(
        label=_("Target (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty to remove the target."),
    )
    alliance = forms.ModelChoiceField(
        label=_("For"),
        queryset=NationalAlliance.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("the whole alliance"),
    )

    def __init__(self, *args, alliances=None, **kwargs):
        """`alliances`: every national alliance as (slug, name) by name, when the page
        has them already; offered as they are rather than read again."""
        super().__init__(*args, **kwargs)
        if alliances is not None:
            field = self.fields["alliance"]
            field.choices = [("", field.empty_label), *alliances]
