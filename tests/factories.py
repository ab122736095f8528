"""factory_boy factories for every model that tests build."""

import datetime as dt

import factory
from django.utils import timezone

from alliance.core.accounts.models import User
from campaigns.models import Campaign, Convening, Invitation, Moment
from members.models import (
    Contact,
    FocusArea,
    Membership,
    NationalAlliance,
    Organisation,
    Principles,
)
from statements.models import (
    Signature,
    SignOnRequest,
    Statement,
    StatementText,
    StatementVersion,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """allauth refuses logins with an unverified address; test users are verified."""
        if not create:
            return
        from allauth.account.models import EmailAddress

        self.save()
        EmailAddress.objects.get_or_create(
            user=self, email=self.email, defaults={"verified": True, "primary": True}
        )


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Focus {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class NationalAllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NationalAlliance
        django_get_or_create = ["country"]

    country = "UG"
    name = factory.LazyAttribute(lambda o: f"Fight Inequality Alliance {o.country}")
    status = NationalAlliance.Status.ACTIVE


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.GRASSROOTS
    country = "UG"
    city = "Kampala"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    authorised_to_sign = True
    consent_given_at = factory.LazyFunction(timezone.now)
    consent_text = "Agreed to be contacted about the alliance's work (form)."


class PrinciplesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Principles
        django_get_or_create = ["version", "language"]

    version = 1
    language = "en"
    title = "Our shared principles"
    text = "We fight inequality by building power from below."
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    national_alliance = factory.SubFactory(NationalAllianceFactory)
    status = Membership.Status.APPROVED
    principles = factory.SubFactory(PrinciplesFactory)
    joined_at = factory.LazyFunction(timezone.now)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    title = factory.Sequence(lambda n: f"Campaign {n}")
    starts_on = dt.date(2016, 1, 1)
    status = Campaign.Status.ACTIVE


class MomentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Moment

    campaign = factory.SubFactory(CampaignFactory)
    title = "World Economic Forum, Davos"
    date = dt.date(2016, 1, 20)


class ConveningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Convening

    title = factory.Sequence(lambda n: f"Convening {n}")
    scope = Convening.Scope.NATIONAL
    national_alliance = factory.SubFactory(NationalAllianceFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    time_zone = "Africa/Kampala"
    status = Convening.Status.SCHEDULED


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    convening = factory.SubFactory(ConveningFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement
        skip_postgeneration_save = True

    status = Statement.Status.OPEN
    audience = Statement.Audience.INVITED
    signon_opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    signon_closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))

    @factory.post_generation
    def text(self, create, extracted, **kwargs):
        """Every statement gets version 1 with an English text (pass text=False to skip)."""
        if not create or extracted is False:
            return
        version = StatementVersion.objects.create(statement=self, number=1)
        StatementText.objects.create(
            version=version,
            language="en",
            title=kwargs.get("title", "Civil society steps up the fight on inequality"),
            body=kwargs.get("body", "62 people own the same wealth as half the world."),
        )


class SignOnRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignOnRequest

    statement = factory.SubFactory(StatementFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature

    statement = factory.SubFactory(StatementFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    version = factory.LazyAttribute(lambda o: o.statement.current_version())
    signatory_name = factory.Faker("name")
    signatory_title = "Director"
    email = factory.Sequence(lambda n: f"signatory{n}@example.org")
    status = Signature.Status.CONFIRMED
    source = Signature.Source.MEMBER
