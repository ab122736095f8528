"""Drafting: creating and editing a statement and its texts."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from statements import services
from statements.forms import (
    StatementForm,
    StatementTextForm,
)
from statements.models import Statement
from statements.views._common import check_permission, guarded


@guarded
@require_http_methods(["GET", "POST"])
def edit(request, slug=None):
    """Draft a new statement or change one: settings, and the text in each language."""
    if slug is None:
        check_permission(request, "statements.add_statement")
        statement = Statement()
    else:
        statement = get_object_or_404(Statement, slug=slug)
        check_permission(request, "statements.change_statement", statement)
    version = statement.current_version() if statement.pk else None
    initial_texts = StatementTextForm.initial_from(version)
    data = request.POST if request.method == "POST" else None
    form = StatementForm(data, instance=statement)
    text_forms = [
        StatementTextForm(data, language=code, initial=initial_texts.get(code))
        for code, _name in settings.LANGUAGES
    ]
    if data is not None and form.is_valid() and all(f.is_valid() for f in text_forms):
        texts = [text for f in text_forms if (text := f.text()) is not None]
        try:
            statement = services.save_statement(
                statement=form.save(commit=False),
                texts=texts,
                author=request.user,
                focus_areas=form.cleaned_data["focus_areas"],
                note=request.POST.get("note", "")[:300],
                tell_invitees_of_deadline=form.cleaned_data.get("tell_invitees", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if statement.new_version_made:
                messages.warning(
                    request,
                    _(
                        "Organisations have signed the earlier text: the change is a new "
                        "version; their signatures stay counted."
                    ),
                )
            messages.success(request, _("The statement is saved."))
            return redirect(statement)
    return render(
        request,
        "statements/edit.html",
        {"statement": statement, "form": form, "text_forms": text_forms, "version": version},
    )
