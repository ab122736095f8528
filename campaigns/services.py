"""Operations on campaigns and convenings: scheduling, inviting, changing, cancelling,
answering, reminding and recording attendance.

Each is one transaction with an audit entry; every email is an outbox row written in a
transaction, with a key that says what it is about, so nobody gets the same message
twice. Invitations and change notes are sent by a fan-out that brings each invitation
up to the convening's SEQUENCE (`Invitation.notified_sequence`): running it twice, or
after a change made while it runs, sends each organisation what it has not been told yet
and nothing else.
"""

import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from psycopg import sql

from alliance.core.api.webhooks import emit
from alliance.core.audit.services import diff, record, snapshot
from alliance.core.markup import render_markdown
from alliance.core.messagetexts.services import current_text
from alliance.core.outbox.services import Email, queue_emails
from alliance.core.queueing import enqueue
from campaigns import ics
from campaigns.models import Campaign, Convening, Invitation, Moment
from campaigns.webhooks import (
    CONVENING_CANCELLED,
    CONVENING_CHANGED,
    CONVENING_SCHEDULED,
    INVITATION_ANSWERED,
    emit_convening_event,
    invitation_payload_for,
)
from members.models import Contact, Organisation

# Invitations one fan-out task writes outbox rows for, in one transaction.
FANOUT_BATCH_SIZE = 200
# No-reply organisations are reminded this long before the RSVP deadline ...
RSVP_REMINDER_BEFORE = timedelta(days=3)
# ... and those who accepted, this long before the meeting starts.
ATTENDANCE_REMINDER_BEFORE = timedelta(days=1)
# Changes to these fields are news for invitees: the .ics SEQUENCE goes up.
MATERIAL_FIELDS = ["title", "starts_at", "ends_at", "time_zone", "format", "venue"]
TIMING_FIELDS = {"starts_at", "ends_at", "time_zone"}
OPEN_STATUSES = (Convening.Status.SCHEDULED, Convening.Status.MOVED)


# --- campaigns -----------------------------------------------------------------------


def save_campaign(*, campaign: Campaign, saved_by, before: dict | None = None) -> Campaign:
    """Create or change a campaign (the form has applied its values to `campaign`)."""
    permission = "campaigns.change_campaign" if campaign.pk else "campaigns.add_campaign"
    if not saved_by.has_perm(permission, campaign if campaign.pk else None):
        raise PermissionDenied(permission)
    with transaction.atomic():
        created = campaign.pk is None
        campaign.save()
        record(
            actor=saved_by,
            action="campaign.created" if created else "campaign.changed",
            target=campaign,
            changes=diff(before, campaign) if before else {},
        )
    return campaign


def save_moment(*, moment: Moment, saved_by) -> Moment:
    if not saved_by.has_perm("campaigns.change_campaign", moment.campaign):
        raise PermissionDenied
    with transaction.atomic():
        created = moment.pk is None
        moment.save()
        record(
            actor=saved_by,
            action="moment.created" if created else "moment.changed",
            target=moment.campaign,
            note=str(moment),
        )
    return moment


# --- convenings ----------------------------------------------------------------------


def create_convening(*, convening: Convening, created_by) -> Convening:
    """Save a new convening as a draft: nobody hears about it until it is scheduled."""
    if not created_by.has_perm("campaigns.organise_convening", convening.national_alliance):
        raise PermissionDenied
    with transaction.atomic():
        convening.status = Convening.Status.DRAFT
        convening.created_by = created_by
        convening.save()
        record(actor=created_by, action="convening.created", target=convening)
    return convening


