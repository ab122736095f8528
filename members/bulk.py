"""Bulk work in the directory: act at once on the organisations ticked on a page, or on
every organisation matching the directory's filter.

A selection is never a list of 100,000 ids carried by the page: "all matching" is the
filter's query string, evaluated again here for the person acting. Each action is one
call to `act`, which checks the actor may act in bulk at all, keeps to the rows they may
change (a coordinator: the members and applicants of the alliances they coordinate;
the others are skipped and counted), records one audit entry with the selection and the
counts, and runs at once or, above `settings.BULK_TASK_THRESHOLD` rows, as a Celery task
whose progress the page follows.

The actions on statements and convenings live in those apps (statements/bulk.py,
campaigns/bulk.py), which register them here when Django starts: members knows nothing
of statements and campaigns.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.core import queueing
from alliance.core.audit.services import record
from alliance.core.permissions import is_convenor, require
from alliance.core.queueing import enqueue, queue_again
from members import directory
from members.models import BulkAction, FocusArea, Membership, NationalAlliance, Organisation

logger = logging.getLogger(__name__)

# Ids ticked on the directory's pages; "all matching" covers more.
MAX_TICKED = 1000
# Rows changed per step of a run; progress is reported after each.
CHUNK = 1000


# The selection ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Ticked rows (`ids`), or every organisation the directory's filter `query` finds."""

    ids: tuple[int, ...] = ()
    query: str | None = None

    @classmethod
    def from_data(cls, data: QueryDict) -> "Selection":
        """The selection a form sent: `all=1` with the filter as `filter`, or `ids`."""
        if data.get("all") == "1":
            return cls(query=data.get("filter", ""))
        raw = data.getlist("ids")
        if not raw:
            raise ValidationError(_("Tick at least one organisation, or all that match."))
        if len(raw) > MAX_TICKED:
            raise ValidationError(
                _("Tick at most %(count)s organisations, or choose all that match.")
                % {"count": MAX_TICKED}
            )
        try:
            ids = tuple(sorted({int(value) for value in raw}))
        except ValueError:
            raise ValidationError(_("The selection is not valid.")) from None
        return cls(ids=ids)

    @classmethod
    def from_record(cls, stored: dict) -> "Selection":
        if "filter" in stored:
            return cls(query=stored["filter"])
        return cls(ids=tuple(stored.get("ids", ())))

    def as_record(self) -> dict:
        return {"filter": self.query} if self.query is not None else {"ids": list(self.ids)}

    def as_fields(self) -> list[tuple[str, str]]:
        """The selection as the hidden fields of a form."""
        if self.query is not None:
            return [("all", "1"), ("filter", self.query)]
        return [("ids", str(pk)) for pk in self.ids]

    def organisations(self, user) -> models.QuerySet:
        """The organisations selected, among those `user` may see in the directory."""
        if self.query is None:
            return Organisation.objects.visible_to(user).filter(pk__in=self.ids)
        filters = directory.directory_filter(QueryDict(self.query), user)
        if not filters.is_valid():
            raise ValidationError(_("The directory's filter is not valid: choose it again."))
        return filters.qs


def managed(user, organisations: models.QuerySet) -> models.QuerySet:
    """Of `organisations`, those `user` may change in bulk: every one for a convenor; for
    a coordinator, the members and applicants of the alliances they coordinate.

    The alliances are read first and the rest is one EXISTS on a list of ids: nested
    subqueries through the coordinators' table let PostgreSQL choose a plan that ran for
    minutes on a few thousand freshly written rows."""
    if is_convenor(user):
        return organisations
    alliances = list(NationalAlliance.objects.coordinated_by(user).values_list("pk", flat=True))
    if not alliances:
        return organisations.none()
    return organisations.filter(
        Exists(
            Membership.objects.filter(organisation=OuterRef("pk"), national_alliance__in=alliances)
        )
    )


# The actions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    # What the action applies (a focus area, a statement...): the choices `user` has,
    # or None for an action without one (the export).
    targets: Callable[[object], models.QuerySet] | None
    target_label: str
    # (actor, target, organisations) -> how many organisations it changed. Called once per
    # chunk, inside the run's transaction, with organisations the actor may change only.
    apply: Callable[[object, object, models.QuerySet], int]
    # Short enough to answer in the request whatever the size (nothing is written).
    always_at_once: bool = False
    # How a target is named in the form's choices (a list of them must not cost a query
    # each: `targets` can annotate what this reads).
    target_name: Callable[[object], str] = str


