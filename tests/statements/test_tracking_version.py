"""The tracking page's version (statements.TrackingVersion): on PostgreSQL the triggers
move it on every way a statement's signatures, sign-on requests and offline receipts are
written, the page kept under it shows each write on the next request, and reads the same
board as the page computed from the data."""

import contextlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from members.models import Organisation
from statements import services, tracking_board
from statements.models import (
    OfflineReceipt,
    Signature,
    SignOnRequest,
    Statement,
    TrackingVersion,
)
from statements.services import Signatory
from tests.factories import (
    OrganisationFactory,
    SignatureFactory,
    SignOnRequestFactory,
    StatementFactory,
)
from tests.statements.conftest import ACCRA_SUBMISSION, rows_of

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"
)


def version_of(statement: Statement) -> int:
    return (
        TrackingVersion.objects.filter(statement=statement)
        .values_list("version", flat=True)
        .first()
        or 0
    )


@contextlib.contextmanager
def moves(statement: Statement, *, still: Statement | None = None):
    """The block moves `statement`'s version (and not `still`'s)."""
    before, other = version_of(statement), still and version_of(still)
    yield
    assert version_of(statement) > before
    if still is not None:
        assert version_of(still) == other


@pytest.fixture
def other_statement(open_statement):
    return StatementFactory()


@pytest.fixture
def asked(open_statement):
    return SignOnRequestFactory(
        statement=open_statement, organisation=OrganisationFactory(name="Mbale Farmers Union")
    )


# --- Every writer moves it ----------------------------------------------------------------


def test_a_new_signature_moves_it(open_statement, other_statement):
    with moves(open_statement, still=other_statement):
        SignatureFactory(statement=open_statement)


def test_signing_by_the_service_moves_it(open_statement, asked):
    with moves(open_statement):
        services.sign(
            statement=open_statement,
            organisation=asked.organisation,
            signatory=Signatory(name="Grace Namono", title="Chair", email="grace@mbale.example"),
        )


def test_a_withdrawal_by_the_service_moves_it(open_statement):
    signature = SignatureFactory(statement=open_statement)
    with moves(open_statement):
        services.withdraw(signature=signature, actor_label="test")


def test_a_moderation_decision_moves_it(open_statement, convenor):
    signature = SignatureFactory(
        statement=open_statement, status=Signature.Status.PENDING_MODERATION
    )
    with moves(open_statement):
        services.moderate(signature=signature, approve=True, moderator=convenor)


def test_a_queryset_update_moves_it(open_statement, other_statement):
    SignatureFactory(statement=open_statement)
    with moves(open_statement, still=other_statement):
        Signature.objects.filter(statement=open_statement).update(listed_publicly=False)


def test_bulk_create_moves_it(open_statement):
    version = open_statement.current_version()
    with moves(open_statement):
        Signature.objects.bulk_create(
            Signature(
                statement=open_statement,
                organisation=OrganisationFactory(),
                version=version,
                signatory_name=f"Signatory {n}",
                email=f"s{n}@example.org",
            )
            for n in range(3)
        )


def test_a_delete_moves_it(open_statement):
    signature = SignatureFactory(statement=open_statement)
    with moves(open_statement):
        signature.delete()
    SignatureFactory(statement=open_statement)
    with moves(open_statement):
        Signature.objects.filter(statement=open_statement).delete()


def test_public_processings_batch_insert_moves_it(client, open_statement):
    open_statement.audience = Statement.Audience.ANYONE
    open_statement.save()
    response = client.post(
        f"/statements/{open_statement.slug}/sign/public/",
        ACCRA_SUBMISSION,
    )
    assert response.status_code == 303
    with moves(open_statement):
        services.process_public_submissions()
    assert Signature.objects.filter(statement=open_statement).count() == 1


def test_an_answer_moves_it(open_statement, asked):
    with moves(open_statement):
        services.decline(signon_request=asked, declined_by="test")


