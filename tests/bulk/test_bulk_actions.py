"""What a bulk action does: "all matching" is the filter evaluated again on the server,
one audit entry per action with the selection, a double POST acts once, the export holds
the rows the actor may take out, bad input is a clear 400, and the queries do not grow
with the selection."""

import csv
import io
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.core.audit.models import AuditEntry
from alliance.core.outbox.models import OutgoingMessage
from members.models import BulkAction, Organisation
from statements.models import SignOnRequest, Statement
from tests.factories import MembershipFactory, StatementFactory

BULK = reverse("members:bulk")


def post(client, **data):
    data.setdefault("key", str(uuid.uuid4()))
    return client.post(BULK, data)


def test_all_matching_acts_on_the_filter_evaluated_on_the_server(
    client_for, convenor, selection, gender, brazil_member
):
    response = post(
        client_for(convenor), action="focus_add", target=gender.pk, all="1", filter="country=UG"
    )

    assert response.status_code == 302
    done = BulkAction.objects.get()
    assert done.selection == {"filter": "country=UG"}
    assert (done.selected_count, done.changed_count) == (2, 2)
    assert set(gender.organisations.values_list("country", flat=True)) == {"UG"}
    assert not brazil_member.focus_areas.exists()


def test_a_coordinators_all_matching_skips_other_alliances_and_says_so(
    client_for, uganda_coordinator, selection, gender
):
    response = post(client_for(uganda_coordinator), action="focus_add", target=gender.pk, all="1")

    done = BulkAction.objects.get()
    assert (done.selected_count, done.outside_count, done.changed_count) == (3, 1, 2)
    page = client_for(uganda_coordinator).get(response["Location"]).content.decode()
    assert "skipped: not in a national alliance you coordinate" in page


def test_the_confirm_page_says_how_many_will_be_skipped_before_acting(
    client_for, brazil_coordinator, selection, gender
):
    response = client_for(brazil_coordinator).get(
        BULK, {"action": "focus_add", "target": gender.pk, "ids": [o.pk for o in selection]}
    )

    content = response.content.decode()  # in João's language, Portuguese
    assert "3 organizações selecionadas" in content
    assert "2 serão ignoradas: não estão numa aliança nacional que coordena" in content
    assert not gender.organisations.exists()  # nothing done on a GET


def test_one_audit_entry_per_action_with_the_selection_and_counts(
    client_for, uganda_coordinator, selection, gender
):
    post(
        client_for(uganda_coordinator),
        action="focus_add",
        target=gender.pk,
        ids=[o.pk for o in selection],
    )

    entry = AuditEntry.objects.get(action__startswith="directory.bulk")
    assert entry.action == "directory.bulk.focus_add"
    assert entry.actor == uganda_coordinator
    assert entry.changes["selected"] == [None, 3]
    assert entry.changes["skipped_outside"] == [None, 1]
    assert entry.changes["changed"] == [None, 2]
    assert str([o.pk for o in selection]) in entry.note


def test_a_double_post_invites_once(client_for, convenor, selection, open_statement):
    client = client_for(convenor)
    data = {
        "action": "statement_invite",
        "target": open_statement.pk,
        "ids": [o.pk for o in selection],
        "key": str(uuid.uuid4()),
    }

    first = client.post(BULK, data)
    second = client.post(BULK, data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert BulkAction.objects.count() == 1
    assert AuditEntry.objects.filter(action__startswith="directory.bulk").count() == 1
    assert SignOnRequest.objects.filter(statement=open_statement).count() == 3
    invitations = OutgoingMessage.objects.filter(template="statement_invitation")
    assert sorted(invitations.values_list("to_email", flat=True)) == sorted(
        f"contact@{o.slug}.test" for o in selection
    )


def test_inviting_again_skips_those_already_asked(client_for, convenor, selection, open_statement):
    client = client_for(convenor)
    post(client, action="statement_invite", target=open_statement.pk, ids=[selection[0].pk])
    post(client, action="statement_invite", target=open_statement.pk, all="1")

    done = BulkAction.objects.first()  # the newest
    assert (done.selected_count, done.changed_count, done.unchanged_count) == (3, 2, 1)
    assert SignOnRequest.objects.filter(statement=open_statement).count() == 3


def test_someone_else_cannot_replay_a_key(
    client_for, convenor, uganda_coordinator, selection, gender
):
    key = str(uuid.uuid4())
    post(client_for(convenor), action="focus_add", target=gender.pk, ids=[selection[0].pk], key=key)

    response = post(
        client_for(uganda_coordinator),
        action="focus_add",
        target=gender.pk,
        ids=[selection[1].pk],
        key=key,
    )

    assert response.status_code == 403
    assert BulkAction.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"action": "focus_add", "ids": ["abc"]},
        {"action": "focus_add"},  # nothing selected
        {"action": "no-such-action", "all": "1"},
        {"action": "focus_add", "all": "1", "target": "999999"},
        {"action": "focus_add", "all": "1", "target": "x"},
        {"action": "alliance_add", "all": "1", "filter": "country=XX"},
        {"action": "statement_invite", "all": "1", "filter": "focus=no-such-area"},
        {"action": "export", "all": "1", "filter": "status=nonsense"},
    ],
)
def test_bad_input_is_a_clear_400(client_for, convenor, selection, gender, data):
    for response in (client_for(convenor).get(BULK, data), post(client_for(convenor), **data)):
        assert response.status_code == 400
        assert b"field__errors" in response.content or b'role="alert"' in response.content
    assert not BulkAction.objects.exists()


