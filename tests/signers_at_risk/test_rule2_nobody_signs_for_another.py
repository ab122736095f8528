"""Rule 2: nobody signs in the name of an existing organisation without being verified as
one of its people; an unverified signature never holds its place, and a claim approved
from outside it never names an organisation hidden from the directory."""

import pytest

from statements import services
from statements.models import Signature, Statement
from tests.factories import (
    ContactFactory,
    SignatureFactory,
    StatementFactory,
)
from tests.fixtures.personas import CONVENORS
from tests.signers_at_risk.channels import (
    public_form,
    sign_as,
    without_tokens,
)

# --- Rule 2: nobody signs for an organisation without being verified as its own -----------


@pytest.mark.django_db
def test_a_stranger_confirming_from_their_own_mailbox_does_not_sign_for_a_hidden_organisation(
    client, open_to_anyone, at_risk, representative, convenor
):
    """Found: "bangladesh garment workers' solidarity centre", BD, listed, one's own
    address, confirmed from one's own mailbox: a confirmed, listed signature, named on
    publication, and the real representative refused."""
    public_form(client, open_to_anyone, at_risk)
    services.process_public_submissions()
    claim = Signature.objects.get(organisation=at_risk)
    client.post(f"/statements/confirm/{claim.token}/")
    claim.refresh_from_db()
    assert claim.status == Signature.Status.PENDING_APPROVAL
    assert not Signature.objects.live().filter(organisation=at_risk).exists()
    # Its own contact can still sign, and that is the signature that counts.
    own = services.sign(
        statement=open_to_anyone,
        organisation=at_risk,
        signatory=services.Signatory(
            name="Shirin Akter", email="shirin@bgwsc.example", listed_publicly=False
        ),
    )
    assert own.status == Signature.Status.CONFIRMED
    # Approving the claim now changes nothing: the organisation's own came first.
    services.moderate(signature=claim, approve=True, moderator=convenor)
    claim.refresh_from_db()
    assert claim.status == Signature.Status.SUPERSEDED
    services.publish(statement=open_to_anyone, actor=convenor)
    page = client.get(open_to_anyone.get_absolute_url())
    assert at_risk.name not in page.content.decode()
    assert at_risk.name.replace("'", "&#x27;") not in page.content.decode()


@pytest.mark.django_db
def test_an_approved_claim_never_names_an_organisation_hidden_from_the_directory(
    client, open_to_anyone, at_risk, convenor
):
    public_form(client, open_to_anyone, at_risk)
    services.process_public_submissions()
    claim = Signature.objects.get(organisation=at_risk)
    client.post(f"/statements/confirm/{claim.token}/")
    services.moderate(signature=claim, approve=True, moderator=convenor)
    claim.refresh_from_db()
    assert (claim.status, claim.listed_publicly) == (Signature.Status.CONFIRMED, False)


@pytest.mark.django_db
def test_an_address_at_the_verified_domain_is_the_organisations_own(
    client, open_to_anyone, uganda_member
):
    uganda_member.verified_domain = "kapchorwa.test"
    uganda_member.save()
    public_form(client, open_to_anyone, uganda_member, email="new.officer@kapchorwa.test")
    public_form(client, open_to_anyone, uganda_member, email="someone@kapchorwa.test.evil")
    services.process_public_submissions()
    claims = dict(
        Signature.objects.filter(organisation=uganda_member).values_list("email", "needs_approval")
    )
    assert claims == {"new.officer@kapchorwa.test": False, "someone@kapchorwa.test.evil": True}


@pytest.mark.django_db
def test_waiting_public_signatures_never_hold_the_organisations_place(
    client, open_to_anyone, uganda_member, representative
):
    """Found under load: a stranger's unconfirmed signature held the place for 48 h and
    the organisation's own contact was refused (409)."""
    for n in range(25):
        public_form(client, open_to_anyone, uganda_member, email=f"stranger{n}@attacker.example")
    services.process_public_submissions()
    assert Signature.objects.filter(organisation=uganda_member).count() == 25
    response = client.get(open_to_anyone.get_absolute_url())
    assert response.status_code == 200
    client.force_login(representative)
    response = client.post(
        f"/statements/{open_to_anyone.slug}/sign/",
        {
            "signatory_name": "Sarah Chebet",
            "signatory_title": "Chair",
            "email": "rep@kapchorwa.test",
            "visibility": "listed",
        },
    )
    assert response.status_code in (302, 303), response.content[:500]
    (own,) = Signature.objects.live().filter(organisation=uganda_member)
    assert own.email == "rep@kapchorwa.test"


