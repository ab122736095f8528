"""Signers at risk: nobody learns whether an organisation signed unless its signature is
listed publicly (or they are a convenor or its own people), nobody signs in the name of
an existing organisation without being verified as its own, and counted-only signatures
are named to convenors only. Each channel is tried as a stranger would try it: the
public form, its emails, the confirmation page, the partner API and its webhooks."""

import re

import pytest
from django.core import mail

from alliance.api.models import ApiKey, WebhookDelivery, WebhookSubscription
from alliance.api.scopes import Scope
from alliance.outbox.models import OutgoingMessage
from alliance.outbox.services import render
from statements import services
from statements.models import Signature, Statement
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    SignatureFactory,
    SignOnRequestFactory,
    StatementFactory,
    UserFactory,
)
from tests.fixtures.personas import CONVENORS

READ_UNLISTED = "read:unlisted"

# What differs between two answers that must otherwise be the same: tokens.
TOKENS = [
    (re.compile(r"/statements/confirm/[\w-]+/"), "/statements/confirm/TOKEN/"),
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r"\?to=[\w:%.-]+"), "?to=TOKEN"),
]


def without_tokens(text: str) -> str:
    for pattern, replacement in TOKENS:
        text = pattern.sub(replacement, text)
    return text


@pytest.fixture
def open_to_anyone(db):
    return StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)


@pytest.fixture
def at_risk(uganda):
    """A member that works where civic space is shrinking: not in the public directory."""
    from tests.factories import MembershipFactory

    organisation = OrganisationFactory(
        name="Bangladesh Garment Workers' Solidarity Centre", country="BD", listed_publicly=False
    )
    MembershipFactory(organisation=organisation, national_alliance=uganda)
    ContactFactory(organisation=organisation, email="shirin@bgwsc.example", name="Shirin Akter")
    return organisation


STATES = ["not signed", "signed listed", "signed counted only"]


def sign_as(statement, organisation, state):
    if state != "not signed":
        SignatureFactory(
            statement=statement,
            organisation=organisation,
            signatory_name="Shirin Akter",
            email="shirin@bgwsc.example",
            listed_publicly=state == "signed listed",
        )


def public_form(client, statement, organisation, email="stranger@attacker.example"):
    return client.post(
        f"/statements/{statement.slug}/sign/public/",
        {
            "organisation_name": organisation.name.lower(),
            "country": organisation.country.code,
            "kind": "network",
            "signatory_name": "A Stranger",
            "email": email,
            "visibility": "listed",
        },
        follow=True,
    )


# --- Rule 1: the same answer whatever the organisation did --------------------------------


@pytest.mark.django_db
def test_the_public_form_answers_a_stranger_the_same_whatever_the_organisation_did(client, at_risk):
    """Page, email and confirmation page: byte for byte the same, apart from tokens,
    whether the organisation has not signed, signed listed or signed counted only."""
    answers = []
    for state in STATES:
        statement = StatementFactory(
            status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE, slug="davos"
        )
        sign_as(statement, at_risk, state)
        OutgoingMessage.objects.all().delete()
        page = public_form(client, statement, at_risk)
        assert page.status_code == 200
        services.process_public_submissions()
        (message,) = OutgoingMessage.objects.filter(to_email="stranger@attacker.example")
        email = render(message)
        token = re.search(r"/statements/confirm/([\w-]+)/", email.body).group(1)
        confirmed = client.post(f"/statements/confirm/{token}/")
        claim = Signature.objects.get(token=token)
        answers.append(
            (
                without_tokens(page.content.decode()),
                message.template,
                email.subject,
                without_tokens(email.body),
                without_tokens(confirmed.content.decode()),
            )
        )
        # It counts nowhere and names nobody, and holds no place.
        assert claim.status == Signature.Status.PENDING_APPROVAL
        assert statement.signatures.counted().count() == (state != "not signed")
        statement.signatures.all().delete()
        statement.delete()
    assert answers[0] == answers[1] == answers[2]
    assert "had already signed" not in answers[0][3]


