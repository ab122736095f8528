"""`manage.py seed_demo`: the alliance of the seed essay, ready to click through.

Creates only what is missing: every row is looked up by a natural key (a slug, a
country, an email address, an organisation and a statement) and created if absent; a row
that exists is never changed. `make run` runs this at every start, so what a user did in
the demo (an organisation edited, a password changed, a signature withdrawn) survives a
restart, and nobody is signed out (a new password hash would end every session). Writes
through the ORM only: no email is queued, no audit entry is written, because nothing
happened that anyone should hear about.
"""

import datetime as dt
import random
import time
import zoneinfo

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from alliance.core.accounts.models import User
from alliance.demo import data
from alliance.demo.reference import seed_focus_areas, seed_national_alliances, seed_principles
from alliance.demo.vocabulary import COUNTRIES, PEOPLE, ROLES, name_language
from campaigns.models import Campaign, Convening, Invitation, Moment
from members.models import Contact, Membership, NationalAlliance, Organisation
from statements.models import Signature, SignOnRequest, Statement, StatementText, StatementVersion

CONSENT_TEXT = (
    "Agreed on the membership application form to be contacted by the alliance about "
    "its work, statements and convenings."
)
# The demo spreads memberships over the last 18 months: the dashboard's growth chart.
MEMBERSHIP_HISTORY_DAYS = 540
JOIN_ORDER_SEED = 2016


class Command(BaseCommand):
    help = (
        "Create the demo alliance: national alliances, organisations, the Davos statement, "
        "convenings and four demo logins. Safe to run again: creates only what is missing, "
        "changes nothing that exists."
    )

    def handle(self, *args, **options):
        demo_emails = {user.email for user in data.DEMO_USERS}
        if not settings.DEBUG and User.objects.exclude(email__in=demo_emails).exists():
            # The demo publishes a superuser's password: never into a real alliance's data.
            raise CommandError(
                "This database has real users and DEBUG is off: refusing to add the demo "
                "logins (their password is public). Seed an empty or development database."
            )
        started = time.monotonic()
        with transaction.atomic():
            seeder = DemoSeeder(today=timezone.now().date())
            seeder.run()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {elapsed:.1f} s. In the database: {seeder}.")
        )
        self._print_logins()

    def _print_logins(self):
        width = max(len(user.email) for user in data.DEMO_USERS)
        lines = [
            "",
            f'Open {settings.SITE_URL}/ and log in with the password "{data.DEMO_PASSWORD}" as:',
        ]
        lines += [f"  {user.email:<{width}}  {user.role}" for user in data.DEMO_USERS]
        lines += [
            "",
            "The convenor and the coordinators then need a code from an authenticator app:",
            "`DEBUG=1 .venv/bin/python manage.py demo_totp EMAIL` prints the current one;",
            "or add their secret to your app:",
        ]
        lines += [
            f"  {user.email:<{width}}  {user.totp_secret}"
            for user in data.DEMO_USERS
            if user.totp_secret
        ]
        self.stdout.write("\n".join(lines) + "\n")