def test_a_new_request_by_circulation_moves_it(open_statement, convenor):
    organisation = OrganisationFactory()
    with moves(open_statement):
        services.circulate(
            statement=open_statement,
            organisations=Organisation.objects.filter(pk=organisation.pk),
            sent_by=convenor,
        )
    assert SignOnRequest.objects.filter(statement=open_statement).count() == 1


def test_a_receipts_scan_erased_moves_it(open_statement):
    signature = SignatureFactory(statement=open_statement, source=Signature.Source.OFFLINE)
    OfflineReceipt.objects.create(signature=signature, channel=OfflineReceipt.Channel.LETTER)
    with moves(open_statement):
        OfflineReceipt.objects.filter(signature=signature).update(scan="")


def test_a_statement_deleted_with_its_requests_leaves_no_version(open_statement):
    # Its requests' deletes write the version again before the statement goes.
    SignOnRequestFactory(statement=open_statement)
    pk = open_statement.pk

    open_statement.delete()
    # The foreign keys are checked at commit: check them now.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    assert not TrackingVersion.objects.filter(statement_id=pk).exists()


# --- The page shows each write on the next request ----------------------------------------


def test_a_new_signature_shows_on_the_next_request(board, asked):
    client, url, statement = board
    assert "Grace Namono" not in rows_of(client.get(url).content.decode())

    SignatureFactory(statement=statement, organisation=asked.organisation, signatory_name="Grace")
    # Written as a bare row, as a worker would: no save() of anything the page reads.
    Signature.objects.filter(statement=statement).update(signatory_name="Grace Namono")
    html = client.get(url).content.decode()

    assert "Grace Namono" in rows_of(html)


def test_a_withdrawal_shows_on_the_next_request(board, asked):
    client, url, statement = board
    signature = SignatureFactory(statement=statement, organisation=asked.organisation)
    assert "Withdrawn and rejected signatures" not in client.get(url).content.decode()

    services.withdraw(signature=signature, actor_label="test")
    html = client.get(url).content.decode()

    assert "Withdrawn and rejected signatures" in html
    assert "withdrawn" in rows_of(html)


def test_an_answer_shows_on_the_next_request(board, asked):
    client, url, statement = board
    assert '<span class="stat__number" id="total-declined">0</span>' in (
        client.get(url).content.decode()
    )

    # A queryset update keeps the answer's latest time: no fingerprint of the answers
    # would see it, the version does.
    SignOnRequest.objects.filter(pk=asked.pk).update(answer=SignOnRequest.Answer.DECLINED)
    html = client.get(url).content.decode()

    assert '<span class="stat__number" id="total-declined">1</span>' in html
    assert "badge--declined" in rows_of(html)


# --- The same board as computed -------------------------------------------------------------


def write_a_signature(statement, organisations):
    SignatureFactory(statement=statement, organisation=organisations[0])


def withdraw_one(statement, organisations):
    services.withdraw(signature=statement.signatures.first(), actor_label="test")


def move_by_queryset(statement, organisations):
    Signature.objects.filter(statement=statement).update(status=Signature.Status.PENDING_MODERATION)


def signatures_in_bulk(statement, organisations):
    """One signature of each organisation, written with bulk_create."""
    version = statement.current_version()
    Signature.objects.bulk_create(
        Signature(
            statement=statement,
            organisation=organisation,
            version=version,
            signatory_name=organisation.name,
            email=f"{organisation.pk}@example.org",
        )
        for organisation in organisations
    )


def bulk_sign(statement, organisations):
    signatures_in_bulk(statement, organisations[:3])


def delete_one(statement, organisations):
    statement.signatures.first().delete()


def decline_one(statement, organisations):
    services.decline(signon_request=statement.signon_requests.last(), declined_by="test")


def ask_one_more(statement, organisations):
    SignOnRequestFactory(statement=statement, organisation=OrganisationFactory(name="Zomba"))


def compared(board: tracking_board.Board) -> tuple:
    return (
        board.totals,
        board.by_alliance,
        board.charts,
        board.to_moderate_count,
        board.removed_count,
        board.page.number,
        board.page.paginator.count,
        board.rows,
    )


