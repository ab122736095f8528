from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alliance.core.messagetexts.services import check_placeholders


class MessageTextForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Markdown. Placeholders in braces, such as {organisation}, are filled in for "
            "each recipient."
        ),
    )
    preview_as = forms.TypedChoiceField(
        label=_("Preview as"), coerce=int, required=False, empty_value=None
    )
    # Sent with the form: the same form sent twice (a double click) sends one test.
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, kind: str, recipients: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["preview_as"].choices = [("", _("a sample organisation")), *recipients]

    def clean(self):
        cleaned = super().clean()
        if "subject" in cleaned and "body" in cleaned:
            try:
                check_placeholders(self.kind, subject=cleaned["subject"], body=cleaned["body"])
            except ValidationError as error:
                self.add_error("body", error)
        return cleaned