def update_convening(*, convening: Convening, before: dict, changed_by) -> Convening:
    """Save the organiser's edits. `before` is `snapshot(convening, MATERIAL_FIELDS + ...)`
    taken before the form changed it.

    When a scheduled convening changes in a way invitees must hear about (time, place,
    title), the SEQUENCE goes up and every invitee gets an updated .ics with a note of
    what changed; a change of time makes it "moved".
    """
    if not changed_by.has_perm("campaigns.change_convening", convening):
        raise PermissionDenied
    with transaction.atomic():
        locked = Convening.objects.select_for_update().get(pk=convening.pk)
        changes = diff(before, convening)
        material = [name for name in MATERIAL_FIELDS if name in changes]
        if locked.status in OPEN_STATUSES and material:
            convening.sequence = locked.sequence + 1
            if TIMING_FIELDS.intersection(material):
                convening.status = Convening.Status.MOVED
            convening.last_change = {
                "sequence": convening.sequence,
                "kind": "moved" if TIMING_FIELDS.intersection(material) else "updated",
                "previous": {
                    "starts_at": before["starts_at"].isoformat(),
                    "ends_at": before["ends_at"].isoformat(),
                    "time_zone": before["time_zone"],
                    "venue": before["venue"],
                    "title": before["title"],
                },
                "fields": material,
            }
        else:
            convening.sequence = locked.sequence
            convening.status = locked.status
        convening.save()
        record(actor=changed_by, action="convening.changed", target=convening, changes=changes)
        emit_convening_event(
            CONVENING_CHANGED, convening, when=convening.sequence != locked.sequence
        )
        if convening.sequence != locked.sequence:
            _fan_out_on_commit(convening)
    return convening


def schedule_convening(*, convening: Convening, scheduled_by) -> Convening:
    """Draft -> scheduled: the organiser can now invite organisations."""
    if not scheduled_by.has_perm("campaigns.change_convening", convening):
        raise PermissionDenied
    with transaction.atomic():
        updated = Convening.objects.filter(pk=convening.pk, status=Convening.Status.DRAFT).update(
            status=Convening.Status.SCHEDULED
        )
        if not updated:
            raise ValidationError(_("Only a draft can be scheduled."))
        convening.status = Convening.Status.SCHEDULED
        record(
            actor=scheduled_by,
            action="convening.scheduled",
            target=convening,
            changes={"status": ["draft", "scheduled"]},
        )
        emit_convening_event(CONVENING_SCHEDULED, convening)
    return convening


def cancel_convening(*, convening: Convening, cancelled_by, reason: str = "") -> Convening:
    """Cancel, and send every invitee METHOD:CANCEL so calendars drop the event."""
    if not cancelled_by.has_perm("campaigns.change_convening", convening):
        raise PermissionDenied
    with transaction.atomic():
        locked = Convening.objects.select_for_update().get(pk=convening.pk)
        if locked.status not in (Convening.Status.DRAFT, *OPEN_STATUSES):
            raise ValidationError(_("This convening can no longer be cancelled."))
        previous = locked.status
        locked.status = Convening.Status.CANCELLED
        locked.sequence += 1
        locked.last_change = {
            "sequence": locked.sequence,
            "kind": "cancelled",
            "reason": reason.strip(),
        }
        locked.save(update_fields=["status", "sequence", "last_change"])
        record(
            actor=cancelled_by,
            action="convening.cancelled",
            target=locked,
            changes={"status": [previous, "cancelled"]},
            note=reason.strip(),
        )
        emit_convening_event(CONVENING_CANCELLED, locked)
        _fan_out_on_commit(locked)
    return locked


def record_attendance(*, convening: Convening, attended: set[int], recorded_by) -> Convening:
    """After the meeting: which invited organisations came (`attended`: invitation ids).
    The convening becomes "held"."""
    if not recorded_by.has_perm("campaigns.change_convening", convening):
        raise PermissionDenied
    if convening.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the convening has started."))
    if convening.status == Convening.Status.CANCELLED:
        raise ValidationError(_("This convening was cancelled."))
    with transaction.atomic():
        invitations = convening.invitations.all()
        came = invitations.filter(pk__in=attended).update(attended=True)
        invitations.exclude(pk__in=attended).update(attended=False)
        Convening.objects.filter(pk=convening.pk).update(status=Convening.Status.HELD)
        convening.status = Convening.Status.HELD
        record(
            actor=recorded_by,
            action="convening.attendance_recorded",
            target=convening,
            note=_("%(count)s organisations attended.") % {"count": came},
        )
    return convening


# --- invitations ---------------------------------------------------------------------


def invitable_organisations(user, convening: Convening) -> QuerySet:
    """The organisations `user` may invite to `convening`: any for a convenor, the
    members and applicants of the alliances they coordinate for a coordinator."""
    if not user.has_perm("campaigns.invite_to_convening", convening):
        return Organisation.objects.none()
    if user.has_perm("campaigns.invite_anyone"):
        return Organisation.objects.all()
    return Organisation.objects.filter(
        pk__in=Organisation.objects.filter(
            memberships__national_alliance__coordinators=user
        ).values("pk")
    )


