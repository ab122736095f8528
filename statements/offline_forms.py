"""Forms of the offline signatures pages (statements.offline_views)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.imports import decode
from statements.forms import SignatureForm
from statements.models import OfflineReceipt
from statements.offline import MAX_IMPORT_BYTES, check_scan


class OfflineSignatureForm(SignatureForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    channel = forms.ChoiceField(
        label=_("Received by"), choices=OfflineReceipt.Channel.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    scan = forms.FileField(
        label=_("Scan of the signed page"),
        required=False,
        help_text=_(
            "PDF, PNG or JPEG, up to 10 MB. Only convenors and the coordinators of the "
            "organisation's alliances can open it."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    field_order = ["organisation", "signatory_name", "signatory_title", "email", "visibility"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["signatory_name"].label = _("Signatory's name")
        self.fields["signatory_title"].label = _("Signatory's title or role")
        self.fields["email"].label = _("Signatory's email address")
        self.fields["email"].required = False
        self.fields["visibility"].label = _("How should the organisation appear?")

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if scan:
            check_scan(scan)
        return scan


class OfflineImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, columns separated by commas, semicolons or tabs."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is too big: the limit is %(limit)s MB."),
                params={"limit": MAX_IMPORT_BYTES // 1024 // 1024},
            )
        return decode(upload.read())