def test_too_many_ticked_is_refused(client_for, convenor, selection):
    response = post(client_for(convenor), action="export", ids=list(range(1, 1100)))
    assert response.status_code == 400


def test_a_closed_statement_cannot_be_chosen(client_for, convenor, selection, open_statement):
    open_statement.status = "published"
    open_statement.save(update_fields=["status"])
    response = post(
        client_for(convenor), action="statement_invite", target=open_statement.pk, all="1"
    )
    assert response.status_code == 400
    assert not SignOnRequest.objects.exists()


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_holds_the_selection_the_actor_may_take_out(
    client_for, convenor, uganda_coordinator, brazil_coordinator, selection, gender
):
    selection[0].focus_areas.add(gender)
    ids = [o.pk for o in selection]
    exports = {}
    for user in (convenor, uganda_coordinator):
        response = post(client_for(user), action="export", ids=ids)
        exports[user] = BulkAction.objects.get(actor=user)
        rows = _csv(client_for(user).get(reverse("members:bulk_export", args=[exports[user].pk])))
        exports[user].rows = rows

    assert [row["name"] for row in exports[convenor].rows] == sorted(o.name for o in selection)
    assert [row["name"] for row in exports[uganda_coordinator].rows] == sorted(
        o.name for o in selection[:2]
    )
    first = next(row for row in exports[convenor].rows if row["name"] == selection[0].name)
    assert first["focus_areas"] == "gender"
    assert first["country"] == "UG"
    assert "Uganda Fight Inequality Alliance: approved" in first["memberships"]
    # Only its actor downloads an export.
    url = reverse("members:bulk_export", args=[exports[convenor].pk])
    assert client_for(brazil_coordinator).get(url).status_code == 404
    assert response.status_code == 302


def _organisations(uganda, count, prefix):
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"{prefix} group {n:03}",
                slug=f"{prefix}-group-{n}",
                kind="grassroots",
                country="UG",
            )
            for n in range(count)
        ]
    )
    for organisation in organisations:
        MembershipFactory(organisation=organisation, national_alliance=uganda)
    return organisations


@pytest.mark.parametrize("action", ["focus_add", "alliance_add"])
def test_a_bulk_action_runs_the_same_queries_for_5_or_60_rows(
    client_for, convenor, uganda, brazil, gender, action
):
    small = _organisations(uganda, 5, "small")
    large = _organisations(uganda, 60, "large")
    target = gender if action == "focus_add" else brazil
    client = client_for(convenor)

    def queries(organisations) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = post(
                client, action=action, target=target.pk, ids=[o.pk for o in organisations]
            )
        assert response.status_code == 302
        return len(captured)

    queries(_organisations(uganda, 1, "warm"))  # the first reads the content types once
    assert queries(small) == queries(large)
    done = target.memberships if action == "alliance_add" else target.organisations
    assert done.count() == 66


def test_the_confirm_page_runs_the_same_queries_for_5_or_60_rows(
    client_for, convenor, uganda, gender
):
    small = _organisations(uganda, 5, "small")
    large = _organisations(uganda, 60, "large")
    client = client_for(convenor)

    def queries(organisations) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(
                BULK,
                {"action": "focus_add", "target": gender.pk, "ids": [o.pk for o in organisations]},
            )
        assert response.status_code == 200
        return len(captured)

    assert queries(small) == queries(large)


def test_above_the_threshold_a_task_does_the_work(
    client_for, convenor, selection, gender, settings, django_capture_on_commit_callbacks
):
    settings.BULK_TASK_THRESHOLD = 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(client_for(convenor), action="focus_add", target=gender.pk, all="1")
    done = BulkAction.objects.get()
    assert done.status == "queued" and not gender.organisations.exists()
    page = client_for(convenor).get(response["Location"]).content.decode()
    assert 'id="bulk-progress-bar"' in page and "hx-get" in page

    for callback in callbacks:  # the task, run in-process here (a worker in test_bulk_worker)
        callback()

    done.refresh_from_db()
    assert (done.status, done.changed_count) == ("done", 3)
    assert AuditEntry.objects.filter(action="directory.bulk.focus_add").count() == 1
    progress = client_for(convenor).get(reverse("members:bulk_progress", args=[done.pk]))
    assert progress["HX-Refresh"] == "true"


