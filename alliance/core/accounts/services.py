from allauth.usersessions.models import UserSession
from django.db import transaction

from alliance.core.audit.services import record
from alliance.core.permissions import require


def end_sessions(*, account, ended_by, session_ids: list[int] | None = None) -> int:
    """Sign `account` out of these sessions (all, with no ids): each ends at once, wherever
    it is open. Returns how many ended."""
    require(ended_by, "accounts.manage_sessions", account)
    with transaction.atomic():
        sessions = UserSession.objects.filter(user=account)
        if session_ids is not None:
            sessions = sessions.filter(pk__in=session_ids)
        ended = 0
        for session in sessions:
            session.end()
            ended += 1
        if ended:
            record(
                actor=ended_by,
                action="user.sessions_ended",
                target=account,
                changes={"sessions": ended},
            )
    return ended