@pytest.mark.django_db(transaction=True)
def test_strangers_and_the_own_contact_at_the_same_moment_leave_the_contacts_signature(
    open_to_anyone, uganda_member
):
    """25 public submissions and 25 signings by the organisation's authorised contact at
    once: exactly one live signature, the contact's; no signing refused but the 24 later
    ones of the contact's (already signed)."""
    import threading

    from django.conf import settings
    from django.db import connections

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("concurrency needs Postgres (SQLite serialises writers)")
    contact = ContactFactory(organisation=uganda_member, email="sarah@kapchorwa.test")
    start = threading.Barrier(50)
    outcomes = []

    def stranger(n):
        try:
            start.wait()
            services.sign_publicly(
                statement=open_to_anyone,
                organisation_name=uganda_member.name,
                country="UG",
                kind="network",
                signatory=services.Signatory(name="X", email=f"s{n}@attacker.example"),
                language="en",
            )
            services.process_public_submissions()
        finally:
            connections.close_all()

    def own(n):
        try:
            start.wait()
            services.sign(
                statement=open_to_anyone,
                organisation=uganda_member,
                signatory=services.Signatory(name="Sarah", email=contact.email),
            )
            outcomes.append("signed")
        except services.AlreadySigned:
            outcomes.append("already")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=stranger, args=(n,)) for n in range(25)]
    threads += [threading.Thread(target=own, args=(n,)) for n in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    services.process_public_submissions()
    assert sorted(outcomes) == ["already"] * 24 + ["signed"]
    (live,) = Signature.objects.live().filter(organisation=uganda_member)
    assert live.email == contact.email
    assert (
        Signature.objects.filter(organisation=uganda_member, status="pending_verification").count()
        == 25
    )


# --- Deciding claims: convenors, and the organisation's coordinator only -------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona, may",
    [
        ("convenor", True),
        ("superuser_convenor", True),
        ("uganda_coordinator", True),
        ("brazil_coordinator", False),
        ("representative", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_may_decide_a_claim(
    client, client_for, personas, open_to_anyone, at_risk, persona, may
):
    public_form(client, open_to_anyone, at_risk)
    services.process_public_submissions()
    claim = Signature.objects.get(organisation=at_risk)
    client.post(f"/statements/confirm/{claim.token}/")
    http = client_for(personas[persona])
    page = http.get("/statements/claims/")
    if persona == "anonymous":
        assert page.status_code == 302
    elif persona in {*CONVENORS, "uganda_coordinator", "brazil_coordinator"}:
        assert page.status_code == 200
        assert (at_risk.name.replace("'", "&#x27;") in page.content.decode()) is may
    else:
        assert page.status_code == 403
    response = http.post(f"/statements/signatures/{claim.pk}/moderate/", {"decision": "approve"})
    claim.refresh_from_db()
    assert (claim.status == Signature.Status.CONFIRMED) is may
    if not may:
        assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_approving_a_claim_answers_a_coordinator_the_same_whether_the_organisation_signed(
    client, client_for, uganda_coordinator, at_risk
):
    answers = []
    for state in ("not signed", "signed counted only"):
        statement = StatementFactory(
            status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE, slug="davos"
        )
        client.logout()
        public_form(client, statement, at_risk)
        services.process_public_submissions()
        claim = Signature.objects.get(organisation=at_risk, needs_approval=True)
        client.post(f"/statements/confirm/{claim.token}/")
        sign_as(statement, at_risk, state)
        http = client_for(uganda_coordinator)
        response = http.post(
            f"/statements/signatures/{claim.pk}/moderate/", {"decision": "approve"}, follow=True
        )
        answers.append(without_tokens(response.content.decode()))
        statement.signatures.all().delete()
        statement.delete()
    assert answers[0] == answers[1]


@pytest.mark.parametrize(
    "domain, accepted",
    [
        ("kapchorwa.test", True),
        ("taxjustice.example.org", True),
        ("gmail.com", False),
        ("Yahoo.fr", False),
        ("not a domain", False),
        ("localhost", False),
        ("someone@kapchorwa.test", False),
    ],
)
def test_a_verified_domain_must_be_the_organisations_own(domain, accepted):
    from django.core.exceptions import ValidationError

    from members.models import validate_organisation_domain

    if accepted:
        validate_organisation_domain(domain)
    else:
        with pytest.raises(ValidationError):
            validate_organisation_domain(domain)


@pytest.mark.django_db
def test_the_claims_page_reads_a_fixed_number_of_queries(client_for, convenor, uganda_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def claims(count):
        for _ in range(count):
            statement = StatementFactory(
                status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE
            )
            SignatureFactory(
                statement=statement,
                organisation=uganda_member,
                status=Signature.Status.PENDING_APPROVAL,
                needs_approval=True,
            )

    client = client_for(convenor)
    claims(2)
    client.get("/statements/claims/")  # the session, once
    with CaptureQueriesContext(connection) as two:
        assert client.get("/statements/claims/").status_code == 200
    claims(5)
    with CaptureQueriesContext(connection) as seven:
        page = client.get("/statements/claims/")
    assert page.content.decode().count("statement-moderate") == 7
    assert len(seven) == len(two)
