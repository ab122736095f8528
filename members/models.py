"""Who the alliance is: organisations, the people who speak for them, national alliances,
the principles members endorse, and memberships.

Each model's QuerySet has `visible_to(user)`: the one place that says which rows a
person may see, used by pages and the API alike.
"""

import functools
import operator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.db import connections, models, transaction
from django.db.models import Exists, Func, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from alliance.core.permissions import is_convenor
from members.classification import REGION_NAMES, classify

# Path segments that sit beside /<slug>/ in the URLs: a slug must never shadow them.
RESERVED_SLUGS = {"new", "edit", "convenings", "rsvp", "directory", "join", "s", "o"}


def slug_base(text: str, *, max_length: int = 80) -> str:
    """The slug `unique_slug` gives `text` when no other row has it and it is not reserved."""
    return slugify(text)[:max_length].strip("-") or "item"


def unique_slug(model, text: str, *, max_length: int = 80, instance=None) -> str:
    """A slug for `text` that no other row of `model` uses yet, nor a reserved path."""
    base = slug_base(text, max_length=max_length)
    slug, n = base, 2
    others = model._default_manager.all()
    if instance is not None and instance.pk:
        others = others.exclude(pk=instance.pk)
    while slug in RESERVED_SLUGS or others.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug


# The focus areas and national alliances the directory's filters list, kept in Django's
# cache (members.directory.filter_lists) and forgotten whenever one of them is saved or
# deleted; a change made around save() (a bulk update) shows once they expire.
FILTER_LISTS_KEY = "members:filter-lists"
FILTER_LISTS_SECONDS = 300


def forget_filter_lists() -> None:
    # Again after the commit: a page read between this and the commit kept the old lists.
    cache.delete(FILTER_LISTS_KEY)
    transaction.on_commit(lambda: cache.delete(FILTER_LISTS_KEY))


class ListedInDirectoryFilters(models.Model):
    """A model whose rows the directory's filter form lists: saving or deleting one
    forgets the kept lists."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_filter_lists()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        forget_filter_lists()
        return deleted


def focus_area_name(name: str, translations: dict, language: str) -> str:
    return translations.get(language) or name


class FocusArea(ListedInDirectoryFilters):
    """A theme that tags organisations, campaigns and statements (gender, tax justice, ...)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    # Names in other languages, {"fr": "Justice fiscale", ...}; English is `name`.
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["name"]

    def __str__(self):
        # Every form, filter and page names it through str(): in the reader's language.
        return self.name_in(get_language() or settings.LANGUAGE_CODE)

    def name_in(self, language: str) -> str:
        return focus_area_name(self.name, self.translations, language)


class NationalAllianceQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Which national alliances exist, and who coordinates them, is public.
        return self.all()

    def coordinated_by(self, user):
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(coordinators=user)


