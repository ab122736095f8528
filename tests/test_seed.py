"""seed_demo writes the alliance of the seed essay, idempotently; seed_bulk writes N
realistic organisations fast, on SQLite and Postgres."""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from alliance.core.accounts.models import User
from alliance.core.outbox.models import OutgoingMessage
from alliance.demo import data
from campaigns.models import Campaign, Convening, Invitation, Moment
from members.classification import classify
from members.models import (
    Contact,
    FocusArea,
    Membership,
    NationalAlliance,
    Organisation,
    Principles,
)
from statements.models import Signature, SignOnRequest, Statement, StatementText
from statements.services import process_public_submissions
from tests.factories import InvitationFactory, SignatureFactory, StatementFactory

ALL_MODELS = [
    User,
    FocusArea,
    NationalAlliance,
    Organisation,
    Contact,
    Principles,
    Membership,
    Campaign,
    Moment,
    Convening,
    Invitation,
    Statement,
    StatementText,
    SignOnRequest,
    Signature,
]


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def seed_bulk(**options) -> str:
    out = StringIO()
    call_command("seed_bulk", stdout=out, **options)
    return out.getvalue()


def bulk_organisations():
    return Organisation.objects.filter(slug__startswith="bulk-")


@pytest.fixture
def demo(db):
    return seed_demo()


# seed_demo


def test_demo_has_national_alliances_and_organisations_of_every_kind(demo):
    assert NationalAlliance.objects.count() >= 8
    countries = set(NationalAlliance.objects.values_list("country", flat=True))
    assert countries >= {"UG", "BR", "NP", "IN", "KE", "ZA", "BD", "GH"}
    assert Organisation.objects.count() >= 60
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    assert (
        Organisation.objects.filter(global_south=True).count()
        > Organisation.objects.filter(global_south=False).count()
        > 0
    )
    assert Organisation.objects.filter(region="").count() == 0
    assert Organisation.objects.filter(listed_publicly=False).exists()


def test_demo_organisations_have_contacts_with_consent_in_four_languages(demo):
    contacts_per_organisation = Organisation.objects.annotate(n=Count("contacts")).values_list(
        "n", flat=True
    )
    assert min(contacts_per_organisation) >= 1
    assert max(contacts_per_organisation) <= 3
    assert not Contact.objects.filter(consent_given_at__isnull=True).exists()
    assert set(Contact.objects.values_list("language", flat=True)) == {"en", "fr", "es", "pt"}
    assert all(
        email.rsplit("@", 1)[1].endswith("example.org")
        for email in Contact.objects.exclude(user__isnull=False).values_list("email", flat=True)
    )
    # Every organisation has someone who may sign for it.
    assert not Organisation.objects.exclude(contacts__authorised_to_sign=True).exists()


def test_demo_memberships_cover_every_decision_and_grow_over_eighteen_months(demo):
    statuses = Counter(Membership.objects.values_list("status", flat=True))
    assert statuses["approved"] > len(data.ORGANISATIONS) * 0.8
    assert statuses["applied"] >= 2
    assert statuses["declined"] == 1
    assert statuses["suspended"] == 1
    declined = Membership.objects.get(status="declined")
    assert declined.decision_reason and declined.decided_by and declined.decided_at
    assert not Membership.objects.filter(principles__isnull=True).exists()
    joined = Membership.objects.filter(joined_at__isnull=False).values_list("joined_at", flat=True)
    months = {(day.year, day.month) for day in joined}
    assert len(months) >= 12
    assert min(joined) >= timezone.now() - dt.timedelta(days=19 * 31)
    # Members of a country with a national alliance are in it; the others in the
    # international alliance.
    assert Membership.objects.filter(national_alliance__isnull=True).exists()
    assert (
        not Membership.objects.filter(national_alliance__isnull=True)
        .filter(organisation__country__in=NationalAlliance.objects.values("country"))
        .exists()
    )


def test_demo_has_translated_focus_areas_and_principles(demo):
    assert (
        FocusArea.objects.filter(
            slug__in=["gender", "race", "class", "caste", "ethnicity", "tax-justice", "civic-space"]
        ).count()
        == 7
    )
    assert all(set(area.translations) == {"fr", "es", "pt"} for area in FocusArea.objects.all())
    languages = set(Principles.objects.filter(version=1).values_list("language", flat=True))
    assert languages == {"en", "fr", "es", "pt"}
    assert Principles.objects.current("fr").language == "fr"