@pytest.mark.django_db
def test_no_already_signed_email_ever_reaches_an_address_not_of_the_organisation(
    client, open_to_anyone, at_risk
):
    sign_as(open_to_anyone, at_risk, "signed counted only")
    public_form(client, open_to_anyone, at_risk, email="someone@elsewhere.example")
    services.process_public_submissions()
    templates = set(OutgoingMessage.objects.values_list("template", flat=True))
    assert templates == {"statement_signature_confirmation"}


@pytest.mark.django_db
def test_the_organisations_own_address_is_told_it_signed(client, open_to_anyone, at_risk):
    sign_as(open_to_anyone, at_risk, "signed counted only")
    ContactFactory(organisation=at_risk, email="director@bgwsc.example")
    public_form(client, open_to_anyone, at_risk, email="Director@bgwsc.example")
    services.process_public_submissions()
    message = OutgoingMessage.objects.get()
    assert (message.template, message.to_email) == (
        "statement_already_signed",
        "Director@bgwsc.example",
    )


def signing_key(*, acting_for=None, organisation=None, scopes=(Scope.READ, Scope.WRITE_SIGNATURES)):
    key, secret = ApiKey.issue(
        partner_name="Campaign site",
        scopes=list(scopes),
        acting_for=acting_for,
        organisation=organisation,
    )
    key.secret = secret
    return key


def post_signature(key, statement, organisation, email="stranger@attacker.example"):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    return client.post(
        f"/api/v1/statements/{statement.pk}/signatures/",
        {
            "organisation": organisation.pk,
            "signatory_name": "A Stranger",
            "signatory_email": email,
            "listed_publicly": True,
        },
        format="json",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("acting_for", ["nobody", "uganda_coordinator", "brazil_coordinator"])
def test_the_api_answers_a_key_that_does_not_speak_for_the_organisation_the_same(
    request, uganda_member, acting_for
):
    """Found: 409 `already_signed` for an organisation that signed counted only."""
    from django.core.cache import cache

    user = None if acting_for == "nobody" else request.getfixturevalue(acting_for)
    key = signing_key(acting_for=user)
    answers = []
    for state in STATES:
        cache.clear()  # the throttle's counts
        statement = StatementFactory(
            status=Statement.Status.OPEN, audience=Statement.Audience.MEMBERS
        )
        sign_as(statement, uganda_member, state)
        response = post_signature(key, statement, uganda_member)
        body = response.json()
        claim = Signature.objects.get(pk=body.pop("id"))
        body.pop("created_at")
        email = render(OutgoingMessage.objects.get(to_email="stranger@attacker.example"))
        answers.append((response.status_code, body, without_tokens(email.body)))
        assert claim.status == Signature.Status.PENDING_VERIFICATION
        assert claim.needs_approval
        OutgoingMessage.objects.all().delete()
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 202


@pytest.mark.django_db
@pytest.mark.parametrize("speaker", ["own organisation's key", "convenor", "representative"])
def test_a_key_that_speaks_for_the_organisation_signs_at_once_and_may_hear_it_signed(
    request, uganda_member, speaker
):
    if speaker == "own organisation's key":
        key = signing_key(organisation=uganda_member)
    else:
        key = signing_key(acting_for=request.getfixturevalue(speaker))
    statement = StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.MEMBERS)
    first = post_signature(key, statement, uganda_member, email="sarah@kapchorwa.test")
    assert first.status_code == 201
    assert Signature.objects.get(pk=first.json()["id"]).status == Signature.Status.CONFIRMED
    again = post_signature(key, statement, uganda_member, email="sarah@kapchorwa.test")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_signed"


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


