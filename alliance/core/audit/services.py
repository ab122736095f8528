from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext

from alliance.core.audit.models import AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return {"id": value.pk, "repr": str(value)}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields`, to compare with `diff` after a change."""
    return {name: getattr(obj, name) for name in fields}


def diff(before: dict[str, Any], obj: models.Model) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field in `before` whose value on `obj` has changed."""
    changes = {}
    for name, old in before.items():
        new = getattr(obj, name)
        if old != new:
            changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


def record(**fields) -> AuditEntry:
    """Write one audit entry, made from the arguments of `unsaved_entry`. Call it inside
    the transaction that makes the change."""
    entry = unsaved_entry(**fields)
    entry.save()
    return entry


def unsaved_entry(
    *,
    actor=None,
    actor_label: str = "",
    action: str,
    target: models.Model,
    changes: dict | None = None,
    note: str = "",
) -> AuditEntry:
    """The entry `record` writes, not yet saved: for a service that writes many changes in
    one transaction and their entries together (`AuditEntry.objects.bulk_create`), in
    that same transaction."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry(
        actor=actor,
        actor_label=actor_label or (str(actor) if actor else ""),
        action=action,
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        object_repr=str(target)[:300],
        changes=changes or {},
        note=note,
    )


def readable(model: type[models.Model] | None, name: str, value: Any) -> str:
    """A value of a recorded change as a person reads it: a list as its items separated by
    commas, an object by its name, a choice by its label, yes or no, a dash for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(readable(model, name, item) for item in value)
    if isinstance(value, dict):
        return str(value.get("repr", value.get("id", "—")))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    try:
        field = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        field = None
    choices = dict(getattr(field, "flatchoices", None) or ())
    return str(choices.get(value, value))
