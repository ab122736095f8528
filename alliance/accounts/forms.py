from django import forms

from alliance.accounts.models import User, time_zone_choices


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["name", "language", "time_zone"]


class EndSessionsForm(forms.Form):
    """One session by its id, or every one ("all")."""

    session = forms.CharField(max_length=20)

    def clean_session(self):
        value = self.cleaned_data["session"]
        if value != "all" and not value.isdigit():
            raise forms.ValidationError("Not a session.")
        return value

    @property
    def session_ids(self) -> list[int] | None:
        value = self.cleaned_data["session"]
        return None if value == "all" else [int(value)]
