"""Joint statements: drafted and translated, circulated to organisations for sign-on,
signed once per organisation, and published in every language at once."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import CharField, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.core.permissions import is_convenor
from campaigns.models import Campaign, Moment
from members.models import (
    Contact,
    FocusArea,
    Membership,
    Organisation,
    choice_label,
    unique_slug,
)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def default_reminder_offsets() -> list[int]:
    """Hours before the deadline: 7 days, 2 days, and the morning of the deadline (0:
    sent at 08:00 in the recipient's time zone on the deadline's day)."""
    return [168, 48, 0]


class StatementQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status__in=Statement.PUBLIC_STATUSES)

    def visible_to(self, user):
        """Drafts are seen by convenors; statements open for sign-on by the organisations
        asked to sign and the coordinators of their alliances (by everyone when any
        organisation may sign); published ones by everyone."""
        if is_convenor(user):
            return self.all()
        public = Q(status__in=Statement.PUBLIC_STATUSES)
        # Open to any organisation: the public page carries the form to sign it.
        signable_by_anyone = Q(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)
        if not (user and user.is_authenticated):
            return self.filter(public | signable_by_anyone)
        circulating = Q(status=Statement.Status.OPEN) & (
            Q(signon_requests__organisation__contacts__user=user)
            | Q(signon_requests__organisation__memberships__national_alliance__coordinators=user)
            | Q(audience=Statement.Audience.MEMBERS, pk__in=_member_statement_ids(user))
            | Q(audience=Statement.Audience.ANYONE)
        )
        return self.filter(public | circulating).distinct()


def title_of(statement_path: str = ""):
    """An expression for the title of a statement, in its original language if that text
    exists: the statement itself (`""`) or the one reached through `statement_path`. Lists
    read it in their own query; `Statement.__str__` costs two queries each."""
    prefix = f"{statement_path}__" if statement_path else ""
    texts = StatementText.objects.filter(version__statement=OuterRef(f"{prefix}pk")).order_by(
        "-version__number", "id"
    )
    return Coalesce(
        Subquery(texts.filter(language=OuterRef(f"{prefix}original_language")).values("title")[:1]),
        Subquery(texts.values("title")[:1]),
        f"{prefix}slug",
        output_field=CharField(),
    )


def _member_statement_ids(user):
    """Statements open to members, if `user` speaks for an approved member."""
    from members.models import Membership

    if (
        Contact.objects.filter(
            user=user, organisation__memberships__status=Membership.Status.APPROVED
        ).exists()
        or user.coordinated_alliances.exists()
    ):
        return Statement.objects.filter(audience=Statement.Audience.MEMBERS).values("pk")
    return Statement.objects.none().values("pk")


class Statement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open for sign-on")
        PUBLISHED = "published", _("published")
        CLOSED = "closed", _("closed")

    class Audience(models.TextChoices):
        INVITED = "invited", _("invited organisations only")
        MEMBERS = "members", _("member organisations")
        ANYONE = "anyone", _("any organisation")

    # Read by everyone, with the signatories listed publicly.
    PUBLIC_STATUSES = (Status.PUBLISHED, Status.CLOSED)
    # The settings a convenor edits beside the texts and focus areas: the edit form's
    # fields, each change written to the audit trail (statements.services.drafting).
    SETTINGS = (
        "original_language",
        "campaign",
        "moment",
        "signon_opens_at",
        "signon_closes_at",
        "embargo_until",
        "audience",
        "moderation",
        "reminder_offsets",
        "unconfirmed_count_after_change",
        "coordinators_may_circulate",
    )

    slug = models.SlugField(max_length=100, unique=True)
    original_language = models.CharField(
        _("original language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements",
        verbose_name=_("campaign"),
    )
    moment = models.ForeignKey(
        Moment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements",
        verbose_name=_("moment"),
    )
    focus_areas = models.ManyToManyField(
        FocusArea, related_name="statements", blank=True, verbose_name=_("focus areas")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    signon_opens_at = models.DateTimeField(_("sign-on opens"), null=True, blank=True)
    signon_closes_at = models.DateTimeField(_("sign-on closes (deadline)"), null=True, blank=True)
    embargo_until = models.DateTimeField(
        _("embargo until"),
        null=True,
        blank=True,
        help_text=_("Published in every language at this time."),
    )
    audience = models.CharField(
        _("who may sign"), max_length=10, choices=Audience.choices, default=Audience.INVITED
    )
    moderation = models.BooleanField(_("signatures need moderation"), default=False)
    coordinators_may_circulate = models.BooleanField(
        _("national coordinators may circulate it to their alliance's organisations"),
        default=False,
        help_text=_("Once it is open for sign-on."),
    )
    reminder_offsets = models.JSONField(
        _("reminders (hours before the deadline)"), default=default_reminder_offsets, blank=True
    )
    # Whether signers who have not confirmed a changed text still count after the deadline.
    unconfirmed_count_after_change = models.BooleanField(
        _("unconfirmed signatures stay counted after a change of text"), default=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Confirmed signatures, recounted every few seconds by statements.counting: signing
    # never updates this row, so a burst of signatures does not queue on one hot row.
    # None until the first recount.
    counted_signatures = models.PositiveIntegerField(null=True, blank=True, editable=False)
    counted_unlisted = models.PositiveIntegerField(null=True, blank=True, editable=False)
    counted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signon_opens_at__isnull=True)
                | Q(signon_closes_at__isnull=True)
                | Q(signon_closes_at__gt=F("signon_opens_at")),
                name="statement_closes_after_opening",
            ),
        ]

    def __str__(self):
        text = self.current_text()
        return text.title if text else self.slug

    @property
    def seen_by_anyone(self) -> bool:
        """Whether an anonymous visitor (and so any partner key) may see it: the one-row
        form of StatementQuerySet.visible_to for nobody."""
        return self.status in self.PUBLIC_STATUSES or (
            self.status == self.Status.OPEN and self.audience == self.Audience.ANYONE
        )

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Statement, f"statement-{secrets.token_hex(3)}", instance=self)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("statements:detail", kwargs={"slug": self.slug})

    def audience_includes(self, organisation_id: int) -> bool:
        """Whether the organisation may sign, by the statement's audience: anyone, those
        asked, or (for a members' statement) any approved member. The web and the partner
        API both ask this."""
        if self.audience == Statement.Audience.ANYONE:
            return True
        if self.signon_requests.filter(organisation_id=organisation_id).exists():
            return True
        return (
            self.audience == Statement.Audience.MEMBERS
            and Membership.objects.live().filter(organisation_id=organisation_id).exists()
        )

    def current_version(self):
        return self.versions.order_by("-number").first()

    def current_text(self, language: str | None = None):
        version = self.current_version()
        if version is None:
            return None
        return version.text_in(language or self.original_language)


def in_language(by_language: dict, language: str, original_language: str):
    """What a version has in `language`, else in the statement's original language, else
    in its first language (None when it has none): the one rule for which text a reader
    is shown."""
    return (
        by_language.get(language)
        or by_language.get(original_language)
        or next(iter(by_language.values()), None)
    )


class StatementVersion(models.Model):
    """A frozen set of texts, one per language. A signature records the version it
    signed; changing the text after signatures exist makes a new version."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("statement version")
        verbose_name_plural = _("statement versions")
        ordering = ["statement", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "number"], name="statement_version_number_unique"
            ),
        ]

    def __str__(self):
        return f"{self.statement_id} v{self.number}"

    def text_in(self, language: str):
        texts = {text.language: text for text in self.texts.all()}
        return in_language(texts, language, self.statement.original_language)


