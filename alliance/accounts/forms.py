from django import forms

from alliance.accounts.models import User, time_zone_choices


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["name", "language", "time_zone"]
