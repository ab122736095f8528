"""The principles page, publishing a new version (convenors), and the link members
follow from the email to endorse it."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members import principles as services
from members.models import Principles

NOT_ENDORSED_SHOWN = 200
OPTIONAL_LANGUAGES = [(code, name) for code, name in settings.LANGUAGES if code != "en"]


class PublishForm(forms.Form):
    """Title and text per language (English required, the others optional) and a note
    of what changed, which members read in the email."""

    note = forms.CharField(
        label=gettext_lazy("What changed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Members read this in the email asking them to endorse."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            required = code == "en"
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                max_length=200,
                required=required,
            )
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                widget=forms.Textarea(attrs={"rows": 12}),
                required=required,
                help_text=_("Markdown."),
            )
        # The note last, after the texts it describes.
        self.fields["note"] = self.fields.pop("note")

    def clean(self):
        data = super().clean()
        for code, _name in OPTIONAL_LANGUAGES:
            title, text = data.get(f"title_{code}"), data.get(f"text_{code}")
            if bool(title) != bool(text):
                field = f"text_{code}" if title else f"title_{code}"
                self.add_error(field, _("Give both the title and the text, or neither."))
        return data

    def texts(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            code: (data[f"title_{code}"], data[f"text_{code}"])
            for code, _name in settings.LANGUAGES
            if data.get(f"title_{code}")
        }

    def language_fields(self):
        """(language name, title field, text field) for the template."""
        return [
            (name, self[f"title_{code}"], self[f"text_{code}"]) for code, name in settings.LANGUAGES
        ]


def _versions(current_version: int | None):
    """Every published version but the current one, newest first, with its date and note."""
    notes = services.change_notes()
    earlier = (
        Principles.objects.filter(published_at__isnull=False)
        .exclude(version=current_version)
        .order_by("-version", "language")
    )
    versions = {}
    for row in earlier:
        entry = versions.setdefault(
            row.version,
            {"version": row.version, "published_at": row.published_at, "languages": []},
        )
        entry["languages"].append(row.language)
        entry["note"] = notes.get(row.version, "")
    return list(versions.values())


def principles_page(request, version=None):
    """The principles in the reader's language (the current version, or an earlier one),
    and for convenors the members that have not endorsed the newest version yet."""
    latest = Principles.objects.latest_version()
    shown_version = version or latest
    principles = (
        Principles.objects.in_language(shown_version, get_language()) if shown_version else None
    )
    if version is not None and (principles is None or principles.published_at is None):
        raise Http404
    context = {
        "principles": principles,
        "is_latest": shown_version == latest,
        "note": services.change_notes().get(shown_version, "") if principles else "",
        "earlier_versions": _versions(latest),
        "latest": latest,
        "can_publish": request.user.has_perm("members.publish_principles"),
    }
    if context["can_publish"] and latest:
        # A count, and the first names: with thousands of members the whole list would
        # drown the page (the directory is where to work through them).
        not_endorsed = services.not_yet_endorsed(latest)
        context["not_endorsed_count"] = not_endorsed.count()
        context["not_endorsed"] = list(not_endorsed[:NOT_ENDORSED_SHOWN])
    return render(request, "members/principles.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request):
    if not request.user.has_perm("members.publish_principles"):
        raise PermissionDenied
    current = Principles.objects.current("en")
    initial = {}
    if current is not None:
        for row in Principles.objects.filter(version=current.version):
            initial[f"title_{row.language}"] = row.title
            initial[f"text_{row.language}"] = row.text
    form = PublishForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.publish_principles(
                texts=form.texts(), note=form.cleaned_data["note"], published_by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Version %(version)s is published; members are asked to endorse it.")
                % {"version": version},
            )
            return redirect("members:principles")
    return render(request, "members/principles_publish.html", {"form": form, "current": current})


@require_http_methods(["GET", "POST"])
def endorse(request, token):
    """The link in the email. GET shows the text and a button (mail scanners open links);
    the POST records the endorsement."""
    try:
        contact, principles = services.read_endorsement_token(token)
    except ValidationError as error:
        return render(
            request, "members/principles_endorse.html", {"error": error.messages[0]}, status=400
        )
    if request.method == "POST":
        services.endorse_principles(token=token)
        messages.success(
            request,
            _("Thank you: %(organisation)s endorses version %(version)s of the principles.")
            % {"organisation": contact.organisation.name, "version": principles.version},
        )
        return redirect(request.path)
    return render(
        request,
        "members/principles_endorse.html",
        {
            "contact": contact,
            "principles": principles,
            "endorsed": services.has_endorsed(contact, principles.version),
            "newer": (Principles.objects.latest_version() or 0) > principles.version,
        },
    )
