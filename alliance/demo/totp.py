"""The code an authenticator app shows for a secret (RFC 6238, as allauth.mfa checks it:
SHA-1, 6 digits, 30-second steps), for the demo logins' fixed secrets.

allauth keeps its own implementation internal; this one exists so that `demo_totp` can
print a code without an app, and so that tests can type one. allauth is the judge.
"""

import base64
import hashlib
import hmac
import struct
import time

PERIOD_SECONDS = 30
DIGITS = 6


def code_at(secret: str, moment: float) -> str:
    key = base64.b32decode(secret, casefold=True)
    counter = struct.pack(">Q", int(moment) // PERIOD_SECONDS)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**DIGITS:0{DIGITS}d}"


def current_code(secret: str) -> str:
    return code_at(secret, time.time())


def seconds_left() -> int:
    return PERIOD_SECONDS - int(time.time()) % PERIOD_SECONDS
