"""The small test override of alliance.settings: same module, test-friendly defaults.

The environment still decides the database, broker and SMTP server (`make test` points
them at throwaway Postgres, Redis and aiosmtpd); without it the tests run on SQLite with
tasks executed in-process, and the tests that need real services skip.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 50)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://testserver")

from alliance.settings import *  # noqa: E402,F403

# The webhook tests post to a receiver on loopback.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True

# Statements are made and dropped test after test under the same slugs: the public form
# reads its statement every time (tests/statements/test_public_signing.py turns it on).
PUBLIC_SIGNING_STATEMENT_SECONDS = 0

# Hashing passwords slowly is a production feature; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files from the app directories, as runserver does: tests do not run
# collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# allauth limits sign-ins per address (30 a minute): the suite signs in hundreds of times a
# minute from 127.0.0.1.
ACCOUNT_RATE_LIMITS = False

# The suite's worker outlives the database flushes between tests (alliance/celery.py).
FORGET_CONTENT_TYPES_BETWEEN_TASKS = True
