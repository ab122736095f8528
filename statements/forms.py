from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from alliance.core.accounts.forms import say_time_zone
from members.models import FocusArea, Membership, NationalAlliance, Organisation
from statements.models import Statement
from statements.services import Signatory, TextInput

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ReminderOffsetsField(forms.CharField):
    """Hours before the deadline, written "168, 48, 0" (0: the morning of the deadline)."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(hours) for hours in value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        try:
            hours = [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(
                _("Write whole numbers of hours separated by commas, e.g. 168, 48, 0.")
            ) from None
        if any(hour < 0 or hour > 24 * 90 for hour in hours):
            raise forms.ValidationError(_("Each reminder is between 0 and 2160 hours."))
        return sorted(set(hours), reverse=True)


class StatementForm(forms.ModelForm):
    reminder_offsets = ReminderOffsetsField(
        label=_("Reminders (hours before the deadline)"),
        required=False,
        help_text=_(
            "Organisations that have not answered are reminded at each. "
            "0 is the morning of the deadline in the recipient's time zone."
        ),
    )

    class Meta:
        model = Statement
        # Focus areas are many-to-many: saved with the form, not audited field by field.
        fields = [*Statement.SETTINGS, "focus_areas"]
        widgets = {
            "signon_opens_at": DATETIME_INPUT,
            "signon_closes_at": DATETIME_INPUT,
            "embargo_until": DATETIME_INPUT,
            "focus_areas": forms.CheckboxSelectMultiple,
        }

    field_order = ["original_language", "focus_areas"]

    # Asked once the statement has been circulated: a moved deadline concerns everyone
    # who was asked to sign.
    tell_invitees = forms.BooleanField(
        label=_("If the deadline changes, email the organisations asked to sign"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not (self.instance.pk and self.instance.signon_requests.exists()):
            del self.fields["tell_invitees"]
        say_time_zone(self, "signon_opens_at", "signon_closes_at", "embargo_until")

    def clean(self):
        data = super().clean()
        closes, embargo = data.get("signon_closes_at"), data.get("embargo_until")
        opens = data.get("signon_opens_at")
        if opens and closes and closes <= opens:
            self.add_error("signon_closes_at", _("The deadline comes after sign-on opens."))
        if closes and embargo and embargo < closes:
            self.add_error(
                "embargo_until", _("The statement is published after the deadline to sign.")
            )
        return data


class StatementTextForm(forms.Form):
    """The text in one language (prefix: the language code). Empty means "not
    translated"; a text that is started needs a title and a body."""

    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        help_text=_("Markdown: **bold**, *italic*, [link](https://...), lists with -."),
    )

    def __init__(self, *args, language: str, **kwargs):
        self.language = language
        self.language_name = dict(settings.LANGUAGES)[language]
        super().__init__(*args, prefix=language, **kwargs)

    def clean(self):
        data = super().clean()
        if any(data.get(name) for name in ("title", "summary", "body")):
            for name in ("title", "body"):
                if not data.get(name):
                    self.add_error(name, _("Needed for a text in this language."))
        return data

    def text(self) -> TextInput | None:
        data = self.cleaned_data
        if not data.get("title"):
            return None
        return TextInput(
            language=self.language,
            title=data["title"].strip(),
            summary=data["summary"].strip(),
            body=data["body"].strip(),
        )

    @classmethod
    def initial_from(cls, version) -> dict[str, dict]:
        if version is None:
            return {}
        return {
            text.language: {"title": text.title, "summary": text.summary, "body": text.body}
            for text in version.texts.all()
        }