def test_demo_davos_statement_is_published_with_signatures(demo):
    davos = Statement.objects.get(slug=data.DAVOS_STATEMENT_SLUG)
    assert davos.status == Statement.Status.PUBLISHED
    assert davos.published_at.date() == dt.date(2016, 1, 20)
    assert davos.moment.date == dt.date(2016, 1, 20)
    assert davos.campaign.title == "Fight Inequality"
    assert davos.current_text("en").title == "Civil society leaders step up the fight on inequality"
    assert davos.current_text("fr").language == "fr"
    signatures = davos.signatures.all()
    assert signatures.counted().filter(listed_publicly=True).count() >= 20
    # Counted, not named: the organisations at risk.
    assert signatures.counted().filter(listed_publicly=False).exists()
    assert (
        signatures.filter(organisation__listed_publicly=False)
        .exclude(listed_publicly=False)
        .count()
        == 0
    )
    assert signatures.filter(status=Signature.Status.WITHDRAWN).count() == 1
    assert davos.signon_requests.filter(answer=SignOnRequest.Answer.DECLINED).exists()
    assert all(signature.created_at < davos.signon_closes_at for signature in signatures)


def test_demo_second_statement_is_open_with_a_deadline_ahead(demo):
    statement = Statement.objects.get(slug=data.OPEN_STATEMENT_SLUG)
    assert statement.status == Statement.Status.OPEN
    assert statement.signon_closes_at > timezone.now()
    assert statement.embargo_until > statement.signon_closes_at
    member_organisation = Organisation.objects.get(slug=data.MEMBER_ORGANISATION_SLUG)
    # The demo member has been asked and can still answer.
    request = statement.signon_requests.get(organisation=member_organisation)
    assert request.answer == SignOnRequest.Answer.NO_REPLY
    assert not statement.signatures.filter(organisation=member_organisation).exists()


def test_the_public_form_can_be_tried_in_the_demo(demo, client):
    statement = Statement.objects.get(slug=data.OPEN_STATEMENT_SLUG)
    form = client.get(f"/statements/{statement.slug}/sign/public/")
    assert form.status_code == 200
    response = client.post(
        f"/statements/{statement.slug}/sign/public/",
        {
            "organisation_name": "Demo Visitors Collective",
            "country": "KE",
            "kind": "grassroots",
            "signatory_name": "A Visitor",
            "email": "visitor@example.org",
            "visibility": "listed",
        },
    )
    assert response.status_code == 303
    process_public_submissions()  # what the task woken after commit runs
    signature = statement.signatures.get(organisation__name="Demo Visitors Collective")
    assert signature.status == Signature.Status.PENDING_VERIFICATION


def test_demo_convenings_in_kampala_and_online_have_rsvps(demo):
    kampala = Convening.objects.get(slug=data.UGANDA_CONVENING["slug"])
    assert kampala.scope == Convening.Scope.NATIONAL
    assert kampala.national_alliance.country == "UG"
    assert kampala.time_zone == "Africa/Kampala"
    assert kampala.starts_at > timezone.now()
    # 09:00 in Kampala is 06:00 UTC.
    assert kampala.starts_at.astimezone(dt.UTC).hour == 6
    answers = set(kampala.invitations.values_list("answer", flat=True))
    assert {"yes", "no", "no_reply"} <= answers
    assert all(invitation.delegates for invitation in kampala.invitations.filter(answer="yes"))
    assert not kampala.invitations.exclude(organisation__country="UG").exists()
    online = Convening.objects.get(slug=data.INTERNATIONAL_CONVENING["slug"])
    assert online.scope == Convening.Scope.INTERNATIONAL
    assert online.format == Convening.Format.ONLINE
    assert online.online_link
    assert online.invitations.values("organisation__country").distinct().count() >= 10
    # Already sent in the demo's story: the catch-up of lost invitations leaves them be.
    assert not Invitation.objects.filter(notified_sequence__isnull=True).exists()


