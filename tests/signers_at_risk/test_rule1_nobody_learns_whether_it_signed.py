"""Rule 1: nobody learns whether an organisation signed, unless its signature is listed
publicly or they are a convenor or one of its own people. Every answer a stranger, another
member, a coordinator or a partner key gets is the same whether the organisation has not
signed, signed listed, or signed counted only."""

import re

import pytest

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import render
from statements import services
from statements.models import Signature, Statement
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    SignatureFactory,
    SignOnRequestFactory,
    StatementFactory,
)
from tests.signers_at_risk.channels import (
    STATES,
    post_signature,
    public_form,
    sign_as,
    signing_key,
    without_tokens,
)

# --- Rule 1: the same answer whatever the organisation did --------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr", "es", "pt"])
def test_the_public_form_answers_a_stranger_the_same_whatever_the_organisation_did(
    at_risk, language
):
    """Page, email and confirmation page, in every language: byte for byte the same,
    apart from tokens, whether the organisation has not signed, signed listed or signed
    counted only."""
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
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
        assert message.language == language
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


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_emails_at_the_smtp_server_are_the_same_whatever_the_organisation_did(
    client, smtp_server, at_risk
):
    """Through the real worker and SMTP server: what reaches a stranger's mailbox."""
    import uuid

    # The worker counts rate limits under its own prefix: an address of this run only.
    stranger = f"stranger-{uuid.uuid4().hex[:8]}@attacker.example"
    received = []
    for state in STATES:
        smtp_server.clear()
        statement = StatementFactory(
            status=Statement.Status.OPEN, audience=Statement.Audience.ANYONE, slug="davos"
        )
        sign_as(statement, at_risk, state)
        services.wake_processor_on_next_submission()  # wake the worker each time
        public_form(client, statement, at_risk, email=stranger)
        (message,) = smtp_server.wait_for(1, timeout=30)
        assert message.recipients == [stranger]
        received.append((message.subject, without_tokens(message.body).replace(stranger, "")))
        Signature.objects.filter(statement=statement).delete()
        statement.delete()
    assert received[0] == received[1] == received[2]
    assert "already signed" not in received[0][1]


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