@pytest.mark.parametrize(
    "write",
    [
        write_a_signature,
        withdraw_one,
        move_by_queryset,
        bulk_sign,
        delete_one,
        decline_one,
        ask_one_more,
    ],
)
def test_the_board_kept_under_the_version_is_the_board_computed(open_statement, write):
    organisations = [
        OrganisationFactory(name=f"Asked {n}", country=["UG", "BR"][n % 2]) for n in range(5)
    ]
    for organisation in organisations:
        SignOnRequestFactory(statement=open_statement, organisation=organisation)
    SignatureFactory(statement=open_statement, organisation=organisations[4])

    def both() -> tuple[tuple, tuple]:
        read = tracking_board.with_version(Statement.objects).get(pk=open_statement.pk)
        plain = Statement.objects.get(pk=open_statement.pk)
        kept = tracking_board.board(read, answer="", number="1")
        computed = tracking_board.board(plain, answer="", number="1")
        return compared(kept), compared(computed)

    kept, computed = both()  # both warm
    assert kept == computed

    write(open_statement, organisations)
    kept, computed = both()

    assert kept == computed


# --- A fixed number of queries ---------------------------------------------------------------


def sign_many(statement: Statement, how_many: int, *, start: int = 0) -> None:
    """`how_many` organisations asked, each signed, written in bulk."""
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Signatory {n:05d}",
            slug=f"signatory-{n:05d}",
            country=["UG", "KE", "BR"][n % 3],
            kind=Organisation.Kind.GRASSROOTS,
            city="Kampala",
        )
        for n in range(start, start + how_many)
    )
    SignOnRequest.objects.bulk_create(
        SignOnRequest(
            statement=statement, organisation=organisation, answer=SignOnRequest.Answer.SIGNED
        )
        for organisation in organisations
    )
    signatures_in_bulk(statement, organisations)


def queries_of(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_page_runs_the_same_few_queries_at_1200_and_12000_signatures(board):
    client, url, statement = board
    sign_many(statement, 1_200)
    cold, html = queries_of(client, url)
    assert '<span class="stat__number" id="total-signed">1200</span>' in html
    # Warm: the user, the statement with its version, its title.
    warm, html = queries_of(client, url)
    assert warm == 3
    assert "Signatory 00199" in html

    sign_many(statement, 10_800, start=1_200)
    many_cold, html = queries_of(client, url)
    assert '<span class="stat__number" id="total-signed">12000</span>' in html
    many_warm, html = queries_of(client, url)

    assert (many_cold, many_warm) == (cold, warm)


def test_the_kept_board_is_read_by_the_tracking_page_only(board, asked):
    """Counted-only signers are named on the board: a reader without the tracking
    permission never gets the kept page, nor its rows on the statement page."""
    convenor_client, url, statement = board
    SignatureFactory(
        statement=statement,
        organisation=asked.organisation,
        signatory_name="Quiet Signer",
        listed_publicly=False,
    )
    assert "Quiet Signer" in convenor_client.get(url).content.decode()

    client = Client()
    assert client.get(url).status_code in (302, 403)
    statement_page = client.get(statement.get_absolute_url()).content.decode()
    assert "Quiet Signer" not in statement_page
    assert "Mbale Farmers Union" not in statement_page


def test_a_kept_page_of_rows_links_to_the_others(board):
    client, url, statement = board
    sign_many(statement, 201)
    for _ in range(2):  # drawn, then kept
        first = client.get(url).content.decode()
        second = client.get(url, {"page": "2"}).content.decode()
        beyond = client.get(url, {"page": "9"}).content.decode()

        assert "Signatory 00199" in rows_of(first) and "Signatory 00200" not in rows_of(first)
        assert "page=2" in first and "Previous" not in first.split('id="organisations"')[1]
        assert rows_of(second).count("<tr") == 2  # the heading and the last organisation
        assert "Signatory 00200" in rows_of(second) and "page=1" in second
        assert rows_of(beyond) == rows_of(second)