class NationalAlliance(ListedInDirectoryFilters):
    class Status(models.TextChoices):
        FORMING = "forming", _("forming")
        ACTIVE = "active", _("active")
        DORMANT = "dormant", _("dormant")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True)
    country = CountryField(_("country"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.FORMING
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        related_name="coordinated_alliances",
        blank=True,
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NationalAllianceQuerySet.as_manager()

    class Meta:
        verbose_name = _("national alliance")
        verbose_name_plural = _("national alliances")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(NationalAlliance, self.name, instance=self)
        super().save(*args, **kwargs)


def choice_label(choices: type[models.Choices], value: str) -> str:
    """The label of `value` among `choices` (the value itself when unknown), for the
    get_FOO_display of fields shown on every row of a long list: Django's own hashes every
    lazily translated label of the field's choices on each call."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class SearchText(Func):
    """An organisation's name, short name and city in one string, folded for search:
    lower case and, on Postgres, without accents, so that "Sao Paulo" finds "São Paulo".

    On Postgres this is the immutable SQL function `members_search_text` created by
    migration 0004; `Organisation.search_text` stores it, and the trigram index is built
    on that column. Elsewhere (SQLite for `make run`) it is plain LOWER, which folds
    ASCII only.
    """

    output_field = models.TextField()

    def __init__(self, **extra):
        super().__init__("name", "short_name", "city", **extra)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="LOWER(%(expressions)s)",
            arg_joiner=" || ' ' || ",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="public.members_search_text", **extra)


class Folded(Func):
    """A search term folded the way SearchText folds the text it is compared with."""

    function = "LOWER"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="public.members_fold", **extra)


# Addresses anyone can get: never an organisation's verified domain.
PUBLIC_EMAIL_DOMAINS = frozenset(
    [
        "aol.com",
        "gmail.com",
        "googlemail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "hotmail.com",
        "hotmail.fr",
        "icloud.com",
        "live.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "outlook.com",
        "outlook.fr",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "rediffmail.com",
        "tutanota.com",
        "yahoo.co.in",
        "yahoo.co.uk",
        "yahoo.com",
        "yahoo.fr",
        "yandex.com",
        "yandex.ru",
        "zoho.com",
    ]
)


def validate_organisation_domain(value: str) -> None:
    """A domain the organisation alone gives addresses at (example.org), not a public
    email service's: anyone with an address there is taken as one of its people."""
    domain = value.strip().lower()
    DomainNameValidator(accept_idna=True, message=_("Enter a domain such as example.org."))(domain)
    if "." not in domain:
        raise ValidationError(_("Enter a domain such as example.org."))
    if domain in PUBLIC_EMAIL_DOMAINS:
        raise ValidationError(
            _("%(domain)s is a public email service: anyone can have an address there."),
            params={"domain": domain},
        )


# The national alliances a person coordinates, and their own organisations with whether
# each is an approved member.
Reach = tuple[list[int], dict[int, bool]]


@dataclass(frozen=True)
class CoordinatedAlliance:
    id: int
    slug: str
    name: str


# What read_reach found, kept on the user object: a request's user is loaded for it alone
# (alliance.auth_backends), and its navigation and its page may both ask.
REACH_WHEN_READ = "reach_when_read"


def read_reach(user) -> tuple[list[CoordinatedAlliance], dict[int, bool]]:
    """The national alliances `user` (signed in) coordinates, by name, and their own
    organisations with whether each is an approved member, in one query (a person has at
    most one contact), the first time they are asked of this user object."""
    kept = getattr(user, REACH_WHEN_READ, None)
    if kept is not None:
        return kept
    # Joins rather than an EXISTS for the membership, which cost twice as much to build
    # as the query takes to run: the rows repeat only per alliance coordinated and
    # membership of the person's own organisation, a handful.
    rows = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list(
            "coordinated_alliances",
            "coordinated_alliances__slug",
            "coordinated_alliances__name",
            "contact__organisation",
            "contact__organisation__memberships__status",
        )
    )
    coordinated, own = {}, {}
    for alliance, slug, name, organisation, status in rows:
        if alliance is not None:
            coordinated[alliance] = CoordinatedAlliance(alliance, slug, name)
        if organisation is not None:
            approved = status == Membership.Status.APPROVED
            own[organisation] = own.get(organisation, False) or approved
    kept = (sorted(coordinated.values(), key=lambda alliance: alliance.name), own)
    setattr(user, REACH_WHEN_READ, kept)
    return kept


def reach(user) -> Reach:
    """The ids of the national alliances `user` (signed in) coordinates, and their own
    organisations with whether each is an approved member (read_reach): what visible_to
    needs beyond the role. A page that asks several visible_to questions passes it as
    `reached`."""
    coordinated, own = read_reach(user)
    return sorted(alliance.id for alliance in coordinated), dict(own)


def coordinated_alliances(user) -> list[CoordinatedAlliance]:
    """The national alliances `user` (signed in) coordinates, by name (read_reach)."""
    return list(read_reach(user)[0])


class OrganisationQuerySet(models.QuerySet):
    def search(self, text: str):
        """Organisations whose name, short name or city contains `text`, whatever the
        case and (on Postgres) the accents. Served by a trigram index on Postgres."""
        text = text.strip()
        if not text:
            return self
        if connections[self.db].vendor != "postgresql":
            return self.filter(
                Q(name__icontains=text) | Q(short_name__icontains=text) | Q(city__icontains=text)
            )
        return self.filter(search_text__contains=Folded(Value(text)))

    def visible_to(self, user, *, reached: Reach | None = None):
        """Public profiles of members for everyone; everything for convenors; for a
        coordinator also the applicants and former members of their own alliances; for a
        member representative also their own organisation. `reached` is reach(user) when
        the caller has read it already.

        Written with EXISTS rather than joins: a join repeats an organisation once per
        membership or contact and needs DISTINCT, which on 100,000 rows keeps Postgres
        from reading the directory's page in index order."""
        if is_convenor(user):
            return self.all()
        approved = Q(status=Membership.Status.APPROVED)
        if not (user and user.is_authenticated):
            return self.filter(
                Q(listed_publicly=True)
                & Exists(Membership.objects.filter(approved, organisation=OuterRef("pk")))
            )
        # A small look-up first, so that what remains is one EXISTS Postgres can run as a
        # semi-join while it walks the directory's index (an OR of several EXISTS makes
        # it hash every approved membership on each page instead).
        coordinated, own = reach(user) if reached is None else reached
        memberships = Membership.objects.filter(organisation=OuterRef("pk"))
        if any(own.values()) or coordinated:
            # Any member of the alliance may see the other members, listed publicly or
            # not; coordinators also the applicants and former members of their alliances.
            visible = Exists(memberships.filter(approved | Q(national_alliance__in=coordinated)))
        else:
            visible = Q(listed_publicly=True) & Exists(memberships.filter(approved))
        if own:
            visible = visible | Q(pk__in=list(own))
        return self.filter(visible)

    def managed_by(self, user):
        """Organisations whose profile and contacts `user` may change."""
        if is_convenor(user):
            return self.all()
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(
            Q(contacts__user=user) | Q(memberships__national_alliance__coordinators=user)
        ).distinct()


class Organisation(models.Model):
    class Kind(models.TextChoices):
        GRASSROOTS = "grassroots", _("grassroots group")
        SOCIAL_MOVEMENT = "movement", _("social movement")
        TRADE_UNION = "union", _("trade union")
        WOMENS_RIGHTS = "womens_rights", _("women's rights organisation")
        FAITH_BASED = "faith", _("faith-based organisation")
        ENVIRONMENTAL = "environmental", _("environmental organisation")
        HUMAN_RIGHTS = "human_rights", _("human rights organisation")
        NATIONAL_NGO = "national_ngo", _("national NGO")
        INTERNATIONAL_NGO = "international_ngo", _("international NGO")
        NETWORK = "network", _("network")
        RESEARCH = "research", _("research institute")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120, blank=True)
    # Derived from `country` through members.classification on save; stored to filter on.
    region = models.CharField(_("region"), max_length=20, blank=True, editable=False)
    subregion = models.CharField(_("sub-region"), max_length=40, blank=True, editable=False)
    global_south = models.BooleanField(_("global south"), default=False, editable=False)
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas"), related_name="organisations", blank=True
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    # ISO 639-1 codes of the languages the organisation works in.
    languages = models.JSONField(_("languages"), default=list, blank=True)
    listed_publicly = models.BooleanField(
        _("listed publicly"),
        default=True,
        help_text=_("Off for organisations at risk: the profile is shown to members only."),
    )
    verified_domain = models.CharField(
        _("verified email domain"),
        max_length=253,
        blank=True,
        validators=[validate_organisation_domain],
        help_text=_(
            "Set by a convenor once checked (e.g. example.org): anyone with an address at "
            "this domain is taken as one of the organisation's people when signing."
        ),
    )
    internal_notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Seen by coordinators and convenors only.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The folded text the directory searches, stored so that checking a match reads a
    # column instead of folding the accents of every candidate row again (the trigram
    # index on it, made by migration 0013 on Postgres, only narrows the candidates).
    search_text = models.GeneratedField(
        expression=SearchText(), output_field=models.TextField(), db_persist=True
    )

    objects = OrganisationQuerySet.as_manager()

    def get_kind_display(self) -> str:
        # A quarter of the directory's time went to Django's own, one call per row.
        return choice_label(self.Kind, self.kind)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        indexes = [
            # (country, name) is served by organisation_country_name_idx below.
            models.Index(fields=["kind", "name"]),
            models.Index(fields=["region", "name"]),
            models.Index(fields=["global_south", "name"]),
            models.Index(Lower("name"), name="organisation_name_lower_idx"),
            # The directory's keyset pagination walks these in order (name; newest).
            models.Index(fields=["name", "id"], name="organisation_name_id_idx"),
            models.Index(fields=["-created_at", "-id"], name="organisation_newest_idx"),
            models.Index(fields=["country", "name", "id"], name="organisation_country_name_idx"),
            # The partner API's ?ordering=-updated_at (a CRM syncing what changed) and
            # ?updated_since=, walked in either direction.
            models.Index(fields=["updated_at", "id"], name="organisation_updated_id_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def region_name(self) -> str:
        return str(REGION_NAMES.get(self.region, ""))

    def classify(self) -> None:
        classification = classify(self.country.code if self.country else "")
        self.region = classification.region
        self.subregion = classification.subregion
        self.global_south = classification.global_south

    def save(self, *args, **kwargs):
        self.classify()
        if not self.slug:
            self.slug = unique_slug(Organisation, self.short_name or self.name, instance=self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "country" in update_fields:
            kwargs["update_fields"] = {*update_fields, "region", "subregion", "global_south"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("members:organisation", kwargs={"slug": self.slug})


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Contacts are personal data: convenors, the coordinators of an alliance the
        organisation belongs to (or applied to), and the organisation's own people."""
        if is_convenor(user):
            return self.all()
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(
            Q(organisation__contacts__user=user)
            | Q(organisation__memberships__national_alliance__coordinators=user)
        ).distinct()

    def authorised_to_sign(self):
        return self.filter(authorised_to_sign=True, erased_at__isnull=True)


class Contact(models.Model):
    """A person of an organisation. Personal data: consent is recorded, and a convenor
    can export or erase it (the row stays, emptied, so that counts stay true)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    authorised_to_sign = models.BooleanField(
        _("authorised to sign"),
        default=False,
        help_text=_("May sign joint statements on behalf of the organisation."),
    )
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    consent_given_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_text = models.TextField(
        _("consent record"),
        blank=True,
        help_text=_("What the person agreed to, and how (form, email, meeting)."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                name="contact_email_unique_per_organisation",
                condition=~Q(email=""),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation})"


class PrinciplesQuerySet(models.QuerySet):
    def latest_version(self) -> int | None:
        """The newest version published so far."""
        return (
            self.filter(published_at__isnull=False, published_at__lte=timezone.now())
            .aggregate(latest=models.Max("version"))
            .get("latest")
        )

    def in_language(self, version: int, language: str):
        """Version `version` in `language` if it was published in it, else in English."""
        texts = {p.language: p for p in self.filter(version=version)}
        return texts.get(language) or texts.get("en") or next(iter(texts.values()), None)

    def current(self, language: str = "en"):
        """The newest published version, in `language` if it exists, else in English."""
        latest = self.latest_version()
        return None if latest is None else self.in_language(latest, language)


class Principles(models.Model):
    """The shared principles members endorse to join, versioned, one row per language."""

    version = models.PositiveIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), help_text=_("Markdown."))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PrinciplesQuerySet.as_manager()

    class Meta:
        verbose_name = _("principles")
        verbose_name_plural = _("principles")
        ordering = ["-version", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "language"], name="principles_one_text_per_language"
            ),
        ]

    def __str__(self):
        return f"{self.title} v{self.version} ({self.language})"


def applicant_confirmed(prefix: str = "") -> Q:
    """The applicant confirmed their address, so reviewers may decide (the query form of
    `Membership.applicant_confirmed`); `prefix` reaches memberships from another model."""
    return Q(**{f"{prefix}pending_applicant__email_verified_at__isnull": False}) | Q(
        **{
            f"{prefix}pending_applicant__isnull": True,
            f"{prefix}endorsed_by__email_verified_at__isnull": False,
        }
    )


def _reached(reached: Reach) -> list[Q]:
    """The memberships a person reaches beyond the public ones, as conditions: those of the
    alliances they coordinate and those of their own organisations."""
    coordinated, own = reached
    return [
        *([Q(national_alliance__in=coordinated)] if coordinated else []),
        *([Q(organisation__in=list(own))] if own else []),
    ]


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user, *, reached: Reach | None = None):
        """`reached` is reach(user) when the caller has read it already: the alliances
        and organisations are then named in the query instead of looked up in it."""
        if is_convenor(user):
            return self.all()
        approved_public = Q(status=Membership.Status.APPROVED, organisation__listed_publicly=True)
        if not (user and user.is_authenticated):
            return self.filter(approved_public)
        if reached is not None:
            return self.filter(
                functools.reduce(operator.or_, [approved_public, *_reached(reached)])
            )
        # Subqueries rather than joins through coordinators and contacts, which repeat
        # rows and need DISTINCT (slow as an EXISTS in the directory's filters).
        return self.filter(
            approved_public
            | Q(national_alliance__in=user.coordinated_alliances.values("pk"))
            | Q(organisation__in=Contact.objects.filter(user=user).values("organisation_id"))
        )

    def live(self):
        return self.filter(status=Membership.Status.APPROVED)

    def visible_to_in_status(self, user, status: str, *, reached: Reach | None = None):
        """`visible_to(user).filter(status=status)`, written so that Postgres plans it
        well. Only approved memberships are ever public, so for any other status the
        public branch of visible_to cannot match; left in, its OR hides from the planner
        how few rows can (the directory's "applied" filter walked 40,000 organisations
        for a coordinator instead of reading their alliance's 200 applications)."""
        if is_convenor(user) or status == Membership.Status.APPROVED:
            # Not `reached`: in the directory's EXISTS, visible_to's subqueries plan
            # better than the alliances named (a coordinator's search by "approved"
            # read twelve times the buffers).
            return self.visible_to(user).filter(status=status)
        if not (user and user.is_authenticated):
            return self.none()
        reachable = _reached(reach(user) if reached is None else reached)
        if not reachable:
            return self.none()
        return self.filter(functools.reduce(operator.or_, reachable), status=status)


class Membership(models.Model):
    """An organisation in a national alliance, or in the international alliance
    (`national_alliance` empty, for countries where no national alliance exists yet)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")
        SUSPENDED = "suspended", _("suspended")
        LEFT = "left", _("left")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    national_alliance = models.ForeignKey(
        NationalAlliance,
        verbose_name=_("national alliance"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text=_("Empty: the international alliance."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    principles = models.ForeignKey(
        Principles,
        verbose_name=_("principles endorsed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    endorsed_by = models.ForeignKey(
        Contact,
        verbose_name=_("endorsed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    # First approval: the dashboard's month-by-month growth counts from here.
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)

    # Which decisions may follow which state.
    TRANSITIONS = {
        Status.APPLIED: {Status.APPROVED, Status.DECLINED},
        Status.APPROVED: {Status.SUSPENDED, Status.LEFT},
        Status.SUSPENDED: {Status.APPROVED, Status.LEFT},
        Status.DECLINED: set(),
        Status.LEFT: set(),
    }

    # Decisions against the organisation: it is told why.
    NEEDS_REASON = {Status.DECLINED, Status.SUSPENDED, Status.LEFT}

    objects = MembershipQuerySet.as_manager()

    def get_status_display(self) -> str:
        # One per row of the directory, as Organisation.get_kind_display.
        return choice_label(self.Status, self.status)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-applied_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "national_alliance"],
                name="membership_one_per_national_alliance",
                condition=Q(national_alliance__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                name="membership_one_international",
                condition=Q(national_alliance__isnull=True),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "national_alliance"]),
            # The partner API's memberships list, newest application first.
            models.Index(fields=["applied_at", "id"], name="membership_applied_id_idx"),
            # The dashboard's key of the memberships (members.dashboard): the latest
            # decision and the latest joining, read from an index end.
            models.Index(fields=["decided_at"], name="membership_decided_idx"),
            models.Index(fields=["joined_at"], name="membership_joined_idx"),
        ]

    def __str__(self):
        return f"{self.organisation} in {self.alliance_name}"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def alliance_name(self) -> str:
        if self.national_alliance:
            return str(self.national_alliance)
        return _("the international alliance")

    @property
    def applicant(self):
        """Who applied: the pending applicant while the application waits for a reviewer to
        admit them, else the contact who endorsed the principles."""
        return getattr(self, "pending_applicant", None) or self.endorsed_by

    @property
    def applicant_confirmed(self) -> bool:
        """Whether the applicant has confirmed their address, so reviewers may decide."""
        applicant = self.applicant
        return bool(applicant and applicant.email_verified_at)


class PendingApplicant(models.Model):
    """Someone who applied in the name of an organisation already recorded. They are not
    one of its contacts (who receive its invitations and sign for it) until their address
    proves to be a contact's, or a convenor or the alliance's coordinator approves the
    application."""

    membership = models.OneToOneField(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        related_name="pending_applicant",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=200, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied"), default=timezone.now)

    class Meta:
        verbose_name = _("pending applicant")
        verbose_name_plural = _("pending applicants")

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def organisation(self):
        return self.membership.organisation


class OrganisationImport(models.Model):
    """A CSV of organisations and contacts a convenor uploaded (members.imports).

    The file is kept (it is small: the upload is capped) so that the real run applies
    exactly what the dry run checked; `report` is the dry run's verdict per line, and
    after the run, what was done.
    """

    class Status(models.TextChoices):
        CHECKED = "checked", _("dry run done")
        # Queued and running alike: the run changes the status only when it commits.
        QUEUED = "queued", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    file_name = models.CharField(_("file"), max_length=255)
    content = models.TextField(_("content"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CHECKED
    )
    valid_rows_only = models.BooleanField(_("import the valid rows only"), default=False)
    report = models.JSONField(_("report"), default=dict, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows imported"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    error = models.TextField(_("error"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation import")
        verbose_name_plural = _("organisation imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class CompositionTarget(models.Model):
    """A share of the members that convenors aim for (e.g. 60% from the global south),
    for the whole alliance (`national_alliance` empty) or for one national alliance.
    The dashboard shows it against the actual figure."""

    class Measure(models.TextChoices):
        GLOBAL_SOUTH = "global_south", _("members from the global south")
        WOMENS_RIGHTS = "womens_rights", _("women's rights organisations")

    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    national_alliance = models.ForeignKey(
        NationalAlliance,
        verbose_name=_("national alliance"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="composition_targets",
        help_text=_("Empty: the whole alliance."),
    )
    # At most 100: the check constraint below, which ModelForms validate too.
    percent = models.PositiveSmallIntegerField(_("target (%)"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("composition target")
        verbose_name_plural = _("composition targets")
        ordering = ["measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "national_alliance"],
                name="composition_target_one_per_alliance",
                condition=Q(national_alliance__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["measure"],
                name="composition_target_one_for_whole_alliance",
                condition=Q(national_alliance__isnull=True),
            ),
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="composition_target_at_most_100_percent"
            ),
        ]

    def __str__(self):
        scope = self.national_alliance or _("the whole alliance")
        return f"{self.get_measure_display()}: {self.percent}% ({scope})"


class BulkAction(models.Model):
    """One action taken on a selection of the directory (members.bulk): what was chosen
    (the filter, or the ids ticked), what it did, and its progress when a task runs it.
    `key` comes from the confirm page, so that a second POST of it finds this row
    instead of acting again."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    key = models.UUIDField(unique=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    target_id = models.PositiveIntegerField(null=True, blank=True)
    target_repr = models.CharField(_("on"), max_length=300, blank=True)
    # {"filter": "country=UG&kind=union"} or {"ids": [1, 2, 3]}.
    selection = models.JSONField(_("selection"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    selected_count = models.PositiveIntegerField(_("selected"), default=0)
    outside_count = models.PositiveIntegerField(_("skipped: not yours to change"), default=0)
    total = models.PositiveIntegerField(_("to do"), default=0)
    changed_count = models.PositiveIntegerField(_("changed"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk action")
        verbose_name_plural = _("bulk actions")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.action} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def unchanged_count(self) -> int:
        """Rows the actor may change that needed no change (already invited, already
        tagged, already a member)."""
        return max(self.total - self.changed_count, 0)
