"""The convenors' admin: every page loads, in a number of queries that does not grow with
the number of rows (the directory holds 100,000 organisations), and only for staff."""

import datetime as dt
import re
import uuid

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.core.api.models import ApiKey, WebhookDelivery, WebhookSubscription
from alliance.core.audit.services import record
from alliance.core.outbox.services import Email, queue_email
from members.models import Membership, Organisation
from statements.models import PublicSubmission, Signature, Statement
from tests.factories import (
    CampaignFactory,
    ContactFactory,
    ConveningFactory,
    FocusAreaFactory,
    InvitationFactory,
    MembershipFactory,
    MomentFactory,
    NationalAllianceFactory,
    OrganisationFactory,
    PrinciplesFactory,
    SignatureFactory,
    SignOnRequestFactory,
    StatementFactory,
    UserFactory,
)

REGISTERED = sorted(
    (model for model in apps.get_models() if admin.site.is_registered(model)),
    key=lambda model: model._meta.label,
)
COUNTRIES = ["UG", "BR", "KE", "NP", "IN", "GH", "ZA", "BD", "FR", "GB"]
# A changelist with a dozen filters needs about as many queries; N+1 would need hundreds.
CHANGELIST_CEILING = 20
ADD_PAGE_CEILING = 20
CHANGE_PAGE_CEILING = 40


def label(model) -> str:
    return model._meta.label


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


@pytest.fixture
def secretariat(db):
    return UserFactory(
        email="secretariat@alliance.test", is_convenor=True, is_staff=True, is_superuser=True
    )


@pytest.fixture
def convenor_client(client, secretariat):
    client.force_login(secretariat)
    return client


class Rows:
    """Adds a round of rows to every table the admin shows, each round in another
    national alliance and another month (so that filters and date hierarchies grow too)."""

    def __init__(self):
        self.round = 0

    def add(self, rounds: int = 1) -> None:
        for _ in range(rounds):
            self._add_round()

    def _add_round(self) -> None:
        n, self.round = self.round, self.round + 1
        when = timezone.now() - dt.timedelta(days=40 * n)
        Group.objects.create(name=f"Group {n}")
        alliance = NationalAllianceFactory(country=COUNTRIES[n])
        alliance.coordinators.add(UserFactory())
        focus = FocusAreaFactory(name=f"Theme {n}")
        principles = PrinciplesFactory(version=n + 1)
        organisations = []
        for kind in [Organisation.Kind.GRASSROOTS, Organisation.Kind.TRADE_UNION]:
            organisation = OrganisationFactory(kind=kind, country=COUNTRIES[n], created_at=when)
            organisation.focus_areas.add(focus)
            ContactFactory(organisation=organisation, user=UserFactory())
            MembershipFactory(
                organisation=organisation,
                national_alliance=alliance,
                principles=principles,
                applied_at=when,
                decided_by=UserFactory(),
            )
            organisations.append(organisation)
        MembershipFactory(national_alliance=alliance, status=Membership.Status.APPLIED)
        campaign = CampaignFactory()
        campaign.national_alliances.add(alliance)
        moment = MomentFactory(campaign=campaign)
        convening = ConveningFactory(national_alliance=alliance, moment=moment)
        for organisation in organisations:
            InvitationFactory(convening=convening, organisation=organisation)
        statement = StatementFactory(
            status=Statement.Status.PUBLISHED, published_at=when, moment=moment
        )
        for organisation in organisations:
            SignOnRequestFactory(statement=statement, organisation=organisation)
            SignatureFactory(
                statement=statement,
                organisation=organisation,
                status=Signature.Status.CONFIRMED,
            )
        key, _secret = ApiKey.issue(
            partner_name=f"Partner {n}", scopes=["read"], organisation=organisations[0]
        )
        subscription = WebhookSubscription.objects.create(
            api_key=key,
            target_url=f"https://hooks{n}.partner.example/",
            events=["statement.published"],
            secret=WebhookSubscription.new_secret(),
        )
        WebhookDelivery.objects.create(
            subscription=subscription,
            event="statement.published",
            payload={"statement": {"id": statement.pk}},
            idempotency_id=uuid.uuid4(),
        )
        PublicSubmission.objects.create(
            statement=statement,
            organisation_name=f"Budget Watch {n}",
            country="GH",
            kind="research",
            signatory_name="Kofi Mensah",
            email=f"kofi{n}@budgetwatch.example",
            status=PublicSubmission.Status.FAILED,
            error="the organisation could not be saved",
        )
        record(actor=None, action="test.change", target=organisations[0], note="round")
        someone = UserFactory()
        Authenticator.objects.create(user=someone, type="totp", data={"secret": "JBSWY3DP"})
        UserSession.objects.create(
            user=someone, session_key=uuid.uuid4().hex, ip="192.0.2.1", user_agent="Browser"
        )
        queue_email(Email(key=f"admin-test:{n}", to_email=f"round{n}@example.org", template="x"))