class DemoSeeder:
    """Writes the demo, section by section; each section returns what the next needs."""

    def __init__(self, *, today: dt.date):
        self.today = today
        self.midnight = dt.datetime.combine(today, dt.time(0), tzinfo=dt.UTC)

    def __str__(self):
        counts = {
            "national alliances": NationalAlliance.objects.count(),
            "organisations": Organisation.objects.count(),
            "contacts": Contact.objects.count(),
            "memberships": Membership.objects.count(),
            "statements": Statement.objects.count(),
            "signatures": Signature.objects.count(),
            "convenings": Convening.objects.count(),
        }
        return ", ".join(f"{count:,} {name}" for name, count in counts.items())

    def run(self) -> None:
        self.focus_areas = seed_focus_areas()
        self.principles = seed_principles()
        self.alliances = seed_national_alliances()
        self.users = self.seed_users()
        # Who decided on memberships: the national coordinator, else the secretariat.
        self.coordinators = {
            "UG": self.users[data.UGANDA_COORDINATOR.email],
            "BR": self.users[data.BRAZIL_COORDINATOR.email],
        }
        for country, coordinator in self.coordinators.items():
            # Only for a login made now: a coordinator a convenor removed stays removed.
            if coordinator.email in self.created_users:
                self.alliances[country].coordinators.add(coordinator)
        self.organisations = self.seed_organisations()
        self.seed_member_login()
        campaign, moments = self.seed_campaign()
        self.seed_davos_statement(campaign, moments[data.DAVOS_2016])
        self.seed_open_statement(campaign, moments[data.UPCOMING_MOMENT[0]])
        self.seed_uganda_convening(campaign)
        self.seed_international_convening(campaign)

    @property
    def convenor(self) -> User:
        return self.users[data.CONVENOR.email]

    # People and organisations

    def seed_users(self) -> dict[str, User]:
        users = {}
        self.created_users = set()
        for demo_user in data.DEMO_USERS:
            is_convenor = demo_user is data.CONVENOR
            user, created = User.objects.get_or_create(
                email=demo_user.email,
                defaults={
                    "name": demo_user.name,
                    "language": demo_user.language,
                    "time_zone": demo_user.time_zone,
                    "is_convenor": is_convenor,
                    "is_staff": is_convenor,
                    "is_superuser": is_convenor,
                    "is_active": True,
                },
            )
            if created:
                # Only for a new login: setting it again would sign the user out (the
                # session carries a hash of the password) and undo a changed password.
                user.set_password(data.DEMO_PASSWORD)
                user.save(update_fields=["password"])
                self.created_users.add(user.email)
            # allauth refuses to log in an address that is not verified.
            EmailAddress.objects.get_or_create(
                user=user, email=demo_user.email, defaults={"verified": True, "primary": True}
            )
            if demo_user.totp_secret:
                # As allauth.mfa stores an authenticator app it activated; the secret is
                # fixed (and public) so that the quick start needs no phone.
                Authenticator.objects.get_or_create(
                    user=user,
                    type=Authenticator.Type.TOTP,
                    defaults={"data": {"secret": encrypt(demo_user.totp_secret)}},
                )
            users[demo_user.email] = user
        return users

    def seed_organisations(self) -> dict[str, Organisation]:
        organisations = {}
        # Members join in a scattered but fixed order, so that countries do not join in
        # blocks and the same run gives the same dates.
        approved = [demo.slug for demo in data.ORGANISATIONS if demo.status == "approved"]
        random.Random(JOIN_ORDER_SEED).shuffle(approved)
        self.join_rank = {slug: rank for rank, slug in enumerate(approved)}
        for index, demo in enumerate(data.ORGANISATIONS):
            membership_dates = self._membership_dates(demo, index)
            organisation, created = Organisation.objects.get_or_create(
                slug=demo.slug,
                defaults={
                    "name": demo.name,
                    "short_name": demo.short_name,
                    "kind": demo.kind,
                    "country": demo.country,
                    "city": demo.city,
                    "website": demo.website,
                    "description": demo.description,
                    "languages": list(demo.languages),
                    "listed_publicly": demo.listed_publicly,
                    # The organisation appears in the directory when it applied.
                    "created_at": membership_dates["applied_at"],
                },
            )
            # Made whole or left alone: its profile, contacts and membership are the
            # alliance's to change once it exists.
            if created:
                organisation.focus_areas.set([self.focus_areas[slug] for slug in demo.focus])
                contacts = self._seed_contacts(organisation, demo, index, membership_dates)
                self._seed_membership(organisation, demo, contacts[0], membership_dates)
            organisations[demo.slug] = organisation
        return organisations

    def _membership_dates(self, demo, index) -> dict:
        """Approved members joined over the last 18 months, more of them recently (the
        alliance is growing); applications are from the last weeks, awaiting review."""
        if demo.status == "applied":
            applied_at = self.midnight - dt.timedelta(days=2 + 3 * (index % 7), hours=-10)
            return {"applied_at": applied_at, "decided_at": None, "joined_at": None}
        if demo.status == "approved":
            share_before = (self.join_rank[demo.slug] + 0.5) / len(self.join_rank)
            days_ago = 10 + round((MEMBERSHIP_HISTORY_DAYS - 10) * (1 - share_before**0.7))
        else:
            days_ago = MEMBERSHIP_HISTORY_DAYS // 2 + 17 * index % 90
        applied_at = self.midnight - dt.timedelta(days=days_ago, hours=-10)
        decided_at = applied_at + dt.timedelta(days=3 + index % 9)
        joined_at = decided_at if demo.status in ("approved", "suspended") else None
        if demo.status == "suspended":
            decided_at = self.midnight - dt.timedelta(days=20, hours=-14)
        return {"applied_at": applied_at, "decided_at": decided_at, "joined_at": joined_at}

    def _seed_contacts(self, organisation, demo, index, membership_dates) -> list[Contact]:
        """1-3 fictional people per organisation, named after where it works; the first
        is authorised to sign."""
        profile = COUNTRIES[demo.country]
        first_names, last_names = PEOPLE[profile.people]
        language = name_language(demo.languages)
        contacts = []
        for number in range(demo.contacts):
            first = first_names[(index * 7 + number * 5) % len(first_names)]
            last = last_names[(index * 3 + number * 7 + 1) % len(last_names)]
            local_part = f"{slugify(first)}.{slugify(last)}".replace("-", ".")
            contact, _ = Contact.objects.get_or_create(
                organisation=organisation,
                email=f"{local_part}@{demo.slug}.example.org",
                defaults={
                    "name": f"{first} {last}",
                    "role": ROLES[(index + number * 3) % len(ROLES)],
                    # A second contact of a non-English organisation often prefers English.
                    "language": "en" if number == 1 else language,
                    "time_zone": profile.time_zone,
                    "authorised_to_sign": number == 0 or index % 3 == 0,
                    "consent_given_at": membership_dates["applied_at"],
                    "consent_text": CONSENT_TEXT,
                },
            )
            contacts.append(contact)
        return contacts

    def _seed_membership(self, organisation, demo, endorsed_by, dates) -> None:
        alliance = self.alliances.get(demo.country)
        decider = None
        if dates["decided_at"] is not None:
            decider = self.coordinators.get(demo.country, self.convenor)
        Membership.objects.get_or_create(
            organisation=organisation,
            national_alliance=alliance,
            defaults={
                "status": demo.status,
                "principles": self.principles[name_language(demo.languages)],
                "endorsed_by": endorsed_by,
                "applied_at": dates["applied_at"],
                "decided_at": dates["decided_at"],
                "decided_by": decider,
                "decision_reason": demo.reason,
                "joined_at": dates["joined_at"],
            },
        )

    def seed_member_login(self) -> Contact:
        """The demo member representative: a contact with a login, authorised to sign."""
        member = data.MEMBER
        organisation = self.organisations[data.MEMBER_ORGANISATION_SLUG]
        contact, _ = Contact.objects.get_or_create(
            organisation=organisation,
            email=member.email,
            defaults={
                "name": member.name,
                "role": "Chairperson",
                "language": member.language,
                "time_zone": member.time_zone,
                "authorised_to_sign": True,
                "consent_given_at": self.midnight - dt.timedelta(days=200),
                "consent_text": CONSENT_TEXT,
                "user": self.users[member.email],
            },
        )
        return contact

    # Campaign and statements

    def seed_campaign(self) -> tuple[Campaign, dict[str, Moment]]:
        campaign_data = dict(data.CAMPAIGN)
        slug = campaign_data.pop("slug")
        campaign, created = Campaign.objects.get_or_create(
            slug=slug,
            defaults={**campaign_data, "status": Campaign.Status.ACTIVE, "is_public": True},
        )
        if created:
            campaign.focus_areas.set(
                [
                    self.focus_areas[slug]
                    for slug in (
                        "tax-justice",
                        "public-services",
                        "gender",
                        "land",
                        "labour-rights",
                    )
                ]
            )
            campaign.national_alliances.set(self.alliances.values())
        upcoming_title, days_ahead, upcoming_description = data.UPCOMING_MOMENT
        moments = {}
        for title, date, description in (
            *data.MOMENTS,
            (upcoming_title, self.today + dt.timedelta(days=days_ahead), upcoming_description),
        ):
            moments[title], _ = Moment.objects.get_or_create(
                campaign=campaign, title=title, defaults={"date": date, "description": description}
            )
        return campaign, moments

    def _seed_statement(
        self, slug, texts, *, focus_areas, created_days_before, **fields
    ) -> tuple[Statement, StatementVersion] | None:
        """The statement and its first version, or None if it exists: a statement is made
        whole (texts, requests, signatures) or left alone."""
        statement, created = Statement.objects.get_or_create(
            slug=slug, defaults={**fields, "created_by": self.convenor}
        )
        if not created:
            return None
        Statement.objects.filter(pk=statement.pk).update(
            created_at=fields["signon_opens_at"] - dt.timedelta(days=created_days_before)
        )
        statement.focus_areas.set([self.focus_areas[slug] for slug in focus_areas])
        version = StatementVersion.objects.create(
            statement=statement, number=1, created_by=self.convenor
        )
        for language, (title, summary, body) in texts.items():
            StatementText.objects.create(
                version=version, language=language, title=title, summary=summary, body=body
            )
        return statement, version

    def seed_davos_statement(self, campaign, moment) -> None:
        """Published for Davos 2016. Members were asked; some signed from the public form;
        organisations at risk signed without being listed; one signature was withdrawn."""
        davos = data.DAVOS_STATEMENT
        opens, closes = davos["signon_opens_at"], davos["signon_closes_at"]
        seeded = self._seed_statement(
            data.DAVOS_STATEMENT_SLUG,
            davos["texts"],
            original_language="en",
            campaign=campaign,
            moment=moment,
            status=Statement.Status.PUBLISHED,
            audience=Statement.Audience.ANYONE,
            moderation=True,
            signon_opens_at=opens,
            signon_closes_at=closes,
            embargo_until=davos["embargo_until"],
            published_at=davos["embargo_until"],
            focus_areas=("tax-justice", "public-services", "gender"),
            created_days_before=3,
        )
        if seeded is None:
            return
        statement, version = seeded
        withdrawn_slug = data.DAVOS_WITHDRAWN_SLUG
        signing_window = closes - opens
        declined = 0
        for index, demo in enumerate(data.ORGANISATIONS):
            if demo.status in ("applied", "declined"):
                continue
            organisation = self.organisations[demo.slug]
            # Some signed through the public form without having been asked.
            asked = index % 7 != 5 and demo.slug != withdrawn_slug
            signs = index % 4 != 3 or demo.slug == withdrawn_slug
            signed_at = opens + signing_window * ((index * 13 % 60 + 1) / 62)
            if signs:
                self._sign(
                    statement,
                    version,
                    organisation,
                    signed_at=signed_at,
                    status=(
                        Signature.Status.WITHDRAWN
                        if demo.slug == withdrawn_slug
                        else Signature.Status.CONFIRMED
                    ),
                    # Organisations at risk count in the total without their name shown,
                    # and a few others chose the same.
                    listed_publicly=demo.listed_publicly and index % 11 != 4,
                    source=Signature.Source.MEMBER if asked else Signature.Source.WEB,
                )
            if asked:
                if signs:
                    answer = SignOnRequest.Answer.SIGNED
                elif declined < 3:
                    answer, declined = SignOnRequest.Answer.DECLINED, declined + 1
                else:
                    answer = SignOnRequest.Answer.NO_REPLY
                self._ask(
                    statement,
                    organisation,
                    asked_at=opens,
                    answer=answer,
                    answered_at=None if answer == SignOnRequest.Answer.NO_REPLY else signed_at,
                )

    def seed_open_statement(self, campaign, moment) -> None:
        """Open now, with a deadline ahead: most members asked have not answered yet, the
        demo member among them, so that signing can be tried; and open to any organisation,
        so that the public form can be tried too (processed by the worker; its
        confirmation email is at /mailbox/)."""
        spec = data.OPEN_STATEMENT
        opens = self.midnight - dt.timedelta(days=spec["opened_days_ago"], hours=-8)
        closes = self.midnight + dt.timedelta(days=spec["closes_in_days"], hours=12)
        embargo = dt.datetime.combine(moment.date, dt.time(6), tzinfo=dt.UTC)
        seeded = self._seed_statement(
            data.OPEN_STATEMENT_SLUG,
            spec["texts"],
            original_language="en",
            campaign=campaign,
            moment=moment,
            status=Statement.Status.OPEN,
            audience=Statement.Audience.ANYONE,
            moderation=False,
            signon_opens_at=opens,
            signon_closes_at=closes,
            embargo_until=embargo,
            published_at=None,
            focus_areas=("tax-justice", "public-services", "health"),
            created_days_before=2,
        )
        if seeded is None:
            return
        statement, version = seeded
        members = [demo for demo in data.ORGANISATIONS if demo.status == "approved"]
        for position, demo in enumerate(members):
            organisation = self.organisations[demo.slug]
            answer, answered_at = SignOnRequest.Answer.NO_REPLY, None
            if demo.slug != data.MEMBER_ORGANISATION_SLUG and position % 5 == 1:
                answered_at = opens + dt.timedelta(hours=6 + 9 * position)
                answered_at = min(answered_at, self.midnight - dt.timedelta(hours=3))
                # One signatory has not clicked the confirmation link yet.
                status = (
                    Signature.Status.PENDING_VERIFICATION
                    if position == 6
                    else Signature.Status.CONFIRMED
                )
                self._sign(
                    statement,
                    version,
                    organisation,
                    signed_at=answered_at,
                    status=status,
                    listed_publicly=demo.listed_publicly,
                    source=Signature.Source.MEMBER,
                )
                if status == Signature.Status.CONFIRMED:
                    answer = SignOnRequest.Answer.SIGNED
                else:
                    answer, answered_at = SignOnRequest.Answer.NO_REPLY, None
            elif position == 3:
                answer = SignOnRequest.Answer.DECLINED
                answered_at = opens + dt.timedelta(days=1)
            self._ask(
                statement, organisation, asked_at=opens, answer=answer, answered_at=answered_at
            )

    def _ask(self, statement, organisation, *, asked_at, answer, answered_at) -> None:
        request = SignOnRequest.objects.create(
            statement=statement,
            organisation=organisation,
            answer=answer,
            answered_at=answered_at,
            requested_by=self.convenor,
        )
        SignOnRequest.objects.filter(pk=request.pk).update(requested_at=asked_at)

    def _sign(
        self, statement, version, organisation, *, signed_at, status, listed_publicly, source
    ):
        signatory = organisation.contacts.filter(authorised_to_sign=True).order_by("pk").first()
        if signatory is None:
            return  # someone changed who may sign for it since the demo was made
        verified = status != Signature.Status.PENDING_VERIFICATION
        signature = Signature.objects.create(
            statement=statement,
            organisation=organisation,
            version=version,
            contact=signatory,
            signatory_name=signatory.name,
            signatory_title=signatory.role,
            email=signatory.email,
            email_verified_at=signed_at if verified else None,
            status=status,
            listed_publicly=listed_publicly,
            source=source,
            confirmation_emails_sent=1,
        )
        Signature.objects.filter(pk=signature.pk).update(created_at=signed_at)

    # Convenings

    def _local_time(self, spec) -> tuple[dt.datetime, dt.datetime]:
        zone = zoneinfo.ZoneInfo(spec["time_zone"])
        day = self.today + dt.timedelta(days=spec["days_ahead"])
        starts_at = dt.datetime.combine(day, dt.time(spec["start_hour"]), tzinfo=zone)
        return starts_at, starts_at + dt.timedelta(hours=spec["duration_hours"])

    def _seed_convening(self, spec, **fields) -> Convening | None:
        """The convening, or None if it exists: made whole (with its invitations and
        answers) or left alone."""
        starts_at, ends_at = self._local_time(spec)
        convening, created = Convening.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "title": spec["title"],
                "starts_at": starts_at,
                "ends_at": ends_at,
                "time_zone": spec["time_zone"],
                "agenda": spec["agenda"],
                "rsvp_deadline": starts_at - dt.timedelta(days=7),
                "status": Convening.Status.SCHEDULED,
                **fields,
            },
        )
        return convening if created else None

    def _invite(self, convening, organisations) -> None:
        """Invite each organisation's contacts; a fixed pattern of answers, and the demo
        member's organisation left to answer. The invitations count as sent (at the
        convening's sequence), so that the periodic catch-up does not email them."""
        answers = [
            Invitation.Answer.YES,
            Invitation.Answer.YES,
            Invitation.Answer.NO,
            Invitation.Answer.MAYBE,
            Invitation.Answer.NO_REPLY,
        ]
        for position, organisation in enumerate(organisations):
            answer = answers[position % len(answers)]
            if organisation.slug == data.MEMBER_ORGANISATION_SLUG:
                answer = Invitation.Answer.NO_REPLY
            contacts = list(organisation.contacts.order_by("pk"))
            invitation, created = Invitation.objects.get_or_create(
                convening=convening,
                organisation=organisation,
                defaults={
                    "notified_sequence": convening.sequence,
                    "answer": answer,
                    "answered_at": (
                        None
                        if answer == Invitation.Answer.NO_REPLY
                        else self.midnight - dt.timedelta(days=1 + position % 4, hours=-11)
                    ),
                    "delegates": (
                        [
                            contact.name
                            for contact in contacts[: convening.delegates_per_organisation]
                        ]
                        if answer == Invitation.Answer.YES
                        else []
                    ),
                },
            )
            if created:
                invitation.contacts.set(contacts)

    def seed_uganda_convening(self, campaign) -> None:
        convening = self._seed_convening(
            data.UGANDA_CONVENING,
            campaign=campaign,
            scope=Convening.Scope.NATIONAL,
            national_alliance=self.alliances["UG"],
            format=Convening.Format.IN_PERSON,
            venue=data.UGANDA_CONVENING["venue"],
            delegates_per_organisation=2,
            created_by=self.users[data.UGANDA_COORDINATOR.email],
        )
        if convening is None:
            return
        ugandan_members = [
            organisation
            for organisation in self._demo_members()
            if organisation.country.code == "UG"
        ]
        self._invite(convening, ugandan_members)

    def seed_international_convening(self, campaign) -> None:
        convening = self._seed_convening(
            data.INTERNATIONAL_CONVENING,
            campaign=campaign,
            scope=Convening.Scope.INTERNATIONAL,
            national_alliance=None,
            format=Convening.Format.ONLINE,
            online_link=data.INTERNATIONAL_CONVENING["online_link"],
            delegates_per_organisation=1,
            created_by=self.convenor,
        )
        if convening is None:
            return
        # One member per country, and every international NGO.
        invited, countries = [], set()
        for organisation in self._demo_members():
            if (
                organisation.country.code not in countries
                or organisation.kind == "international_ngo"
            ):
                countries.add(organisation.country.code)
                invited.append(organisation)
        self._invite(convening, invited)

    def _demo_members(self) -> list[Organisation]:
        """The demo's approved members by name (not bulk data that may share the database)."""
        approved = [demo.slug for demo in data.ORGANISATIONS if demo.status == "approved"]
        return sorted((self.organisations[slug] for slug in approved), key=lambda org: org.name)
