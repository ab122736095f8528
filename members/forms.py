from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from members.models import FocusArea, Membership, Organisation


class ApplicationForm(forms.ModelForm):
    """An organisation applies to join: who it is, who is writing, and its endorsement of
    the principles shown on the page (their version travels with the form, so that a new
    version published meanwhile is not endorsed unread)."""

    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    contact_email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We will send a link to confirm it."),
    )
    contact_role = forms.CharField(
        label=_("Your role in the organisation"), max_length=200, required=False
    )
    contact_language = forms.ChoiceField(
        label=_("Language for our emails"), choices=settings.LANGUAGES
    )
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Focus areas"),
        queryset=FocusArea.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    principles_version = forms.IntegerField(widget=forms.HiddenInput)
    endorse = forms.BooleanField(
        label=_("On behalf of our organisation, we endorse the principles above."),
    )
    # Filled when probable duplicates were shown: an existing organisation's id, or "new".
    same_as = forms.CharField(required=False, widget=forms.HiddenInput)
    # Bots fill every field; people never see this one.
    website_url = forms.CharField(required=False, label=_("Leave this empty"))

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "country", "city", "website", "description"]

    def clean_website_url(self):
        if self.cleaned_data.get("website_url"):
            raise forms.ValidationError(_("Please leave this field empty."))
        return ""


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (Membership.Status.APPROVED, _("Approve")),
            (Membership.Status.DECLINED, _("Decline")),
            (Membership.Status.SUSPENDED, _("Suspend")),
            (Membership.Status.LEFT, _("Record that it left")),
        ]
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required to decline, suspend or record that it left: the organisation reads it."
        ),
    )