def reachable_contacts(organisations: QuerySet) -> QuerySet:
    """The contacts an invitation to these organisations is emailed to."""
    return Contact.objects.filter(
        organisation__in=organisations.values("pk"), erased_at__isnull=True
    ).exclude(email="")


def invite_organisations(*, convening: Convening, organisations: QuerySet, invited_by) -> list[int]:
    """Invite these organisations (those already invited are skipped) and email their
    contacts, through a fan-out that runs after commit. Returns the new invitation ids.

    Writing the invitations is one INSERT; the emails, with their .ics, are written by
    Celery tasks in batches, so that inviting ten thousand organisations returns at once.
    """
    if not invited_by.has_perm("campaigns.invite_to_convening", convening):
        raise PermissionDenied
    if convening.status not in OPEN_STATUSES:
        raise ValidationError(_("Schedule the convening before you invite organisations."))
    allowed = invitable_organisations(invited_by, convening)
    with transaction.atomic():
        already = convening.invitations.values("organisation_id")
        chosen = allowed.filter(pk__in=organisations.values("pk")).exclude(pk__in=already)
        if connection.vendor == "postgresql":
            ids = insert_invitations_in_one_statement(convening, chosen)
        else:
            ids = insert_invitations_portably(convening, chosen)
        record(
            actor=invited_by,
            action="convening.invited",
            target=convening,
            note=_("%(count)s organisations invited.") % {"count": len(ids)},
        )
        ids = sorted(ids)
        _fan_out_on_commit(convening, ids)
    return ids