@pytest.mark.parametrize("demo_user", data.DEMO_USERS, ids=lambda user: user.email)
def test_demo_users_log_in_with_the_demo_password(demo, client, demo_user):
    assert client.login(email=demo_user.email, password=data.DEMO_PASSWORD)
    client.logout()
    # Through allauth too: the address is verified, so no confirmation step.
    response = client.post(
        reverse("account_login"), {"login": demo_user.email, "password": data.DEMO_PASSWORD}
    )
    if demo_user.totp_secret:
        # Convenor and coordinators: their second factor is the demo's fixed secret.
        assert response.url == reverse("mfa_authenticate")
        response = client.post(reverse("mfa_authenticate"), {"code": current_code_of(demo_user)})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert int(client.session["_auth_user_id"]) == User.objects.get(email=demo_user.email).pk


def current_code_of(demo_user) -> str:
    out = StringIO()
    call_command("demo_totp", demo_user.email, stdout=out)
    return out.getvalue().strip()


def test_demo_totp_prints_no_code_for_an_account_outside_the_demo(demo, db):
    with pytest.raises(CommandError, match="not a demo login"):
        call_command("demo_totp", data.MEMBER.email, stdout=StringIO())
    with pytest.raises(CommandError, match="not a demo login"):
        call_command("demo_totp", "someone@example.org", stdout=StringIO())


def test_demo_users_have_their_roles(demo):
    convenor = User.objects.get(email=data.CONVENOR.email)
    assert convenor.is_convenor and convenor.is_staff and convenor.is_superuser
    uganda = NationalAlliance.objects.get(country="UG")
    assert list(uganda.coordinators.values_list("email", flat=True)) == [
        data.UGANDA_COORDINATOR.email
    ]
    brazil_coordinator = User.objects.get(email=data.BRAZIL_COORDINATOR.email)
    assert brazil_coordinator.language == "pt"
    assert brazil_coordinator.coordinated_alliances.get().country == "BR"
    member = User.objects.get(email=data.MEMBER.email)
    assert not (member.is_convenor or member.is_staff)
    assert member.contact.authorised_to_sign
    organisation = member.contact.organisation
    assert organisation.country == "UG"
    assert organisation.memberships.get().status == Membership.Status.APPROVED
    assert member.has_perm("members.change_organisation", organisation)
    assert not brazil_coordinator.has_perm("members.change_organisation", organisation)


def test_demo_prints_the_logins(demo):
    assert "http://testserver/" in demo
    assert data.DEMO_PASSWORD in demo
    for demo_user in data.DEMO_USERS:
        assert demo_user.email in demo


def test_demo_queues_no_email(demo):
    assert not OutgoingMessage.objects.exists()


def test_demo_run_twice_changes_nothing(demo):
    counts = {model: model.objects.count() for model in ALL_MODELS}
    tokens = set(Signature.objects.values_list("token", flat=True))

    seed_demo()

    assert {model: model.objects.count() for model in ALL_MODELS} == counts
    # The same rows, updated in place, not deleted and created again.
    assert set(Signature.objects.values_list("token", flat=True)) == tokens
    assert User.objects.get(email=data.MEMBER.email).check_password(data.DEMO_PASSWORD)


# seed_demo again: `make run` runs it at every start


def test_a_second_seed_keeps_what_a_convenor_edited(demo):
    organisation = Organisation.objects.get(slug=data.MEMBER_ORGANISATION_SLUG)
    organisation.name = "Renamed by the convenor"
    organisation.city = "Mbale"
    organisation.description = "Edited."
    organisation.save()
    organisation.focus_areas.set([FocusArea.objects.get(slug="land")])
    contact = organisation.contacts.exclude(user__isnull=False).first()
    contact.email = "new.address@example.org"
    contact.save()
    contacts = set(organisation.contacts.values_list("pk", "email"))
    membership = organisation.memberships.get()
    membership.status = Membership.Status.SUSPENDED
    membership.save()
    uganda = NationalAlliance.objects.get(country="UG")
    uganda.description = "Our own words."
    uganda.save()
    uganda.coordinators.clear()
    open_statement = Statement.objects.get(slug=data.OPEN_STATEMENT_SLUG)
    open_statement.signatures.filter(status=Signature.Status.CONFIRMED).first().delete()
    signatures = open_statement.signatures.count()
    kampala = Convening.objects.get(slug=data.UGANDA_CONVENING["slug"])
    kampala.invitations.filter(answer="yes").update(answer="no")

    seed_demo()

    organisation.refresh_from_db()
    assert (organisation.name, organisation.city, organisation.description) == (
        "Renamed by the convenor",
        "Mbale",
        "Edited.",
    )
    assert list(organisation.focus_areas.values_list("slug", flat=True)) == ["land"]
    assert set(organisation.contacts.values_list("pk", "email")) == contacts
    assert organisation.memberships.get().status == Membership.Status.SUSPENDED
    uganda.refresh_from_db()
    assert uganda.description == "Our own words."
    assert not uganda.coordinators.exists()
    assert open_statement.signatures.count() == signatures
    assert not kampala.invitations.filter(answer="yes").exists()