ACTIONS: dict[str, Action] = {}


def register(action: Action) -> None:
    ACTIONS[action.name] = action


def _add_focus_area(actor, focus_area, organisations) -> int:
    through = Organisation.focus_areas.through
    ids = list(
        organisations.exclude(
            pk__in=through.objects.filter(focusarea=focus_area).values("organisation_id")
        ).values_list("pk", flat=True)
    )
    through.objects.bulk_create(
        [through(organisation_id=pk, focusarea=focus_area) for pk in ids], ignore_conflicts=True
    )
    Organisation.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    return len(ids)


def _remove_focus_area(actor, focus_area, organisations) -> int:
    through = Organisation.focus_areas.through
    tagged = through.objects.filter(focusarea=focus_area, organisation__in=organisations)
    ids = list(tagged.values_list("organisation_id", flat=True))
    through.objects.filter(focusarea=focus_area, organisation_id__in=ids).delete()
    Organisation.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    return len(ids)


def _add_to_alliance(actor, alliance, organisations) -> int:
    """Approved memberships of `alliance` for the organisations not yet in it (in any
    status: a declined or suspended membership is decided on its own page)."""
    now = timezone.now()
    ids = list(
        organisations.exclude(pk__in=alliance.memberships.values("organisation_id")).values_list(
            "pk", flat=True
        )
    )
    created = Membership.objects.bulk_create(
        [
            Membership(
                organisation_id=pk,
                national_alliance=alliance,
                status=Membership.Status.APPROVED,
                applied_at=now,
                decided_at=now,
                decided_by=actor,
                decision_reason=_("Added in bulk from the directory."),
                joined_at=now,
            )
            for pk in ids
        ],
        ignore_conflicts=True,
    )
    return len(created)


def _alliances_for(user) -> models.QuerySet:
    if is_convenor(user):
        return NationalAlliance.objects.order_by("name")
    return NationalAlliance.objects.coordinated_by(user).order_by("name")


def _export(actor, target, organisations) -> int:
    return 0


register(
    Action(
        name="focus_add",
        label=gettext_lazy("Add a focus area"),
        targets=lambda user: FocusArea.objects.all(),
        target_label=gettext_lazy("Focus area"),
        apply=_add_focus_area,
    )
)
register(
    Action(
        name="focus_remove",
        label=gettext_lazy("Remove a focus area"),
        targets=lambda user: FocusArea.objects.all(),
        target_label=gettext_lazy("Focus area"),
        apply=_remove_focus_area,
    )
)
register(
    Action(
        name="alliance_add",
        label=gettext_lazy("Add to a national alliance"),
        targets=_alliances_for,
        target_label=gettext_lazy("National alliance"),
        apply=_add_to_alliance,
    )
)
register(
    Action(
        name="export",
        label=gettext_lazy("Export as CSV"),
        targets=None,
        target_label="",
        apply=_export,
        always_at_once=True,
    )
)


# The service -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """What an action would do, shown on the confirm page before the POST."""

    selected: int
    outside: int

    @property
    def to_do(self) -> int:
        return self.selected - self.outside


def get_action(name: str) -> Action:
    try:
        return ACTIONS[name]
    except KeyError:
        raise ValidationError(_("Choose an action.")) from None


def get_target(action: Action, user, target_id):
    """The target `user` chose, among those the action offers them; ValidationError if
    it is not one."""
    if action.targets is None:
        return None
    try:
        return action.targets(user).get(pk=int(target_id))
    except (TypeError, ValueError, models.ObjectDoesNotExist):
        raise ValidationError(
            _("Choose one of the %(target)s offered.") % {"target": str(action.target_label)}
        ) from None


def preview(*, actor, action: Action, target, selection: Selection) -> Preview:
    require(actor, "members.act_in_bulk")
    selected = selection.organisations(actor)
    count = selected.count()
    in_scope = managed(actor, selected).count()
    return Preview(selected=count, outside=count - in_scope)