def insert_invitations_portably(convening: Convening, chosen: QuerySet) -> list[int]:
    """Any database: what insert_invitations_in_one_statement writes, through the ORM."""
    organisation_ids = list(chosen.values_list("pk", flat=True))
    Invitation.objects.bulk_create(
        [Invitation(convening=convening, organisation_id=pk) for pk in organisation_ids],
        batch_size=1000,
        ignore_conflicts=True,
    )
    invitations = dict(
        Invitation.objects.filter(
            convening=convening, organisation_id__in=organisation_ids
        ).values_list("organisation_id", "pk")
    )
    contacts = reachable_contacts(Organisation.objects.filter(pk__in=organisation_ids))
    Invitation.contacts.through.objects.bulk_create(
        [
            Invitation.contacts.through(invitation_id=invitations[org_id], contact_id=pk)
            for pk, org_id in contacts.values_list("pk", "organisation_id")
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return list(invitations.values())


def insert_invitations_in_one_statement(convening: Convening, chosen: QuerySet) -> list[int]:
    """PostgreSQL: the invitations and their contacts written by two INSERT ... SELECT
    statements, without bringing ten thousand rows into Python and back (the organiser
    waits for this). Each token is two random UUIDs (gen_random_uuid() draws from the
    operating system's secure random source): 244 random bits, like secrets' 192.
    Composed with psycopg.sql: names from the models, the chosen organisations' SELECT
    from the ORM, values as parameters."""
    invitation, link, contact = (
        Invitation._meta,
        Invitation.contacts.through._meta,
        Contact._meta,
    )
    chosen_sql, chosen_params = chosen.values("pk").query.sql_with_params()
    insert_invitations = sql.SQL(
        "INSERT INTO {invitations} (convening_id, organisation_id, token, answer, delegates,"
        " created_at)"
        " SELECT %s, chosen.id,"
        " replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),"
        " %s, '[]'::jsonb, %s FROM ({chosen}) AS chosen (id)"
        " ON CONFLICT DO NOTHING RETURNING id"
    ).format(invitations=sql.Identifier(invitation.db_table), chosen=sql.SQL(chosen_sql))
    # The contacts reachable_contacts() names: not erased, with an address.
    insert_links = sql.SQL(
        "INSERT INTO {links} (invitation_id, contact_id)"
        " SELECT invitation.id, contact.id"
        " FROM {invitations} AS invitation JOIN {contacts} AS contact"
        " ON contact.organisation_id = invitation.organisation_id"
        " WHERE invitation.id = ANY(%s) AND contact.erased_at IS NULL AND contact.email <> ''"
        " ON CONFLICT DO NOTHING"
    ).format(
        links=sql.Identifier(link.db_table),
        invitations=sql.Identifier(invitation.db_table),
        contacts=sql.Identifier(contact.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            insert_invitations.as_string(None),
            [convening.pk, Invitation.Answer.NO_REPLY, timezone.now(), *chosen_params],
        )
        ids = [invitation_id for (invitation_id,) in cursor.fetchall()]
        cursor.execute(insert_links.as_string(None), [ids])
    return ids


def _fan_out_on_commit(convening: Convening, invitation_ids: list[int] | None = None) -> None:
    convening_id = convening.pk

    def dispatch():
        from campaigns.tasks import notify_invitees

        ids = invitation_ids
        if ids is None:
            ids = list(
                Invitation.objects.filter(convening_id=convening_id)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        # The invitations say what is still to send: if the broker is down, the periodic
        # catch-up sends it.
        for start in range(0, len(ids), FANOUT_BATCH_SIZE):
            batch = ids[start : start + FANOUT_BATCH_SIZE]
            if not enqueue(notify_invitees, convening_id, batch, what=f"convening {convening_id}"):
                return

    transaction.on_commit(dispatch)


def notify_invitees(*, convening_id: int, invitation_ids: list[int]) -> int:
    """Write the emails that bring these invitations up to the convening's SEQUENCE:
    the invitation for those never told, an update or a cancellation for the others.
    Returns the number of emails written. Safe to run twice, and concurrently."""
    with transaction.atomic():
        # Lock the invitations (not the convening: batches run side by side). A change
        # that commits after this read is sent by its own fan-out, which waits for these
        # locks and then finds these invitations one sequence behind.
        invitations = list(
            Invitation.objects.select_for_update(of=("self",))
            .filter(convening_id=convening_id, pk__in=invitation_ids)
            .filter(Q(notified_sequence__isnull=True) | Q(notified_sequence__lt=_sequence()))
            .select_related("convening", "organisation")
            .order_by("pk")
        )
        if not invitations:
            return 0
        convening = invitations[0].convening
        contacts = _contacts_by_invitation(invitations)
        # Markdown costs more than the rest of the email: render the agenda once here.
        agenda_html = str(render_markdown(convening.agenda)) if convening.agenda else ""
        shared_contexts: dict[tuple[str, str, str], dict] = {}
        # The RSVP path of every invitation, from one reverse(): it differs only by token.
        rsvp_path = reverse("campaigns:rsvp", kwargs={"token": "TOKEN"})
        calendar_files = ics.CalendarFiles(convening)
        emails = []
        for invitation in invitations:
            kind = _news_for(invitation, convening)
            if kind is None:
                continue
            method = ics.CANCEL if kind == "cancellation" else ics.REQUEST
            for contact in contacts.get(invitation.pk, []):
                # The contact in the link: the page shows the times in their zone.
                personal = {
                    "organisation": invitation.organisation.name,
                    "rsvp_path": rsvp_path.replace("TOKEN", invitation.token)
                    + f"?contact={contact.pk}",
                }
                # What the email says besides the organisation and its RSVP link is the
                # same for everyone who reads this language in this time zone: worked out
                # once here, and rendered once per worker (alliance.core.outbox).
                group = (kind, contact.language, contact.time_zone)
                if group not in shared_contexts:
                    shared_contexts[group] = convening_context(
                        convening,
                        kind=kind,
                        language=contact.language,
                        zone_name=contact.time_zone,
                        agenda_html=agenda_html,
                    )
                emails.append(
                    Email(
                        key=(
                            f"convening:{convening.pk}:{convening.sequence}:{kind}"
                            f":{invitation.pk}:{contact.pk}"
                        ),
                        to_email=contact.email,
                        to_name=contact.name,
                        language=contact.language,
                        template=f"convening_{kind}",
                        context=shared_contexts[group],
                        personal=personal,
                        # Each invitee's own: they are its ATTENDEE, with their answer.
                        attachments=[
                            calendar_files.attachment(
                                method=method, invitation=invitation, contact=contact
                            )
                        ],
                    )
                )
        queue_emails(emails)
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(
            notified_sequence=convening.sequence
        )
    return len(emails)


def _sequence() -> F:
    return F("convening__sequence")


def _news_for(invitation: Invitation, convening: Convening) -> str | None:
    """Which email this invitation needs: None when there is nothing to say (a draft, or
    a convening cancelled before this organisation ever heard of it)."""
    cancelled = convening.status == Convening.Status.CANCELLED
    if convening.status == Convening.Status.DRAFT:
        return None
    if invitation.notified_sequence is None:
        return None if cancelled else "invitation"
    return "cancellation" if cancelled else "update"


def _contacts_by_invitation(invitations: list[Invitation]) -> dict[int, list[Contact]]:
    through = Invitation.contacts.through.objects.filter(
        invitation_id__in=[i.pk for i in invitations],
        contact__erased_at__isnull=True,
    ).exclude(contact__email="")
    grouped: dict[int, list[Contact]] = {}
    for row in through.select_related("contact").order_by("contact_id"):
        grouped.setdefault(row.invitation_id, []).append(row.contact)
    return grouped


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _when(moment: datetime, zone_name: str) -> str:
    return formats.date_format(moment.astimezone(_zone(zone_name)), "DATETIME_FORMAT")


def convening_times(convening: Convening, zone_name: str) -> dict[str, str]:
    """Start and end in the reader's zone and the convening's own (formatted in the
    active language)."""
    return {
        "starts": _when(convening.starts_at, zone_name),
        "ends": _when(convening.ends_at, zone_name),
        "zone": zone_name,
        "starts_there": _when(convening.starts_at, convening.time_zone),
        "ends_there": _when(convening.ends_at, convening.time_zone),
        "zone_there": convening.time_zone,
    }


def convening_context(
    convening: Convening, *, kind: str, language: str, zone_name: str, agenda_html: str
) -> dict:
    """The context of a convening email for readers of `language` in `zone_name`; the
    organisation's name and its RSVP link are the message's personal values."""
    with translation.override(language):
        context = {
            "convening": convening.title,
            "format": convening.get_format_display(),
            "venue": convening.venue,
            "agenda": convening.agenda,
            # Sanitised (alliance.core.markup) when written; the template marks it safe.
            "agenda_html": agenda_html,
            "delegates_per_organisation": convening.delegates_per_organisation,
            "deadline": _when(convening.rsvp_deadline, zone_name)
            if convening.rsvp_deadline
            else "",
            "sequence": convening.sequence,
            **convening_times(convening, zone_name),
        }
        change = convening.last_change or {}
        if kind == "update" and change.get("previous"):
            previous = change["previous"]
            context["previous_starts"] = _when(
                datetime.fromisoformat(previous["starts_at"]), zone_name
            )
            context["previous_venue"] = previous.get("venue", "")
            context["moved"] = change.get("kind") == "moved"
        if kind == "cancellation":
            context["reason"] = change.get("reason", "")
        if kind == "invitation":
            # The text the organiser wrote for this convening (campaigns.messages).
            context["edited"] = current_text(
                target=convening, kind="convening_invitation", language=language
            ).as_context()
    return context


def catch_up_notifications(*, limit: int = 5000) -> int:
    """Periodic: queue the fan-out again for invitations still behind their convening's
    SEQUENCE (the broker lost the task, or a worker died). Safe to run twice."""
    # Give the queued fan-out the time the outbox gives a queued message before it
    # assumes the broker lost it; running both at once is harmless (row locks), only wasted.
    grace = timezone.now() - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    behind = (
        Invitation.objects.exclude(convening__status=Convening.Status.DRAFT)
        .filter(Q(notified_sequence__isnull=True) | Q(notified_sequence__lt=_sequence()))
        .filter(created_at__lt=grace)
        .order_by("convening_id", "pk")
        .values_list("convening_id", "pk")[:limit]
    )
    by_convening: dict[int, list[int]] = {}
    for convening_id, pk in behind:
        by_convening.setdefault(convening_id, []).append(pk)
    written = 0
    for convening_id, ids in by_convening.items():
        for start in range(0, len(ids), FANOUT_BATCH_SIZE):
            written += notify_invitees(
                convening_id=convening_id, invitation_ids=ids[start : start + FANOUT_BATCH_SIZE]
            )
    return written


def answer_invitation(*, invitation: Invitation, answer: str, delegates: list[str]) -> Invitation:
    """An organisation's RSVP, from the link in its invitation (the token is the
    credential). Delegates are capped at the convening's places per organisation."""
    convening = invitation.convening
    if convening.status not in OPEN_STATUSES:
        raise ValidationError(_("This convening no longer takes answers."))
    if convening.rsvp_deadline and convening.rsvp_deadline < timezone.now():
        raise ValidationError(_("The deadline to answer has passed."))
    if answer not in Invitation.Answer.values or answer == Invitation.Answer.NO_REPLY:
        raise ValidationError(_("Choose yes, no or maybe."))
    names = [name.strip() for name in delegates if name.strip()]
    if answer == Invitation.Answer.NO:
        names = []
    if len(names) > convening.delegates_per_organisation:
        raise ValidationError(
            _("Each organisation may send %(count)s delegates."),
            params={"count": convening.delegates_per_organisation},
        )
    with transaction.atomic():
        before = snapshot(invitation, ["answer", "delegates"])
        invitation.answer = answer
        invitation.delegates = names
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["answer", "delegates", "answered_at"])
        record(
            actor_label=_("RSVP link of %(organisation)s")
            % {"organisation": invitation.organisation},
            action="invitation.answered",
            target=invitation,
            changes=diff(before, invitation),
        )
        emit(
            event=INVITATION_ANSWERED,
            payload_for=lambda key: invitation_payload_for(invitation, key),
        )
    return invitation


# --- reminders -----------------------------------------------------------------------


def send_reminders(*, now: datetime | None = None) -> int:
    """Periodic: remind organisations that have not answered, a few days before the RSVP
    deadline, and those who accepted, the day before. The outbox key (convening,
    organisation, kind, contact) makes each reminder go out once however often this runs.
    Returns the number of emails written by this run."""
    now = now or timezone.now()
    open_convenings = Q(convening__status__in=OPEN_STATUSES)
    no_reply = Invitation.objects.filter(
        open_convenings,
        answer=Invitation.Answer.NO_REPLY,
        notified_sequence__isnull=False,
        convening__rsvp_deadline__gt=now,
        convening__rsvp_deadline__lte=now + RSVP_REMINDER_BEFORE,
    )
    accepted = Invitation.objects.filter(
        open_convenings,
        answer=Invitation.Answer.YES,
        convening__starts_at__gt=now,
        convening__starts_at__lte=now + ATTENDANCE_REMINDER_BEFORE,
    )
    written = 0
    for kind, invitations in (("rsvp", no_reply), ("attendance", accepted)):
        written += _remind(invitations, kind=kind)
    return written


def _remind(invitations: QuerySet, *, kind: str) -> int:
    total = 0
    batch = list(invitations.select_related("convening", "organisation").order_by("pk")[:5000])
    for start in range(0, len(batch), FANOUT_BATCH_SIZE):
        chunk = batch[start : start + FANOUT_BATCH_SIZE]
        contacts = _contacts_by_invitation(chunk)
        emails = []
        for invitation in chunk:
            convening = invitation.convening
            rsvp_path = reverse("campaigns:rsvp", kwargs={"token": invitation.token})
            for contact in contacts.get(invitation.pk, []):
                with translation.override(contact.language):
                    context = {
                        "convening": convening.title,
                        "organisation": invitation.organisation.name,
                        "rsvp_path": f"{rsvp_path}?contact={contact.pk}",
                        "venue": convening.venue,
                        "format": convening.get_format_display(),
                        "online_link": invitation.online_link() if kind == "attendance" else "",
                        "delegates": invitation.delegates,
                        "deadline": _when(convening.rsvp_deadline, contact.time_zone)
                        if convening.rsvp_deadline
                        else "",
                        **convening_times(convening, contact.time_zone),
                    }
                emails.append(
                    Email(
                        key=(
                            f"convening-reminder:{convening.pk}:{invitation.organisation_id}"
                            f":{kind}:{contact.pk}"
                        ),
                        to_email=contact.email,
                        to_name=contact.name,
                        language=contact.language,
                        template=f"convening_reminder_{kind}",
                        context=context,
                    )
                )
        with transaction.atomic():
            total += len(queue_emails(emails))
    return total
