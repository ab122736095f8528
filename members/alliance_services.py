"""National alliances: created by convenors, who appoint and remove their coordinators.
Each change is one transaction with its audit entry."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from alliance.core.audit.services import diff, record, snapshot
from alliance.core.outbox.services import Email, queue_email
from members.models import NationalAlliance


@transaction.atomic
def create_national_alliance(
    *, name: str, country: str, status: str, description: str = "", created_by
) -> NationalAlliance:
    if NationalAlliance.objects.filter(country=country).exists():
        raise ValidationError(_("This country already has a national alliance."))
    alliance = NationalAlliance.objects.create(
        name=name, country=country, status=status, description=description
    )
    record(
        actor=created_by,
        action="nationalalliance.created",
        target=alliance,
        changes={"name": [None, name], "country": [None, country], "status": [None, status]},
    )
    return alliance


@transaction.atomic
def update_national_alliance(*, alliance: NationalAlliance, changed_by, **values) -> dict:
    """Change the name, status or description; returns (and audits) what changed."""
    before = snapshot(alliance, values)
    for name, value in values.items():
        setattr(alliance, name, value)
    changes = diff(before, alliance)
    if changes:
        alliance.save(update_fields=list(changes))
        record(
            actor=changed_by, action="nationalalliance.updated", target=alliance, changes=changes
        )
    return changes


@transaction.atomic
def appoint_coordinator(*, alliance: NationalAlliance, user, appointed_by) -> bool:
    """Make `user` a coordinator of `alliance` and tell them by email; False if they
    already were."""
    if alliance.coordinators.filter(pk=user.pk).exists():
        return False
    alliance.coordinators.add(user)
    entry = record(
        actor=appointed_by,
        action="nationalalliance.coordinator_appointed",
        target=alliance,
        changes={"coordinators": [None, user.email]},
    )
    queue_email(
        Email(
            # Per audit entry: appointed again after a removal, they hear of it again.
            key=f"coordinator-appointed:{alliance.pk}:{user.pk}:{entry.pk}",
            to_email=user.email,
            to_name=user.name,
            language=user.language,
            template="coordinator_appointed",
            context={
                "alliance": alliance.name,
                "appointed_by": appointed_by.name or appointed_by.email,
                "path": reverse("members:alliance", kwargs={"slug": alliance.slug}),
            },
        )
    )
    return True


@transaction.atomic
def remove_coordinator(*, alliance: NationalAlliance, user, removed_by) -> bool:
    """`user` no longer coordinates `alliance`; False if they did not."""
    if not alliance.coordinators.filter(pk=user.pk).exists():
        return False
    alliance.coordinators.remove(user)
    record(
        actor=removed_by,
        action="nationalalliance.coordinator_removed",
        target=alliance,
        changes={"coordinators": [user.email, None]},
    )
    return True