class StatementText(models.Model):
    version = models.ForeignKey(StatementVersion, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("text"), help_text=_("Markdown."))

    class Meta:
        verbose_name = _("statement text")
        verbose_name_plural = _("statement texts")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "language"], name="statement_text_one_per_language"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.language})"


class SignOnRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        if is_convenor(user):
            return self.all()
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(
            Q(organisation__contacts__user=user)
            | Q(organisation__memberships__national_alliance__coordinators=user)
        ).distinct()


class SignOnRequest(models.Model):
    """This organisation was asked to sign; its answer."""

    class Answer(models.TextChoices):
        NO_REPLY = "no_reply", _("no reply")
        SIGNED = "signed", _("signed")
        DECLINED = "declined", _("declined")

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="signon_requests"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="signon_requests"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default=Answer.NO_REPLY
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    requested_at = models.DateTimeField(_("asked"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SignOnRequestQuerySet.as_manager()

    def get_answer_display(self) -> str:
        # A quarter of the tracking board's time went to Django's own, one call per row.
        return choice_label(self.Answer, self.answer)

    class Meta:
        verbose_name = _("sign-on request")
        verbose_name_plural = _("sign-on requests")
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "organisation"], name="signon_request_one_per_organisation"
            ),
        ]
        indexes = [models.Index(fields=["statement", "answer"])]

    def __str__(self):
        return f"{self.organisation} asked to sign {self.statement_id}"


class SignatureQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=Signature.LIVE_STATUSES)

    def counted(self):
        return self.filter(status=Signature.Status.CONFIRMED)

    def visible_to(self, user):
        """Anonymous visitors see confirmed, publicly listed signatures of published
        statements; never the names of those counted only."""
        if is_convenor(user):
            return self.all()
        public = Q(
            status=Signature.Status.CONFIRMED,
            listed_publicly=True,
            statement__status__in=Statement.PUBLIC_STATUSES,
        )
        if not (user and user.is_authenticated):
            return self.filter(public)
        return self.filter(public | Q(organisation__contacts__user=user)).distinct()

    def claims_decidable_by(self, user):
        """Claims (signatures waiting for approval as their organisation's) that `user`
        may approve or reject: every one for a convenor; a coordinator's, those of the
        organisations of their own alliances."""
        claims = self.filter(status=Signature.Status.PENDING_APPROVAL)
        if is_convenor(user):
            return claims
        if not (user and user.is_authenticated):
            return claims.none()
        return claims.filter(
            organisation__memberships__national_alliance__coordinators=user
        ).distinct()

    def visible_to_key(self, api_key):
        """A partner key reads what the public sees, whatever else it holds, and its own
        organisation's confirmed signatures; every confirmed signature, those counted
        without the name too, only when it acts for a convenor with the scope made for
        it (ApiKey.sees_unlisted)."""
        confirmed = self.filter(status=Signature.Status.CONFIRMED)
        if api_key.sees_unlisted:
            return confirmed
        public = self.visible_to(None)
        if api_key.organisation_id is None:
            return public
        return public | confirmed.filter(organisation=api_key.organisation_id)


