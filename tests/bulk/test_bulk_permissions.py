"""Who may act in bulk, and on which rows: persona x action, through the confirm page's
POST. A coordinator's action touches their own alliance's organisations only and says how
many it skipped; a target they may not use is refused with a clear error."""

import uuid

import pytest
from django.urls import reverse

from campaigns.models import Invitation
from members.models import BulkAction, Membership
from statements.models import SignOnRequest

# persona -> (status of the POST, changed, skipped as outside their alliances); for the
# three organisations of `selection` (two Ugandan members, one Brazilian).
MATRIX = {
    "focus_add": {
        "convenor": (302, 3, 0),
        "uganda_coordinator": (302, 2, 1),
        "brazil_coordinator": (302, 1, 2),
        "representative": (403, None, None),
        "outsider": (403, None, None),
        "anonymous": (302, None, None),  # to the sign-in page
    },
    "statement_invite": {
        "convenor": (302, 3, 0),
        "uganda_coordinator": (302, 2, 1),
        "brazil_coordinator": (302, 1, 2),
        "representative": (403, None, None),
        "outsider": (403, None, None),
        "anonymous": (302, None, None),
    },
    "convening_invite": {
        "convenor": (302, 3, 0),
        "uganda_coordinator": (302, 2, 1),
        # Not the organiser of Uganda's convening: it is not offered to them.
        "brazil_coordinator": (400, None, None),
        "representative": (403, None, None),
        "outsider": (403, None, None),
        "anonymous": (302, None, None),
    },
    "alliance_add": {
        # Into Uganda's alliance: the two Ugandan members are in it already.
        "convenor": (302, 1, 0),
        "uganda_coordinator": (302, 0, 1),
        "brazil_coordinator": (400, None, None),
        "representative": (403, None, None),
        "outsider": (403, None, None),
        "anonymous": (302, None, None),
    },
    "export": {
        "convenor": (302, 0, 0),
        "uganda_coordinator": (302, 0, 1),
        "brazil_coordinator": (302, 0, 2),
        "representative": (403, None, None),
        "outsider": (403, None, None),
        "anonymous": (302, None, None),
    },
}


def _target(action, request):
    fixture = {
        "focus_add": "gender",
        "statement_invite": "open_statement",
        "convening_invite": "uganda_convening",
        "alliance_add": "uganda",
    }.get(action)
    return request.getfixturevalue(fixture) if fixture else None


def _changed_rows(action, target, organisations) -> int:
    """What the database says was done, whatever the page says."""
    ids = [o.pk for o in organisations]
    if action == "focus_add":
        return target.organisations.filter(pk__in=ids).count()
    if action == "statement_invite":
        return SignOnRequest.objects.filter(statement=target, organisation__in=ids).count()
    if action == "convening_invite":
        return Invitation.objects.filter(convening=target, organisation__in=ids).count()
    if action == "alliance_add":
        return Membership.objects.filter(national_alliance=target, organisation__in=ids).count()
    return 0


@pytest.mark.parametrize(
    ("action", "persona"),
    [(action, persona) for action, row in MATRIX.items() for persona in row],
)
def test_bulk_action_permission_matrix(request, personas, client_for, selection, action, persona):
    status, changed, outside = MATRIX[action][persona]
    target = _target(action, request)
    before = _changed_rows(action, target, selection)
    data = {"action": action, "ids": [o.pk for o in selection], "key": str(uuid.uuid4())}
    if target is not None:
        data["target"] = target.pk

    response = client_for(personas[persona]).post(reverse("members:bulk"), data)

    assert response.status_code == status
    if persona == "anonymous":
        assert "/accounts/login/" in response["Location"]
    if changed is None:
        assert not BulkAction.objects.exists()
        assert _changed_rows(action, target, selection) == before
        return
    done = BulkAction.objects.get()
    assert response["Location"] == reverse("members:bulk_detail", args=[done.pk])
    assert (done.status, done.outside_count, done.selected_count) == ("done", outside, 3)
    if action != "export":
        assert done.changed_count == changed
        assert _changed_rows(action, target, selection) - before == changed
    page = client_for(personas[persona]).get(response["Location"])
    assert page.status_code == 200
    if outside:
        assert 'class="stat stat--attention"' in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("convenor", 200),
        ("uganda_coordinator", 200),
        ("brazil_coordinator", 200),
        ("representative", 403),
        ("outsider", 403),
    ],
)
def test_confirm_page_matrix(personas, client_for, selection, gender, persona, status):
    response = client_for(personas[persona]).get(
        reverse("members:bulk"),
        {"action": "focus_add", "target": gender.pk, "ids": [o.pk for o in selection]},
    )
    assert response.status_code == status


def test_a_bulk_action_is_read_by_its_actor_and_convenors_only(
    personas, client_for, selection, gender, uganda_coordinator
):
    client_for(uganda_coordinator).post(
        reverse("members:bulk"),
        {"action": "focus_add", "target": gender.pk, "ids": [selection[0].pk]},
    )
    url = reverse("members:bulk_detail", args=[BulkAction.objects.get().pk])
    expected = {
        "convenor": 200,
        "uganda_coordinator": 200,
        "brazil_coordinator": 404,
        "representative": 403,
        "outsider": 403,
    }
    for persona, status in expected.items():
        assert client_for(personas[persona]).get(url).status_code == status, persona


def test_those_who_act_in_bulk_are_those_who_export_the_directory(personas):
    """The directory page shows the bulk bar to whoever may export (one question asked)."""
    for persona, user in personas.items():
        if user is None:
            continue
        assert user.has_perm("members.act_in_bulk") == user.has_perm("members.export_directory"), (
            persona
        )
