"""The directory's bulk action "invite to a statement" (members.bulk), through the
circulation service: the organisations already asked are left as they are."""

from operator import attrgetter

from django.utils.translation import gettext_lazy as _

from members import bulk
from statements import services
from statements.models import Statement, title_of


def circulable_statements(user):
    """The statements open for sign-on that `user` may circulate."""
    open_statements = Statement.objects.filter(status=Statement.Status.OPEN).order_by("-created_at")
    return open_statements.annotate(title=title_of()).filter(
        pk__in=[
            statement.pk
            for statement in open_statements
            if user.has_perm("statements.circulate_statement", statement)
        ]
    )


def _invite(actor, statement, organisations) -> int:
    return services.circulate(statement=statement, organisations=organisations, sent_by=actor)


def register() -> None:
    bulk.register(
        bulk.Action(
            name="statement_invite",
            label=_("Invite to sign a statement"),
            targets=circulable_statements,
            target_label=_("Statement"),
            apply=_invite,
            target_name=attrgetter("title"),
        )
    )