class Signature(models.Model):
    class Status(models.TextChoices):
        PENDING_VERIFICATION = "pending_verification", _("waiting for email confirmation")
        PENDING_MODERATION = "pending_moderation", _("waiting for moderation")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")
        # A public signature whose address was not confirmed in time: it no longer holds
        # the organisation's place (see expire_unconfirmed_signatures).
        EXPIRED = "expired", _("expired unconfirmed")
        # Confirmed by someone not known as one of the organisation's people: it counts
        # nowhere and names nobody until a convenor or the organisation's coordinator
        # approves it (statements.services.approve_claim).
        PENDING_APPROVAL = "pending_approval", _("waiting for approval as the organisation's")
        # Not needed: the organisation's own signature came first.
        SUPERSEDED = "superseded", _("not needed: the organisation had signed")

    class Source(models.TextChoices):
        WEB = "web", _("public web form")
        MEMBER = "member", _("member (email link or logged in)")
        PARTNER = "partner", _("partner API")
        # Received by phone, email, letter or at a meeting, and recorded by a convenor or
        # coordinator (statements.offline); its OfflineReceipt says how.
        OFFLINE = "offline", _("received offline")

    # The statuses that hold the organisation's place (one per statement). A signature
    # whose address is not confirmed yet, or whose signer is not known as one of the
    # organisation's people, holds nothing: the organisation's own people can always sign.
    LIVE_STATUSES = [Status.PENDING_MODERATION, Status.CONFIRMED]

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="signatures")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="signatures"
    )
    version = models.ForeignKey(
        StatementVersion,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("version signed"),
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="signatures"
    )
    signatory_name = models.CharField(_("signatory"), max_length=200)
    signatory_title = models.CharField(_("title"), max_length=200, blank=True)
    email = models.EmailField(_("email"))
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=25, choices=Status.choices, default=Status.PENDING_VERIFICATION
    )
    listed_publicly = models.BooleanField(
        _("listed publicly"),
        default=True,
        help_text=_("Off: the signature counts in the total, but the name is not shown."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.WEB
    )
    suspicious = models.BooleanField(_("suspicious"), default=False)
    # Submitted (from the public form or by a partner) by someone not known as one of the
    # organisation's people: once the address is confirmed it waits for approval.
    needs_approval = models.BooleanField(_("needs approval"), default=False)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    confirmation_emails_sent = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("signed"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SignatureQuerySet.as_manager()

    def get_status_display(self) -> str:
        # One per row of the tracking board, as SignOnRequest.get_answer_display.
        return choice_label(self.Status, self.status)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-created_at"]
        constraints = [
            # At most one live signature per organisation per statement, whatever the
            # concurrency: the database refuses the second.
            models.UniqueConstraint(
                fields=["statement", "organisation"],
                name="signature_one_live_per_organisation",
                condition=Q(status__in=["pending_moderation", "confirmed"]),
            ),
        ]
        indexes = [
            models.Index(fields=["statement", "status"]),
            # The public page's signatories (their groups' counts and a page of names)
            # read from the index alone, not from every signature row of the statement.
            models.Index(
                fields=["statement", "organisation"],
                name="signature_listed_idx",
                condition=Q(status="confirmed", listed_publicly=True),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} signed {self.statement_id}"

    @classmethod
    def erase_personal_data_of(cls, contact, *, placeholder: str) -> None:
        """Called when a contact is erased: their signatures stay counted, but no longer
        say who signed, and are no longer listed by name."""
        cls.objects.filter(contact=contact).update(
            signatory_name=placeholder, signatory_title="", email="", listed_publicly=False
        )


class PublicSubmission(models.Model):
    """A public signature as it was submitted: the truth the form's one INSERT writes.

    The request of a public signature only validates the form and inserts this row;
    everything else (counting it against the rate limits, finding or creating the
    organisation, the signature, the audit entry, the confirmation or "already signed"
    email) is done by `statements.services.process_public_submissions`, in a Celery task
    woken after commit and swept by beat. So a burst of signatures costs one small insert
    per request, and a broker that is down when someone signs loses nothing: the row
    waits here.

    The organisation is kept as typed (name, country, kind), not as a foreign key: which
    organisation it is gets decided by the processor, under a lock on its name.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        PROCESSED = "processed", _("processed")
        FAILED = "failed", _("failed")

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="public_submissions"
    )
    organisation_name = models.CharField(_("organisation"), max_length=300)
    country = models.CharField(_("country"), max_length=2)
    kind = models.CharField(_("kind of organisation"), max_length=20)
    signatory_name = models.CharField(_("signatory"), max_length=200)
    signatory_title = models.CharField(_("title"), max_length=200, blank=True)
    email = models.EmailField(_("email"))
    listed_publicly = models.BooleanField(_("listed publicly"), default=True)
    # The language of the page it was sent from: the emails it causes are written in it.
    language = models.CharField(_("language"), max_length=8, default="en")
    # Why a moderator should look at the signature ("" when nothing looked wrong): a
    # filled field for bots (known in the request), limits passed (known once counted).
    suspicion = models.CharField(_("suspicion"), max_length=300, blank=True)
    # What the limit per address counts, until it has: a keyed digest of the address
    # (services.address_digest), never the address; "" once counted.
    ip_digest = models.CharField(max_length=32, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    # The live signature it became or found (None while received, or when it failed).
    signature = models.ForeignKey(
        Signature, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("public signature submission")
        verbose_name_plural = _("public signature submissions")
        indexes = [
            # The processor's queue: small, whatever the size of the table.
            models.Index(
                fields=["id"],
                condition=Q(status="received"),
                name="public_submission_received",
            ),
        ]

    def __str__(self):
        return f"{self.organisation_name} ({self.country}) for {self.statement_id}"


class HandoverDocument(models.Model):
    """A built hand-over PDF (statements.handover), kept so that the same statement in
    the same state, asked for with the same options, is built once: `state` digests
    everything the document shows."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be built")
        BUILDING = "building", _("being built")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="handover_documents"
    )
    state = models.CharField(max_length=64)
    # The options it was built with: a text language ("all" for every text), a grouping
    # of the signatories, a paper size, the reader's language.
    text_language = models.CharField(max_length=8)
    grouping = models.CharField(max_length=10)
    paper = models.CharField(max_length=10)
    reader_language = models.CharField(max_length=8)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # per cent
    content = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hand-over document")
        verbose_name_plural = _("hand-over documents")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "statement",
                    "state",
                    "text_language",
                    "grouping",
                    "paper",
                    "reader_language",
                ],
                name="handover_document_one_per_state_and_options",
            ),
        ]

    def __str__(self):
        return f"{self.statement_id} {self.text_language} {self.grouping} {self.paper}"