def test_the_task_runs_once_however_often_it_is_queued(
    convenor, selection, gender, settings, django_capture_on_commit_callbacks
):
    from members import bulk, tasks

    settings.BULK_TASK_THRESHOLD = 2
    with django_capture_on_commit_callbacks(execute=False):
        done = bulk.act(
            actor=convenor,
            action=bulk.get_action("focus_remove"),
            target=gender,
            selection=bulk.Selection(query=""),
            key=uuid.uuid4(),
        )
    for organisation in selection:
        organisation.focus_areas.add(gender)

    assert tasks.run_bulk_action(done.pk) == "done"
    assert tasks.run_bulk_action(done.pk) == "skipped"
    assert AuditEntry.objects.filter(action="directory.bulk.focus_remove").count() == 1
    assert not gender.organisations.exists()


def test_the_directory_offers_the_selection_to_those_who_may_act(client_for, personas, selection):
    url = reverse("members:directory")
    for persona in ("convenor", "uganda_coordinator", "brazil_coordinator"):
        content = client_for(personas[persona]).get(url).content.decode()
        assert 'id="bulk-form"' in content, persona
        assert f'name="ids" value="{selection[0].pk}"' in content
    for persona in ("representative", "outsider", "anonymous"):
        content = client_for(personas[persona]).get(url).content.decode()
        assert "bulk-form" not in content, persona


def test_from_the_directory_the_target_is_asked_for_without_an_error(
    client_for, uganda_coordinator, selection, open_statement
):
    response = client_for(uganda_coordinator).get(
        BULK, {"action": "statement_invite", "ids": [selection[0].pk], "filter": ""}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "field__errors" not in content and "Before you confirm" not in content
    assert f'<option value="{open_statement.pk}">Tax the richest one per cent</option>' in content


def test_a_bulk_action_whose_task_was_lost_is_queued_again(
    convenor, selection, gender, settings, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from members import bulk

    settings.BULK_TASK_THRESHOLD = 2
    with django_capture_on_commit_callbacks(execute=False):  # the broker lost it
        lost = bulk.act(
            actor=convenor,
            action=bulk.get_action("focus_add"),
            target=gender,
            selection=bulk.Selection(query=""),
            key=uuid.uuid4(),
        )
    assert bulk.requeue_lost_bulk_actions() == []  # too recent to be called lost
    BulkAction.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert bulk.requeue_lost_bulk_actions() == [lost.pk]

    lost.refresh_from_db()
    assert (lost.status, lost.changed_count) == ("done", 3)


def test_choosing_a_statement_runs_the_same_queries_for_1_or_8_open_statements(
    client_for, convenor, selection, open_statement
):
    client = client_for(convenor)

    def choices() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(
                BULK, {"action": "statement_invite", "ids": [selection[0].pk], "filter": ""}
            )
        assert response.status_code == 200
        return len(captured), response.content.decode()

    one, _ = choices()
    for number in range(7):
        StatementFactory(status=Statement.Status.OPEN, text__title=f"Open statement {number}")
    eight, content = choices()

    assert one == eight
    assert f'<option value="{open_statement.pk}">Tax the richest one per cent</option>' in content
    assert content.count("Open statement ") == 7


@pytest.mark.django_db
def test_progress_read_while_the_run_commits_never_goes_back(uganda_coordinator):
    """The page reads the action (still queued), the run commits and takes its figure out
    of the cache, then the page asks for the figure: it shows the run done, not 0."""
    from django.core.cache import cache

    from members import bulk

    queued = BulkAction.objects.create(
        key=uuid.uuid4(), actor=uganda_coordinator, action="focus_add", total=0
    )
    cache.set(bulk.progress_key(queued.pk), 1_000)
    read_by_the_page = BulkAction.objects.get(pk=queued.pk)
    assert bulk.rows_done(read_by_the_page) == 1_000

    BulkAction.objects.filter(pk=queued.pk).update(status=BulkAction.Status.DONE, total=2_000)
    cache.delete(bulk.progress_key(queued.pk))

    assert bulk.rows_done(read_by_the_page) == 2_000
    not_started = BulkAction.objects.create(
        key=uuid.uuid4(), actor=uganda_coordinator, action="focus_add", total=0
    )
    assert bulk.rows_done(not_started) == 0
