"""Circulating a statement for sign-on: whom it is sent to, the requests and their emails,
and the tracking of the answers.
"""

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from alliance.core.audit.services import record
from alliance.core.messagetexts.services import TextsOf, is_editable
from alliance.core.outbox.services import Email, queue_emails
from members.models import Contact, Organisation
from statements.models import (
    SignOnRequest,
    Statement,
)

# --- Circulating ------------------------------------------------------------------------


@dataclass(frozen=True)
class CirculationPreview:
    organisations: int
    already_asked: int
    to_ask: int
    contacts: int
    without_contact: int


def contacts_to_write_to(organisations: QuerySet) -> QuerySet:
    """The people who receive a request to sign: authorised contacts with an address."""
    return (
        Contact.objects.authorised_to_sign()
        .exclude(email="")
        .filter(organisation__in=organisations)
    )


def preview_circulation(*, statement: Statement, organisations: QuerySet) -> CirculationPreview:
    """How many organisations and people a circulation would write to, before it does."""
    asked = statement.signon_requests.values("organisation_id")
    matched = organisations.count()
    new = organisations.exclude(pk__in=asked)
    to_ask = new.count()
    with_contact = new.filter(pk__in=contacts_to_write_to(new).values("organisation_id")).count()
    return CirculationPreview(
        organisations=matched,
        already_asked=matched - to_ask,
        to_ask=to_ask,
        contacts=contacts_to_write_to(new).count(),
        without_contact=to_ask - with_contact,
    )


def circulate(*, statement: Statement, organisations: QuerySet, sent_by) -> int:
    """Ask `organisations` to sign (those not asked yet), open the statement for sign-on
    if it is a draft, and email each one's authorised contacts a personal link.

    Returns how many organisations were asked.
    """
    if statement.status not in (Statement.Status.DRAFT, Statement.Status.OPEN):
        raise ValidationError(_("Only a draft or an open statement can be circulated."))
    if statement.current_version() is None:
        raise ValidationError(_("Write the text before circulating the statement."))
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        closes = statement.signon_closes_at
        if closes is not None and closes <= timezone.now():
            raise ValidationError(
                _(
                    "The deadline to sign has passed: move it later before circulating "
                    "the statement."
                )
            )
        asked = statement.signon_requests.values("organisation_id")
        new_ids = list(organisations.exclude(pk__in=asked).values_list("pk", flat=True))
        SignOnRequest.objects.bulk_create(
            [
                SignOnRequest(statement=statement, organisation_id=pk, requested_by=sent_by)
                for pk in new_ids
            ],
            ignore_conflicts=True,  # a concurrent circulation asked the same one: fine
        )
        requests = statement.signon_requests.filter(organisation_id__in=new_ids)
        queue_emails(request_emails(statement, requests, template="statement_invitation"))
        if statement.status == Statement.Status.DRAFT:
            statement.status = Statement.Status.OPEN
            if statement.signon_opens_at is None:
                statement.signon_opens_at = timezone.now()
            statement.save(update_fields=["status", "signon_opens_at", "updated_at"])
        record(
            actor=sent_by,
            action="statement.circulated",
            target=statement,
            changes={"organisations_asked": [None, len(new_ids)]},
        )
    return len(new_ids)


def signing_path(request: SignOnRequest, contact: Contact) -> str:
    """The personal link of one contact: the organisation's token, the contact (to fill
    the form in) and the contact's language."""
    path = reverse("statements:respond", kwargs={"token": request.token})
    return f"{path}?{urlencode({'contact': contact.pk, 'lang': contact.language})}"


def request_emails(statement, requests, *, template: str, key=None, contacts=None) -> list:
    """One email per authorised contact of each request's organisation, in their language."""
    requests = list(requests.select_related("organisation"))
    if contacts is None:
        contacts = contacts_to_write_to(
            Organisation.objects.filter(pk__in=[r.organisation_id for r in requests])
        )
    by_organisation = {}
    for contact in contacts:
        by_organisation.setdefault(contact.organisation_id, []).append(contact)
    version = statement.current_version()
    texts = {text.language: text for text in version.texts.all()}
    # The text the convenor wrote for this message (statements.messages), per language;
    # messages nobody may rewrite (a new deadline, a changed text) have none.
    edited = TextsOf(statement, template) if is_editable(template) else None
    emails = []
    for request in requests:
        for contact in by_organisation.get(request.organisation_id, []):
            text = texts.get(contact.language) or texts[statement.original_language]
            emails.append(
                Email(
                    key=key(request, contact)
                    if key
                    else f"statement-invitation:{statement.pk}:{contact.pk}",
                    to_email=contact.email,
                    to_name=contact.name,
                    language=contact.language,
                    template=template,
                    context={
                        "organisation": request.organisation.name,
                        "title": text.title,
                        "summary": text.summary,
                        "deadline": local_date_time(
                            statement.signon_closes_at, contact.language, contact.time_zone
                        ),
                        "path": signing_path(request, contact),
                        "edited": edited.context(contact.language) if edited else {},
                    },
                )
            )
    return emails


def local_date_time(moment: dt.datetime | None, language: str, time_zone: str) -> str:
    """`moment` as the recipient reads it: their language, their time zone (named)."""
    if moment is None:
        return ""
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone, time_zone = dt.UTC, "UTC"
    with translation.override(language):
        return f"{date_format(moment.astimezone(zone), 'DATETIME_FORMAT')} ({time_zone})"


@dataclass
class Tally:
    signed: int = 0
    declined: int = 0
    no_reply: int = 0

    @property
    def asked(self) -> int:
        return self.signed + self.declined + self.no_reply


@dataclass
class Tracking:
    totals: Tally
    by_alliance: list[tuple[str, Tally]] = field(default_factory=list)


# How long the answers per national alliance may lag a change of membership.
TRACKING_CACHE_SECONDS = 30


def tracking(statement: Statement) -> Tracking:
    """Answers in totals and per national alliance (an organisation with memberships in
    several counts in each; one with none, under "no national alliance").

    The count per alliance joins every organisation asked to its memberships, so it is
    kept in Django's cache under a key that changes with any answer (each answer's count
    and latest time, from the totals' query)."""
    answers = list(
        statement.signon_requests.values_list("answer")
        .annotate(n=Count("id"), last=Max("answered_at"))
        .order_by("answer")
    )
    totals = Counter({answer: n for answer, n, _last in answers})
    state = ",".join(
        f"{answer}:{n}:{last.timestamp() if last else 0}" for answer, n, last in answers
    )
    # The creation time as well: a test database gives a statement's id again.
    key = f"tracking:{statement.pk}:{statement.created_at.timestamp()}:{state}"
    rows = cache.get(key)
    if rows is None:
        rows = list(
            statement.signon_requests.values_list(
                "organisation__memberships__national_alliance__name", "answer"
            )
            .annotate(n=Count("id", distinct=True))
            .order_by()
        )
        cache.set(key, rows, TRACKING_CACHE_SECONDS)
    alliances: dict[str, Tally] = {}
    for name, answer, n in rows:
        tally = alliances.setdefault(name or _("no national alliance"), Tally())
        setattr(tally, answer, getattr(tally, answer) + n)
    return Tracking(
        totals=Tally(
            signed=totals[SignOnRequest.Answer.SIGNED],
            declined=totals[SignOnRequest.Answer.DECLINED],
            no_reply=totals[SignOnRequest.Answer.NO_REPLY],
        ),
        by_alliance=sorted(alliances.items()),
    )