def test_a_second_seed_keeps_a_changed_password(demo):
    member = User.objects.get(email=data.MEMBER.email)
    member.set_password("a password of my own")
    member.save()

    seed_demo()

    member.refresh_from_db()
    assert member.check_password("a password of my own")
    assert not member.check_password(data.DEMO_PASSWORD)


@pytest.mark.parametrize("demo_user", data.DEMO_USERS, ids=lambda user: user.email)
def test_a_logged_in_user_stays_logged_in_after_a_second_seed(demo, client, demo_user):
    from alliance.demo.totp import current_code
    from tests.mfa import forget_used_codes

    client.post(
        reverse("account_login"), {"login": demo_user.email, "password": data.DEMO_PASSWORD}
    )
    if demo_user.totp_secret:  # the second step, as the demo's convenor and coordinators have it
        # allauth remembers a used code by user id, and ids come back between tests.
        forget_used_codes()
        client.post(reverse("mfa_authenticate"), {"code": current_code(demo_user.totp_secret)})
    assert client.get(reverse("home")).wsgi_request.user.email == demo_user.email

    seed_demo()

    response = client.get(reverse("home"))
    assert response.wsgi_request.user.is_authenticated
    assert response.wsgi_request.user.email == demo_user.email


def test_a_second_seed_creates_what_was_deleted(demo):
    Convening.objects.filter(slug=data.UGANDA_CONVENING["slug"]).delete()

    seed_demo()

    kampala = Convening.objects.get(slug=data.UGANDA_CONVENING["slug"])
    assert kampala.invitations.filter(answer="yes").exists()


# seed_bulk


def test_bulk_creates_n_organisations_with_derived_regions_and_unique_slugs(db):
    output = seed_bulk(organisations=500, seed=1, batch_size=200)

    organisations = list(bulk_organisations())
    assert len(organisations) == 500
    assert len({organisation.slug for organisation in organisations}) == 500
    for organisation in organisations:
        expected = classify(organisation.country.code)
        assert (organisation.region, organisation.subregion, organisation.global_south) == (
            expected.region,
            expected.subregion,
            expected.global_south,
        )
        assert organisation.region
    south = sum(organisation.global_south for organisation in organisations)
    assert 300 < south < 500  # weighted to the global south, the north present
    assert len({organisation.country.code for organisation in organisations}) > 40
    assert len({organisation.kind for organisation in organisations}) == len(Organisation.Kind)
    assert "Created 500 organisations" in output


def test_bulk_organisations_have_contacts_focus_areas_and_one_membership(db):
    seed_bulk(organisations=300, seed=2)

    organisations = bulk_organisations().annotate(
        contacts_count=Count("contacts", distinct=True),
        focus_count=Count("focus_areas", distinct=True),
        memberships_count=Count("memberships", distinct=True),
    )
    for organisation in organisations:
        assert 1 <= organisation.contacts_count <= 2
        assert 1 <= organisation.focus_count <= 3
        assert organisation.memberships_count == 1
    memberships = Membership.objects.filter(organisation__in=bulk_organisations())
    assert memberships.filter(status="approved").count() > 0.7 * 300
    # In the national alliance of their country where there is one.
    alliances = dict(NationalAlliance.objects.values_list("country", "pk"))
    for country, alliance_id in memberships.values_list(
        "organisation__country", "national_alliance_id"
    ):
        assert alliance_id == alliances.get(country)
    assert not Contact.objects.filter(
        organisation__in=bulk_organisations(), consent_given_at__isnull=True
    ).exists()