class CirculationForm(forms.Form):
    """Which organisations to ask: the directory's filters. Every filter is optional;
    none at all means every approved member."""

    national_alliance = forms.ModelChoiceField(
        label=_("National alliance"), queryset=NationalAlliance.objects.all(), required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("any kind"))] + list(Organisation.Kind.choices),
        required=False,
    )
    focus_area = forms.ModelChoiceField(
        label=_("Focus area"), queryset=FocusArea.objects.all(), required=False
    )
    membership_status = forms.ChoiceField(
        label=_("Membership status"),
        choices=list(Membership.Status.choices),
        initial=Membership.Status.APPROVED,
        required=False,
    )

    def __init__(self, *args, alliances=None, **kwargs):
        """`alliances`: the only national alliances whose organisations may be asked (a
        coordinator's own); None for all (a convenor)."""
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("any country"))] + list(countries)
        self.alliances = alliances
        if alliances is not None:
            self.fields["national_alliance"].queryset = alliances
            self.fields["national_alliance"].required = True

    def organisations(self):
        data = self.cleaned_data
        status = data.get("membership_status") or Membership.Status.APPROVED
        memberships = Membership.objects.filter(status=status)
        if self.alliances is not None:
            memberships = memberships.filter(national_alliance__in=self.alliances)
        if data.get("national_alliance"):
            memberships = memberships.filter(national_alliance=data["national_alliance"])
        organisations = Organisation.objects.filter(pk__in=memberships.values("organisation"))
        if data.get("country"):
            organisations = organisations.filter(country=data["country"])
        if data.get("kind"):
            organisations = organisations.filter(kind=data["kind"])
        if data.get("focus_area"):
            organisations = organisations.filter(
                pk__in=data["focus_area"].organisations.values("pk")
            )
        return organisations


class SignatureForm(forms.Form):
    LISTED, COUNTED_ONLY = "listed", "counted"

    signatory_name = forms.CharField(label=_("Your name"), max_length=200)
    signatory_title = forms.CharField(label=_("Your title or role"), max_length=200, required=False)
    email = forms.EmailField(label=_("Your email address"))
    visibility = forms.ChoiceField(
        label=_("How should your organisation appear?"),
        choices=[
            (LISTED, _("Listed publicly among the signatories")),
            (
                COUNTED_ONLY,
                _("Counted in the total, without its name (for organisations at risk)"),
            ),
        ],
        initial=LISTED,
        widget=forms.RadioSelect,
    )

    def signatory(self) -> Signatory:
        data = self.cleaned_data
        return Signatory(
            name=data["signatory_name"].strip(),
            title=data["signatory_title"].strip(),
            email=data["email"].strip(),
            listed_publicly=data["visibility"] == self.LISTED,
        )


def _country_choices() -> list[tuple[str, str]]:
    return [("", "")] + [(country.code, country.name) for country in countries]


def _organisation_kinds() -> list[tuple[str, str]]:
    # An empty first choice, as for the country: a kind picked for the signer by
    # default would classify organisations wrongly in the alliance's figures.
    return [("", "---------"), *Organisation.Kind.choices]


class CountryField(forms.ChoiceField):
    """A country by its two-letter code, offered in the visitor's language.

    The choices are a callable, so the list is made when it is shown and not copied and
    normalised with every form; a value is checked against the codes, not by walking
    the list. Both cost more than the rest of a public signing request together."""

    def __init__(self, **kwargs):
        super().__init__(choices=_country_choices, **kwargs)

    def valid_value(self, value) -> bool:
        return value in countries.countries


class OrganisationKindField(forms.ChoiceField):
    """One of Organisation.Kind, offered in the visitor's language.

    As CountryField: the choices are made when shown, and a value is checked against a
    set of the codes, not against the translated list built again for every form."""

    codes = frozenset(Organisation.Kind.values)

    def __init__(self, **kwargs):
        super().__init__(choices=_organisation_kinds, **kwargs)

    def valid_value(self, value) -> bool:
        return value in self.codes


class PublicSignatureForm(SignatureForm):
    """A non-member organisation signs from the public page: who it is, then who signs."""

    organisation_name = forms.CharField(label=_("Organisation"), max_length=300)
    country = CountryField(label=_("Country"))
    kind = OrganisationKindField(label=_("Kind of organisation"))
    # Bots fill every field; people never see this one (hidden by CSS, not by type).
    website_url = forms.CharField(required=False, label=_("Leave this empty"))

    field_order = ["organisation_name", "country", "kind"]

    @property
    def looks_automated(self) -> bool:
        return bool(self.cleaned_data.get("website_url"))
