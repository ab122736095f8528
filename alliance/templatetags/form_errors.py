from django import template
from django.forms.forms import NON_FIELD_ERRORS

register = template.Library()


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms):
    """GOV.UK's error summary: every error of the bound `forms` (forms or lists of forms)
    at the top of the page, each linking to its field, so that an error far down a long
    form is seen. Nothing when there is none."""
    errors = []
    for form in _flatten(forms):
        if form is None or not form.is_bound:
            continue
        errors += [{"message": message} for message in form.errors.get(NON_FIELD_ERRORS, [])]
        for name, messages in form.errors.items():
            if name == NON_FIELD_ERRORS or name not in form.fields:
                continue
            field = form[name]
            target = "" if field.is_hidden else _first_widget_id(field)
            errors += [
                {"field_id": target, "label": field.label, "message": message}
                for message in messages
            ]
    return {"errors": errors}


def _flatten(forms):
    for form in forms:
        if isinstance(form, (list, tuple)):
            yield from _flatten(form)
        else:
            yield form


def _first_widget_id(field) -> str:
    """The id to link to: a group of radios or checkboxes has none of its own, its first
    choice does."""
    if field.id_for_label:
        return field.id_for_label
    subwidgets = field.subwidgets
    return subwidgets[0].id_for_label if subwidgets else ""
