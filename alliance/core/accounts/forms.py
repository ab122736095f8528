from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alliance.core.accounts.models import User, time_zone_choices


def say_time_zone(form: forms.BaseForm, *names: str) -> None:
    """Tell, under each date and time input, the zone it is typed in: the user's own."""
    zone = timezone.get_current_timezone_name()
    for name in names:
        field = form.fields[name]
        said = gettext("Your time zone: %(zone)s.") % {"zone": zone}
        field.help_text = f"{field.help_text} {said}" if field.help_text else said


class TimeZoneInput(forms.TextInput):
    """A text box that suggests every IANA zone as one types (a datalist: "Kampala" finds
    Africa/Kampala), where a select of 600 zones finds only by the first letters."""

    template_name = "accounts/widgets/time_zone_input.html"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.zones = time_zone_choices()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id', name)}_zones"
        context["widget"]["attrs"]["list"] = list_id
        context["widget"]["list_id"] = list_id
        context["widget"]["zones"] = self.zones
        return context


class TimeZoneField(forms.ChoiceField):
    """An IANA time zone, chosen from the known ones: every form that asks for a zone
    uses this one field, so that a mistyped zone is an error beside it."""

    widget = TimeZoneInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("time zone"))
        kwargs.setdefault(
            "help_text", _("Type a city or region and choose from the list, e.g. Africa/Kampala.")
        )
        super().__init__(choices=time_zone_choices, **kwargs)
        self.error_messages["invalid_choice"] = _(
            "%(value)s is not a known time zone: choose one from the list, e.g. Africa/Kampala."
        )


class PreferencesForm(forms.ModelForm):
    # Labelled as the model names it (a declared field gets no label of its own).
    time_zone = TimeZoneField(label=capfirst(User._meta.get_field("time_zone").verbose_name))

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
