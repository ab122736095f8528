"""Second factors for test users: an authenticator app with a known secret, and the code
it would show, as a person would type it (alliance.demo.totp; allauth checks it)."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.core.cache import cache

from alliance.demo.totp import PERIOD_SECONDS, current_code

# Every enrolled persona shares it: allauth refuses a code twice per user, not per secret.
TOTP_SECRET = "KRSXG5CQMVZHG33OMFZVGZLDOJSXIMJS"

_last_step_used: dict[int, int] = {}


def enrol_totp(user, secret: str = TOTP_SECRET) -> str:
    """As allauth.mfa stores an authenticator app it activated (seed_demo does the same)."""
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)}
    )
    return secret


def fresh_code(user, secret: str = TOTP_SECRET) -> str:
    """The current code, after waiting for the next one if this user already signed in
    with this one (allauth refuses a code used before, as it should)."""
    step = int(time.time()) // PERIOD_SECONDS
    # A code typed in the last seconds of its step may reach the server in the next one
    # (allauth allows no tolerance by default): wait for a fresh step, as a person would.
    near_the_end = PERIOD_SECONDS - time.time() % PERIOD_SECONDS < 5
    if _last_step_used.get(user.pk) == step or near_the_end:
        time.sleep(PERIOD_SECONDS - time.time() % PERIOD_SECONDS + 0.1)
        step += 1
    _last_step_used[user.pk] = step
    return current_code(secret)


def forget_used_codes() -> None:
    """Between tests: user ids come back on SQLite, and allauth remembers a used code by
    user id (in the cache), so a code used in one test would be refused in the next."""
    cache.clear()
    _last_step_used.clear()