def offline_scan_path(receipt: "OfflineReceipt", filename: str) -> str:
    """Scans are named by a random token, never by what the uploader called them: the
    file name of a signed page often names the organisation."""
    extension = filename.rpartition(".")[2].lower()
    return f"offline-scans/{receipt.signature.statement_id}/{secrets.token_hex(16)}.{extension}"


class OfflineReceipt(models.Model):
    """How a signature received offline came in, and who recorded it (statements.offline).

    The scan of the signed page is kept under MEDIA_ROOT, which nothing serves: it is read
    only through statements.offline_views.scan, which asks the same rule as recording."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone")
        EMAIL = "email", _("email")
        LETTER = "letter", _("letter")
        MEETING = "meeting", _("at a meeting")

    signature = models.OneToOneField(
        Signature, on_delete=models.CASCADE, related_name="offline_receipt"
    )
    channel = models.CharField(_("received by"), max_length=10, choices=Channel.choices)
    note = models.TextField(_("note"), blank=True)
    scan = models.FileField(_("scan of the signed page"), upload_to=offline_scan_path, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("signature received offline")
        verbose_name_plural = _("signatures received offline")

    def __str__(self):
        return f"{self.signature} ({self.channel})"


class TrackingVersion(models.Model):
    """A number that moves with every write to a statement's signatures or sign-on
    requests, so that the tracking page knows from one indexed row whether what it kept
    still holds (statements.tracking_board).

    On PostgreSQL it is kept by statement-level triggers (migration 0010), which catch
    every writer, raw SQL and queryset update() included; elsewhere nothing keeps it and
    the page computes what it shows. It is a table of its own, not a column of the
    statement, so that signing never waits behind a lock on the statement's row."""

    statement = models.OneToOneField(
        Statement, on_delete=models.CASCADE, primary_key=True, related_name="tracking_version"
    )
    version = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.statement_id} at {self.version}"
