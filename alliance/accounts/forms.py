from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext

from alliance.accounts.models import User, time_zone_choices


def say_time_zone(form: forms.BaseForm, *names: str) -> None:
    """Tell, under each date and time input, the zone it is typed in: the user's own."""
    zone = timezone.get_current_timezone_name()
    for name in names:
        field = form.fields[name]
        said = gettext("Your time zone: %(zone)s.") % {"zone": zone}
        field.help_text = f"{field.help_text} {said}" if field.help_text else said


class PreferencesForm(forms.ModelForm):
    # Labelled as the model names it (a declared field gets no label of its own).
    time_zone = forms.ChoiceField(
        label=capfirst(User._meta.get_field("time_zone").verbose_name), choices=time_zone_choices
    )

    class Meta:
        model = User
        fields = ["name", "language", "time_zone"]
