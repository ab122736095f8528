"""Forms of the organisation pages: the profile and the contacts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.core.accounts.forms import say_time_zone
from members.models import Contact, FocusArea, Organisation
from members.profiles import (
    CONTACT_FIELDS,
    EDITABLE_PROFILE_FIELDS,
    INTERNAL_PROFILE_FIELDS,
    language_codes,
)


class OrganisationForm(forms.ModelForm):
    """An organisation's profile. The internal notes are only offered to those who may
    read them (`members.view_internal_notes`): pass `with_internal_notes`."""

    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Focus areas"),
        queryset=FocusArea.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        help_text=_("Two-letter codes of the languages it works in, separated by commas."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [*EDITABLE_PROFILE_FIELDS, *INTERNAL_PROFILE_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "internal_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, with_internal_notes: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_internal_notes:
            for name in INTERNAL_PROFILE_FIELDS:
                del self.fields[name]
        if self.instance.pk and not self.is_bound:
            self.initial["languages"] = ", ".join(self.instance.languages)

    def clean_languages(self) -> list[str]:
        return language_codes(self.cleaned_data["languages"].split(","))

    def save(self, commit=True):
        raise NotImplementedError("Use members.profiles.update_organisation")


class ContactForm(forms.ModelForm):
    """A contact person and the record of their consent to be held here."""

    class Meta:
        model = Contact
        # The fields whose changes members.profiles audits: one list, so that a field
        # added to the form cannot change unaudited.
        fields = CONTACT_FIELDS
        widgets = {
            "consent_given_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "consent_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        # A contact is held here only with a record of their consent.
        self.fields["consent_given_at"].required = True
        self.fields["consent_text"].required = True
        self.fields["name"].required = True
        say_time_zone(self, "consent_given_at")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        others = Contact.objects.filter(organisation=self.organisation, email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if email and others.exists():
            raise forms.ValidationError(_("This organisation already has a contact with it."))
        return email

    def save(self, commit=True):
        raise NotImplementedError("Use members.profiles.save_contact")
