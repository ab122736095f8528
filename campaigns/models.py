"""A multi-year process, from vision to strategy to action: campaigns, the moments on
their timeline, and the convenings (with invitations) that bring members together."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliance.core.accounts.models import validate_time_zone
from members.models import (
    FocusArea,
    NationalAlliance,
    Organisation,
    is_convenor,
    unique_slug,
)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        if is_convenor(user):
            return self.all()
        if user and user.is_authenticated:
            return self.exclude(status=Campaign.Status.PLANNING)
        return self.filter(is_public=True).exclude(status=Campaign.Status.PLANNING)


class Campaign(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", _("planning")
        # A campaign under way: its own word, apart from an alliance's "active".
        ACTIVE = "active", pgettext_lazy("campaign status", "active")
        CONCLUDED = "concluded", _("concluded")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(unique=True)
    vision = models.TextField(_("vision"), blank=True, help_text=_("Markdown."))
    strategy = models.TextField(_("strategy"), blank=True, help_text=_("Markdown."))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNING
    )
    is_public = models.BooleanField(_("public"), default=True)
    focus_areas = models.ManyToManyField(
        FocusArea, related_name="campaigns", blank=True, verbose_name=_("focus areas")
    )
    national_alliances = models.ManyToManyField(
        NationalAlliance,
        related_name="campaigns",
        blank=True,
        verbose_name=_("national alliances involved"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Campaign, self.title, instance=self)
        super().save(*args, **kwargs)


class Moment(models.Model):
    """A date on a campaign's timeline ("World Economic Forum, Davos, January 2016")."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="moments", verbose_name=_("campaign")
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("moment")
        verbose_name_plural = _("moments")
        ordering = ["date"]

    def __str__(self):
        return f"{self.title} ({self.date:%B %Y})"


class ConveningQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Convenors see all; a coordinator sees international convenings and their own
        alliance's; a member representative those their organisation is invited to."""
        if is_convenor(user):
            return self.all()
        if not (user and user.is_authenticated):
            return self.none()
        published = ~Q(status=Convening.Status.DRAFT)
        visible = Q(national_alliance__coordinators=user) | (
            published & Q(invitations__organisation__contacts__user=user)
        )
        if user.coordinated_alliances.exists():
            visible |= published & Q(scope=Convening.Scope.INTERNATIONAL)
        return self.filter(visible).distinct()


class Convening(models.Model):
    class Scope(models.TextChoices):
        INTERNATIONAL = "international", _("international")
        NATIONAL = "national", _("national")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        ONLINE = "online", _("online")
        HYBRID = "hybrid", _("hybrid")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        MOVED = "moved", _("moved")
        CANCELLED = "cancelled", _("cancelled")
        HELD = "held", _("held")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="convenings",
        verbose_name=_("campaign"),
    )
    moment = models.ForeignKey(
        Moment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="convenings",
        verbose_name=_("moment"),
    )
    scope = models.CharField(_("scope"), max_length=15, choices=Scope.choices)
    national_alliance = models.ForeignKey(
        NationalAlliance,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="convenings",
        verbose_name=_("national alliance"),
    )
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.IN_PERSON
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("Where the meeting happens, e.g. Africa/Kampala."),
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_link = models.URLField(
        _("online link"),
        blank=True,
        help_text=_("Shown only to organisations that accepted the invitation."),
    )
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("Markdown."))
    rsvp_deadline = models.DateTimeField(_("RSVP deadline"), null=True, blank=True)
    delegates_per_organisation = models.PositiveSmallIntegerField(
        _("delegates per organisation"), default=2
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Raised on every change that invitees must hear about; the .ics SEQUENCE.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # What the latest change was ({"sequence": n, "kind": "moved", "previous": {...}}),
    # so that the note sent to invitees says what changed.
    last_change = models.JSONField(default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConveningQuerySet.as_manager()

    class Meta:
        verbose_name = _("convening")
        verbose_name_plural = _("convenings")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="convening_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(scope="international", national_alliance__isnull=True)
                | Q(scope="national", national_alliance__isnull=False),
                name="convening_national_has_alliance",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Convening, self.title, instance=self)
        super().save(*args, **kwargs)

    @property
    def ics_uid(self) -> str:
        return f"convening-{self.pk}@alliance-hub"


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if is_convenor(user):
            return self.all()
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(
            Q(convening__national_alliance__coordinators=user)
            | Q(organisation__contacts__user=user)
        ).distinct()


class Invitation(models.Model):
    class Answer(models.TextChoices):
        NO_REPLY = "no_reply", _("no reply")
        YES = "yes", _("yes")
        NO = "no", _("no")
        MAYBE = "maybe", _("maybe")

    convening = models.ForeignKey(
        Convening, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("convening")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    contacts = models.ManyToManyField(
        "members.Contact",
        related_name="invitations",
        blank=True,
        verbose_name=_("contacts invited"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default=Answer.NO_REPLY
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    delegates = models.JSONField(
        _("delegates"),
        default=list,
        blank=True,
        help_text=_("Names of the people who will attend."),
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    # The convening's SEQUENCE this organisation was last emailed about (NULL: not yet).
    # The fan-out brings every invitation up to the convening's sequence, so a lost task
    # is redone by the next run and nobody is told the same thing twice.
    notified_sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["convening", "organisation"], name="invitation_one_per_organisation"
            ),
        ]
        indexes = [models.Index(fields=["convening", "answer"])]

    def __str__(self):
        return f"{self.organisation} → {self.convening}"

    def online_link(self) -> str:
        """The convening's online link, for an organisation that accepted a convening held
        online (wholly or in part); empty for everyone else."""
        convening = self.convening
        if self.answer != self.Answer.YES or convening.format == Convening.Format.IN_PERSON:
            return ""
        return convening.online_link
