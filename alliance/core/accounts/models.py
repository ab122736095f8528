import zoneinfo

import rules
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from alliance.core.permissions import is_own_word


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def zone_or_utc(name: str) -> zoneinfo.ZoneInfo:
    """The zone called `name`; UTC for a name that is not one (a row saved before the
    validator, a hand-made URL): a page shows a time in UTC rather than fail."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_convenor", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in. The email address is the login; there is no username.

    Roles are not stored here but derived: a convenor has `is_convenor`; a national
    coordinator appears in `NationalAlliance.coordinators`; a member representative is
    linked from a `Contact`. `alliance.core.permissions` turns these into answers.
    """

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    is_convenor = models.BooleanField(
        _("convenor"),
        default=False,
        help_text=_("Secretariat staff: may see and change everything across the alliance."),
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    # Convenors and coordinators must have a second factor; they get one sign-in without
    # it, to set it up (alliance.core.accounts.security). Cleared by a convenor to give another.
    second_factor_grace_used_at = models.DateTimeField(
        _("sign-in to set up two-factor authentication used"), null=True, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def has_perm(self, perm, obj=None):
        # Django grants a superuser every permission before asking any backend; an
        # organisation's own word is answered by its rule alone.
        if is_own_word(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email
