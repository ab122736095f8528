"""The pages of statements, one module per journey: the list and a statement's own page
(public_page), drafting, circulation and tracking, signing by members, public signing,
moderation and claims, publication and export. Helpers several of them share are in
_common.

`from statements.views import <view>` works for every view statements/urls.py routes to."""

from statements.views.circulation import circulate, tracking
from statements.views.drafting import edit
from statements.views.moderation import claims, confirm, moderate
from statements.views.public_page import detail, statement_list
from statements.views.public_signing import check_email, sign_publicly, verify
from statements.views.publication import export, publish
from statements.views.signing import respond, sign, withdraw

__all__ = [
    "check_email",
    "circulate",
    "claims",
    "confirm",
    "detail",
    "edit",
    "export",
    "moderate",
    "publish",
    "respond",
    "sign",
    "sign_publicly",
    "statement_list",
    "tracking",
    "verify",
    "withdraw",
]