@pytest.fixture
def rows(db):
    return Rows()


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_changelist_queries_do_not_grow_with_rows(convenor_client, rows, model):
    rows.add(1)
    few = count_queries(convenor_client, url(model, "changelist"))
    rows.add(3)
    many = count_queries(convenor_client, url(model, "changelist"))
    assert many == few, f"{label(model)}: {few} queries for 1 round of rows, {many} for 4"
    assert many <= CHANGELIST_CEILING


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_changelist_search_works(convenor_client, rows, model):
    rows.add(1)
    if not admin.site.get_model_admin(model).get_search_fields(None):
        pytest.skip("no search on this list")
    response = convenor_client.get(url(model, "changelist"), {"q": "a"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_add_page_loads(convenor_client, secretariat, rows, model, rf):
    request = rf.get("/")
    request.user = secretariat
    if not admin.site.get_model_admin(model).has_add_permission(request):
        pytest.skip("rows of this table are written by the application, never added by hand")
    rows.add(1)
    assert count_queries(convenor_client, url(model, "add")) <= ADD_PAGE_CEILING


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_change_page_loads(convenor_client, rows, model):
    rows.add(1)
    instance = model._default_manager.order_by("pk").first()
    assert count_queries(convenor_client, url(model, "change", instance.pk)) <= (
        CHANGE_PAGE_CEILING
    )


def test_organisation_page_edits_contacts_and_memberships_inline(convenor_client, uganda_member):
    ContactFactory(organisation=uganda_member, name="Sarah Chebet")

    html = convenor_client.get(url(Organisation, "change", uganda_member.pk)).content.decode()

    assert "Sarah Chebet" in html
    assert 'name="contacts-TOTAL_FORMS"' in html
    assert 'name="memberships-TOTAL_FORMS"' in html


def test_organisation_autocomplete_finds_by_name(convenor_client, uganda_member):
    response = convenor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "members",
            "model_name": "membership",
            "field_name": "organisation",
            "term": "Kapchorwa",
        },
    )
    assert [result["text"] for result in response.json()["results"]] == [uganda_member.name]


def test_site_header_is_the_app_name(convenor_client):
    assert "Alliance Hub" in convenor_client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize(
    "persona",
    ["convenor", "uganda_coordinator", "representative", "outsider"],
)
def test_people_who_are_not_staff_are_sent_to_the_admin_login(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    for path in [reverse("admin:index"), url(Organisation, "changelist")]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_region_filter_lists_the_five_regions_and_filters_by_derived_region(
    convenor_client, uganda_member
):
    OrganisationFactory(name="Collectif de Montreuil", country="FR")

    response = convenor_client.get(url(Organisation, "changelist"), {"region": "africa"})

    html = response.content.decode()
    assert "Kapchorwa Women Farmers Cooperative" in html
    assert "Collectif de Montreuil" not in html
    assert {"Africa", "Americas", "Asia", "Europe", "Oceania"} <= set(
        re.findall(r'<a href="\?region=[a-z]+"[^>]*>([^<]+)</a>', html)
    )


def test_convenor_sends_failed_public_submissions_through_the_processor_again(
    convenor_client, rows, django_capture_on_commit_callbacks
):
    rows.add(1)
    failed = PublicSubmission.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = convenor_client.post(
            url(PublicSubmission, "changelist"),
            {"action": "process_again", "_selected_action": [failed.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    # Tasks run in-process here: the processor has taken it again and made the signature.
    assert failed.status == PublicSubmission.Status.PROCESSED
    assert failed.error == ""
    assert failed.signature.organisation.name == "Budget Watch 0"