def act(*, actor, action: Action, target, selection: Selection, key: uuid.UUID) -> BulkAction:
    """Apply `action` with `target` to the organisations of `selection` that `actor` may
    change, and count the others as skipped. At once, or above the threshold as a task
    (queued on commit). Safe to call twice with the same `key` (a double POST of the
    confirm page): the second call returns the first's record and does nothing."""
    require(actor, "members.act_in_bulk")
    existing = BulkAction.objects.filter(key=key).first()
    if existing is not None:
        return _same_actor(existing, actor)
    selected = selection.organisations(actor)
    selected_count, total = selected.count(), managed(actor, selected).count()
    try:
        with transaction.atomic():
            bulk = BulkAction.objects.create(
                key=key,
                actor=actor,
                action=action.name,
                target_id=getattr(target, "pk", None),
                target_repr=str(target)[:300] if target is not None else "",
                selection=selection.as_record(),
                selected_count=selected_count,
                outside_count=selected_count - total,
                total=total,
            )
            if action.always_at_once or total <= settings.BULK_TASK_THRESHOLD:
                _run(bulk)
            else:
                from members import tasks

                transaction.on_commit(
                    lambda: enqueue(tasks.run_bulk_action, bulk.pk, what="a bulk action")
                )
    except IntegrityError:
        # The same key, posted twice at once: the other request acted.
        existing = BulkAction.objects.filter(key=key).first()
        if existing is None:
            raise
        return _same_actor(existing, actor)
    return bulk


def _same_actor(bulk: BulkAction, actor) -> BulkAction:
    if bulk.actor_id != actor.pk:
        raise PermissionDenied
    return bulk


def progress_key(bulk_id: int) -> str:
    return f"members:bulk-action:{bulk_id}:done"


def rows_done(bulk: BulkAction) -> int:
    return queueing.rows_done(bulk, progress_key(bulk.pk), finished="total")


def run_bulk_action(*, bulk_id: int) -> str:
    """The task's run: every row or none, in one transaction. Safe to run twice: the
    row is locked for the whole run and leaves QUEUED only when it commits."""
    try:
        with transaction.atomic():
            bulk = (
                BulkAction.objects.select_for_update(skip_locked=True)
                .filter(pk=bulk_id, status=BulkAction.Status.QUEUED)
                .first()
            )
            if bulk is None:
                return "skipped"
            _run(bulk)
            return bulk.status
    except Exception as error:
        logger.exception("Bulk action %s failed", bulk_id)
        messages = getattr(error, "messages", None)
        BulkAction.objects.filter(pk=bulk_id, status=BulkAction.Status.QUEUED).update(
            status=BulkAction.Status.FAILED,
            finished_at=timezone.now(),
            error=" ".join(messages) if messages else type(error).__name__,
        )
        return "failed"
    finally:
        cache.delete(progress_key(bulk_id))


def requeue_lost_bulk_actions(*, older_than_seconds: int = 120) -> list[int]:
    """Queue again the bulk actions queued a while ago whose task never ran (the broker
    lost it, or the worker died before committing). A running one holds its row lock, so
    it is skipped here; and run_bulk_action is safe to run twice."""
    from members import tasks

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return queue_again(
        BulkAction.objects.filter(status=BulkAction.Status.QUEUED, created_at__lt=cutoff),
        tasks.run_bulk_action,
        what="lost bulk actions",
    )


def _run(bulk: BulkAction) -> None:
    """Apply the action chunk by chunk to the selection as it is now, then record it."""
    action = ACTIONS[bulk.action]
    actor = bulk.actor
    target = get_target(action, actor, bulk.target_id) if action.targets else None
    selected = Selection.from_record(bulk.selection).organisations(actor)
    ids = list(managed(actor, selected).order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        changed += action.apply(actor, target, Organisation.objects.filter(pk__in=chunk))
        cache.set(progress_key(bulk.pk), start + len(chunk), timeout=3600)
    bulk.total = len(ids)
    bulk.changed_count = changed
    bulk.status = BulkAction.Status.DONE
    bulk.finished_at = timezone.now()
    bulk.save(update_fields=["total", "changed_count", "status", "finished_at"])
    record(
        actor=actor,
        action=f"directory.bulk.{action.name}",
        target=bulk,
        changes={
            "target": [None, bulk.target_repr],
            "selected": [None, bulk.selected_count],
            "skipped_outside": [None, bulk.outside_count],
            "changed": [None, changed],
            "unchanged": [None, bulk.unchanged_count],
        },
        note=str(bulk.selection),
    )


def export_rows(bulk: BulkAction) -> models.QuerySet:
    """The organisations an export covers: the selection as it is now, less the rows
    the actor may not take out in bulk."""
    actor = bulk.actor
    return managed(actor, Selection.from_record(bulk.selection).organisations(actor))