# --- Rule 3: counted-only signatures are named to convenors only ---------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, scopes, sees_unlisted",
    [
        ("nobody", [Scope.READ], False),
        ("nobody", [Scope.READ, Scope.READ_CONTACTS], False),
        ("uganda_coordinator", [Scope.READ, Scope.READ_CONTACTS], False),
        ("representative", [Scope.READ, Scope.READ_CONTACTS], False),
        ("convenor", [Scope.READ, Scope.READ_CONTACTS], False),
        ("superuser_convenor", [Scope.READ, Scope.READ_CONTACTS], False),
        ("convenor", [Scope.READ, READ_UNLISTED], True),
        ("superuser_convenor", [Scope.READ, READ_UNLISTED], True),
        ("superuser", [Scope.READ, READ_UNLISTED], True),
    ],
)
def test_api_names_counted_only_signers_to_a_convenors_key_made_for_it_only(
    request, who, scopes, sees_unlisted
):
    from rest_framework.test import APIClient

    if who == "superuser":
        user = UserFactory(email="root@alliance.test", is_superuser=True, is_staff=True)
    else:
        user = None if who == "nobody" else request.getfixturevalue(who)
    key = signing_key(acting_for=user, scopes=scopes)
    published = StatementFactory(status=Statement.Status.PUBLISHED)
    open_one = StatementFactory(status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    for statement in (published, open_one):
        listed = SignatureFactory(statement=statement, listed_publicly=True)
        hidden = SignatureFactory(
            statement=statement,
            listed_publicly=False,
            organisation=OrganisationFactory(name=f"Hidden Org {statement.pk}"),
        )
        response = client.get(f"/api/v1/statements/{statement.pk}/signatures/")
        assert response.status_code == 200
        seen = {row["id"] for row in response.json()["results"]}
        assert (hidden.pk in seen) is sees_unlisted
        assert (hidden.organisation.name in response.content.decode()) is sees_unlisted
        if statement == published:
            assert listed.pk in seen


def test_read_unlisted_is_only_for_a_key_acting_for_a_convenor(db, uganda_coordinator):
    with pytest.raises(ValueError, match="read:unlisted"):
        ApiKey.issue(partner_name="x", scopes=[READ_UNLISTED])
    with pytest.raises(ValueError, match="read:unlisted"):
        ApiKey.issue(partner_name="x", scopes=[READ_UNLISTED], acting_for=uganda_coordinator)


@pytest.mark.django_db
def test_a_key_whose_convenor_stops_being_one_stops_seeing_the_unlisted(convenor):
    key = signing_key(acting_for=convenor, scopes=[Scope.READ, READ_UNLISTED])
    assert key.sees_unlisted
    convenor.is_convenor = False
    convenor.save()
    key.refresh_from_db()
    assert not key.sees_unlisted


# --- Rule 4: webhooks go only to keys that may see what they are about ---------------------


@pytest.mark.django_db
def test_signature_webhooks_go_only_to_keys_that_may_see_them(convenor, uganda_member):
    def subscribe(key):
        return WebhookSubscription.objects.create(
            api_key=key,
            target_url="https://partner.example/hook",
            events=["signature.confirmed"],
            secret="whsec_x",
        )

    public = subscribe(signing_key(scopes=[Scope.READ]))
    unlisted = subscribe(signing_key(acting_for=convenor, scopes=[Scope.READ, READ_UNLISTED]))
    own = subscribe(signing_key(organisation=uganda_member, scopes=[Scope.READ]))
    invited_only = StatementFactory(status=Statement.Status.OPEN)
    services.sign(
        statement=invited_only,
        organisation=uganda_member,
        signatory=services.Signatory(name="Sarah", email="sarah@x.test", listed_publicly=False),
    )
    deliveries = {d.subscription_id: d.payload for d in WebhookDelivery.objects.all()}
    assert public.pk not in deliveries  # cannot see an invited-only statement
    assert deliveries[unlisted.pk]["signature"]["organisation"] == uganda_member.pk
    assert deliveries[own.pk]["signature"]["organisation"] == uganda_member.pk
    WebhookDelivery.objects.all().delete()
    open_to_anyone = StatementFactory(
        status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE
    )
    other = OrganisationFactory(name="Counted Only Collective")
    services.sign(
        statement=open_to_anyone,
        organisation=other,
        signatory=services.Signatory(name="Ana", email="ana@x.test", listed_publicly=False),
    )
    payload = WebhookDelivery.objects.get(subscription=public).payload
    assert payload["signature"]["organisation"] is None
    assert payload["signature"]["listed_publicly"] is None
    assert set(payload["signature"]) == {"id", "statement", "organisation", "listed_publicly"}


# --- Confirmation emails: the public form cannot flood an inbox ----------------------------


@pytest.mark.django_db
def test_over_the_limits_no_confirmation_email_goes(client, settings, open_to_anyone):
    settings.PUBLIC_SIGNING_LIMITS = {
        "ip": 100,
        "email": 100,
        "window_seconds": 3600,
        "email_per_day": 2,
    }
    from django.core.cache import cache

    cache.clear()
    for n in range(4):
        statement = StatementFactory(
            status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE
        )
        public_form(
            client,
            statement,
            OrganisationFactory.build(name=f"Org {n}", country="KE"),
            email="victim@inbox.example",
        )
    services.process_public_submissions()
    sent = OutgoingMessage.objects.filter(to_email="victim@inbox.example").count()
    assert sent == 2
    flagged = Signature.objects.filter(email="victim@inbox.example", suspicious=True)
    assert flagged.count() == 2
    assert not mail.outbox or all("victim@inbox.example" not in m.to for m in mail.outbox[2:])


# --- Pages and exports: each persona -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Statement.Status.OPEN, Statement.Status.PUBLISHED])
# Invited: the coordinator of the organisation asked reads the statement and its
# alliance's progress.
@pytest.mark.parametrize("audience", [Statement.Audience.ANYONE, Statement.Audience.INVITED])
@pytest.mark.parametrize(
    "persona, sees",
    [
        ("anonymous", False),
        ("outsider", False),
        ("brazil_coordinator", False),
        ("uganda_coordinator", False),
        ("representative", True),  # its own signature
        ("convenor", True),
        ("superuser_convenor", True),
    ],
)
def test_pages_name_a_counted_only_signer_to_convenors_and_its_own_people_only(
    request, client_for, uganda_member, status, audience, persona, sees
):
    statement = StatementFactory(status=status, audience=audience)
    SignOnRequestFactory(statement=statement, organisation=uganda_member, answer="signed")
    SignatureFactory(statement=statement, organisation=uganda_member, listed_publicly=False)
    SignatureFactory(
        statement=statement, organisation=OrganisationFactory(name="Openly Signed Collective")
    )
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = client_for(user)
    seen = []
    for path in (
        statement.get_absolute_url(),
        f"/statements/{statement.slug}/tracking/",
        f"/statements/{statement.slug}/signatories.csv",
        f"/members/o/{uganda_member.slug}/",
        f"/api/v1/statements/{statement.pk}/signatures/",
    ):
        response = client.get(path)
        assert response.status_code < 500
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code == 200 and path.startswith("/statements/"):
            seen.append(uganda_member.name in body.decode())
        elif response.status_code == 200 and path.startswith("/members/o/"):
            # The organisation's own page may be seen; it never lists this signature
            # to someone who may not know of it.
            seen.append(statement.slug in body.decode() or str(statement) in body.decode())
    assert any(seen) is sees


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


@pytest.mark.parametrize("answer", ["declined", "signed_counted_only", "no_reply"])
def test_a_coordinators_progress_reads_the_same_for_a_refusal_and_a_counted_only_signature(
    client_for, uganda_coordinator, uganda_member, answer
):
    # The coordinator sees how many of their organisations answered, never which way:
    # a refusal and a signature counted only read the same.
    statement = StatementFactory(status=Statement.Status.OPEN)
    SignOnRequestFactory(
        statement=statement,
        organisation=uganda_member,
        answer="no_reply" if answer == "no_reply" else answer.split("_")[0],
    )
    if answer == "signed_counted_only":
        SignatureFactory(statement=statement, organisation=uganda_member, listed_publicly=False)

    response = client_for(uganda_coordinator).get(statement.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    progress = re.search(r'<section class="alliance-progress".*?</section>', html, re.S).group(0)
    answered = 0 if answer == "no_reply" else 1
    assert progress_figures(progress) == {
        "Organisations asked": 1,
        "Answered (signed or declined)": answered,
        "Not answered yet": 1 - answered,
        "Signed and listed publicly": 0,
    }
    assert uganda_member.name not in html


def progress_figures(section: str) -> dict[str, int]:
    return {
        label.strip(): int(number)
        for label, number in re.findall(r"<dt>(.*?)</dt>\s*<dd>(\d+)</dd>", section, re.S)
    }