def test_bulk_names_are_searchable_by_accented_city(db):
    seed_bulk(organisations=2000, seed=3)

    in_sao_paulo = bulk_organisations().filter(city="São Paulo")
    assert in_sao_paulo.exists()
    assert bulk_organisations().filter(name__contains="São Paulo").exists()


def test_bulk_second_run_adds_organisations_with_new_slugs(db):
    seed_bulk(organisations=100, seed=4)
    first_slugs = set(bulk_organisations().values_list("slug", flat=True))

    seed_bulk(organisations=100, seed=4)

    assert bulk_organisations().count() == 200
    assert len(set(bulk_organisations().values_list("slug", flat=True)) - first_slugs) == 100


def test_bulk_same_seed_gives_the_same_organisations(db):
    seed_bulk(organisations=100, seed=5)
    first = list(bulk_organisations().order_by("slug").values_list("slug", "name", "country"))

    seed_bulk(organisations=100, seed=5, reset=True)

    again = list(bulk_organisations().order_by("slug").values_list("slug", "name", "country"))
    assert again == first


def test_bulk_reset_deletes_only_bulk_rows_even_when_signed_or_invited(demo):
    seed_bulk(organisations=50, seed=6)
    signed = bulk_organisations().first()
    SignatureFactory(organisation=signed, statement=StatementFactory())
    InvitationFactory(
        organisation=signed,
        convening=Convening.objects.get(slug=data.UGANDA_CONVENING["slug"]),
    ).contacts.set(signed.contacts.all())
    demo_counts = Organisation.objects.exclude(slug__startswith="bulk-").count()

    output = seed_bulk(organisations=20, seed=6, reset=True)

    assert "Deleting 50 earlier bulk organisations" in output
    assert bulk_organisations().count() == 20
    assert Organisation.objects.exclude(slug__startswith="bulk-").count() == demo_counts
    assert not Organisation.objects.filter(pk=signed.pk).exists()
    assert not Contact.objects.filter(organisation_id=signed.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is Postgres only")
def test_bulk_copy_writes_the_same_rows_as_bulk_create(db):
    def snapshot():
        organisations = list(
            bulk_organisations()
            .order_by("slug")
            .values(
                "slug",
                "name",
                "short_name",
                "kind",
                "country",
                "city",
                "region",
                "subregion",
                "global_south",
                "website",
                "description",
                "languages",
                "listed_publicly",
                "created_at",
            )
        )
        contacts = list(
            Contact.objects.filter(organisation__in=bulk_organisations())
            .order_by("organisation__slug", "email")
            .values(
                "organisation__slug",
                "name",
                "email",
                "role",
                "language",
                "time_zone",
                "authorised_to_sign",
                "consent_given_at",
                "consent_text",
            )
        )
        memberships = list(
            Membership.objects.filter(organisation__in=bulk_organisations())
            .order_by("organisation__slug")
            .values(
                "organisation__slug",
                "national_alliance",
                "status",
                "principles",
                "endorsed_by__email",
                "applied_at",
                "decided_at",
                "joined_at",
                "decision_reason",
            )
        )
        focus = sorted(bulk_organisations().values_list("slug", "focus_areas__slug"))
        return organisations, contacts, memberships, focus

    # Both start from the same instant so that generated dates agree.
    frozen = timezone.now()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: frozen)
        seed_bulk(organisations=300, seed=7, method="copy")
        copied = snapshot()
        seed_bulk(organisations=300, seed=7, method="bulk_create", reset=True)
        created = snapshot()

    assert len(copied[0]) == 300
    assert copied == created


@pytest.mark.skipif(connection.vendor == "postgresql", reason="checks the SQLite refusal")
def test_bulk_copy_refused_outside_postgres(db):
    with pytest.raises(CommandError, match="needs Postgres"):
        seed_bulk(organisations=10, method="copy")


def test_seed_demo_refuses_a_production_database_with_real_users(settings, db):
    from django.core.management import CommandError, call_command

    from tests.factories import UserFactory

    settings.DEBUG = False
    UserFactory(email="real.person@alliance.org")
    with pytest.raises(CommandError, match="real users"):
        call_command("seed_demo")
    from members.models import Organisation

    assert not Organisation.objects.exists()
