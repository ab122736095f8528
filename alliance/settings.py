"""Alliance Hub settings: one module, driven by the environment.

Every value that differs between a laptop and production comes from an environment
variable, parsed by `alliance.env`, which refuses nonsense instead of guessing.
`.env.example` lists them all.
"""

import os
from email.utils import parseaddr
from ipaddress import ip_network
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from alliance.database import configure_for_pooler, configure_parallel_workers
from alliance.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_email_url,
    refuse_weak_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"
elif not DEBUG:
    refuse_weak_secret_key("SECRET_KEY", SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The alliance that runs the hub: named, with static/img/alliance-logo.svg, on the hand-over
# document of a statement (statements.handover).
ALLIANCE_NAME = env_str("ALLIANCE_NAME", "Fight Inequality Alliance")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "rules.apps.AutodiscoverRulesConfig",
    # Shared machinery that knows no domain (the bottom floor).
    "alliance.core.accounts",
    "alliance.core.audit",
    "alliance.core.outbox",
    "alliance.core.messagetexts",
    "alliance.core.api",
    # Domain apps: members at the bottom, campaigns and statements on it.
    "members",
    "campaigns",
    "statements",
    "osdi",
    # The top floor: home pages, health, demo data, monitoring.
    "alliance",
    "alliance.monitoring",
]

MIDDLEWARE = [
    # Outermost: the request id, one log line and the metrics for every answer.
    "alliance.monitoring.middleware.RequestMonitoringMiddleware",
    # First after it, so that every text answer leaves compressed (see alliance.core.compression).
    "alliance.core.compression.TextGZipMiddleware",
    # Next: every limit and audit entry below sees the client's address, not the proxy's.
    "alliance.core.proxy.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "alliance.core.middleware.RejectNulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "alliance.core.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "alliance.urls"
WSGI_APPLICATION = "alliance.wsgi.application"
ASGI_APPLICATION = "alliance.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alliance.context_processors.navigation",
            ],
        },
    },
    # Plain text (email subjects and text bodies, rendered with using="text"): nothing is
    # HTML-escaped, so "Workers' Union" is not written "Workers&#x27; Union".
    {
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database: a SQLite file unless DATABASE_URL says otherwise. Connections are kept open
# between requests (CONN_MAX_AGE): measured here, a new connection per request costs
# about five times the throughput of a persistent one.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'alliance.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite gives no real benefit from persistent connections and dislikes threads.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL: pages keep reading while a worker writes (a long import, the recount), where
    # the default journal would make every reader wait for the writer's commit.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
    }
# Worker processes PostgreSQL may start for one query (its max_parallel_workers_per_gather;
# empty: the server's own setting). The app's queries are short: starting workers costs
# more than they save, and under load they take the cores the other requests need.
DATABASE_PARALLEL_WORKERS = (
    env_int("DATABASE_PARALLEL_WORKERS", 0)
    if env_str("DATABASE_PARALLEL_WORKERS", "0").strip()
    else None
)
# Through PgBouncer in transaction mode (docs/running/scaling.md): DATABASE_POOLER=pgbouncer.
DATABASE_POOLER = env_str("DATABASE_POOLER", "")
configure_parallel_workers(DATABASES["default"], DATABASE_PARALLEL_WORKERS, pooler=DATABASE_POOLER)
configure_for_pooler(DATABASES["default"], DATABASE_POOLER)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # allauth's sign-in by email, loading each request's user with what every page needs.
    "alliance.auth_backends.SignedInUserBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login, and it must be verified before it is used.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "alliance.core.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # our subjects name the alliance already
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"

# Internationalisation: the interface in at least four languages, times in the viewer's zone.
# django-countries names Nauru by its own name ("Naoero"), untranslated: the name in
# English, French, Spanish and Portuguese alike is "Nauru". Its French names for Guyana
# ("Guyane", which is French Guiana) and the Marshall Islands ("Îles Marshal") are wrong:
# named here, they are in our catalogue, where makemessages keeps their translations.
COUNTRIES_OVERRIDE = {
    "NR": "Nauru",
    "GY": _("Guyana"),
    "MH": _("Marshall Islands"),
}

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded files that are read only through a view that checks who asks (the scans of
# signatures received offline): no URL serves this directory.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Email: every message goes through the outbox (alliance.core.outbox); this is how it leaves.
EMAIL_URL = env_str("EMAIL_URL", "console://" if DEBUG else "smtp://localhost:25")
globals().update(parse_email_url("EMAIL_URL", EMAIL_URL))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Alliance Hub <hub@alliance.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The ORGANIZER of convenings' calendar files: where an invitee's calendar program writes
# to the organisers. A mailbox someone reads; by default the sender of every email.
CONVENINGS_ORGANIZER_EMAIL = env_str("CONVENINGS_ORGANIZER_EMAIL", DEFAULT_FROM_EMAIL)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
# A message claimed longer ago than this, and not marked sent, belonged to a worker that
# died: the sweeper puts it back in the queue.
OUTBOX_STALE_CLAIM_SECONDS = env_int("OUTBOX_STALE_CLAIM_SECONDS", 30)
# A pending message queued longer ago than this may have been lost by the broker.
OUTBOX_REQUEUE_AFTER_SECONDS = env_int("OUTBOX_REQUEUE_AFTER_SECONDS", 20)
OUTBOX_SWEEP_INTERVAL_SECONDS = env_int("OUTBOX_SWEEP_INTERVAL_SECONDS", 10)

# A bulk action of the directory (members.bulk) on more organisations than this runs as a
# Celery task whose progress the page shows; up to it, in the request.
BULK_TASK_THRESHOLD = env_int("BULK_TASK_THRESHOLD", 300)

# Celery. Production: Redis. `make run`: a SQLite file through kombu's SQLAlchemy transport
# (sqla+sqlite:///var/broker.sqlite3), with the same worker and beat. With no broker at
# all (the tests on SQLite), tasks run in-process, still only after commit. No result
# backend: no task's result is read.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if CELERY_BROKER_URL and CELERY_BROKER_URL.startswith(("sqla+", "sqlalchemy+")):
    # The transport hands these to SQLAlchemy's create_engine: wait for the file's lock
    # (web, worker and beat all write to it) rather than fail at once.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 20}}
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
# When Redis is down, a request must not hang on publishing: the outbox row is already
# committed, and the sweeper queues it once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_SERIALIZER = "json"
# Email and public submissions have queues of their own, so that a backlog of one never
# holds up the other (a signer's confirmation email behind thousands of submissions). A
# worker started without -Q consumes every queue; production gives email its own worker
# (docker-compose.yml), since one worker's processes can all be busy with submissions.
CELERY_TASK_QUEUES = [Queue("celery"), Queue("email"), Queue("submissions")]
CELERY_TASK_ROUTES = {
    "alliance.outbox.tasks.*": {"queue": "email"},
    "statements.tasks.process_public_submissions": {"queue": "submissions"},
}
# One pool process per core: the outbox sends one message at a time per process, so its
# throughput is the number of processes.
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", os.cpu_count() or 1)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Public signing (statements): submissions past these counts within the window, per IP
# address and per canonical email address and statement, are kept but marked for
# moderation. Read at call time, so tests and the benchmark can change them.
PUBLIC_SIGNING_LIMITS = {
    "ip": env_int("PUBLIC_SIGNING_LIMIT_PER_IP", 30),
    "email": env_int("PUBLIC_SIGNING_LIMIT_PER_EMAIL", 3),
    "window_seconds": env_int("PUBLIC_SIGNING_WINDOW_SECONDS", 3600),
    # Confirmation emails to one address in a day, across every statement: the public form
    # must not be a way to flood someone's inbox.
    "email_per_day": env_int("PUBLIC_SIGNING_EMAILS_PER_ADDRESS_PER_DAY", 5),
}
# A public signature whose address is not confirmed within this many hours expires.
PUBLIC_SIGNATURE_CONFIRMATION_HOURS = env_int("PUBLIC_SIGNATURE_CONFIRMATION_HOURS", 48)
# Beat's sweep of public submissions that no wake-up processed (broker down, lost task).
PUBLIC_SIGNING_SWEEP_SECONDS = env_int("PUBLIC_SIGNING_SWEEP_SECONDS", 10)
# How long a web process reuses the statement a public form signs (0: read it every time).
PUBLIC_SIGNING_STATEMENT_SECONDS = env_int("PUBLIC_SIGNING_STATEMENT_SECONDS", 2)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "alliance.outbox.tasks.sweep_outbox",
        "schedule": OUTBOX_SWEEP_INTERVAL_SECONDS,
    },
    "convening-reminders": {
        "task": "campaigns.tasks.send_convening_reminders",
        "schedule": 3600,
    },
    "statement-reminders": {
        "task": "statements.tasks.send_statement_reminders",
        "schedule": 900,
    },
    "statement-signature-counts": {
        "task": "statements.tasks.count_signatures",
        "schedule": 5,
    },
    "statement-publication": {
        "task": "statements.tasks.publish_due_statements",
        "schedule": 60,
    },
    "organisation-import-catch-up": {
        "task": "members.tasks.requeue_lost_imports",
        "schedule": 60,
    },
    "bulk-action-catch-up": {
        "task": "members.tasks.requeue_lost_bulk_actions",
        "schedule": 60,
    },
    "api-forget-idempotent-requests": {
        "task": "alliance.api.tasks.forget_old_idempotent_requests",
        "schedule": 86400,
    },
    "webhook-sweep": {
        "task": "alliance.api.tasks.sweep_webhooks",
        "schedule": 60,
    },
    "convening-catch-up": {
        "task": "campaigns.tasks.catch_up_convening_notifications",
        "schedule": OUTBOX_SWEEP_INTERVAL_SECONDS,
    },
    "public-signing-sweep": {
        "task": "statements.tasks.process_public_submissions",
        "schedule": PUBLIC_SIGNING_SWEEP_SECONDS,
    },
    "public-signature-expiry": {
        "task": "statements.tasks.expire_unconfirmed_signatures",
        "schedule": 900,
    },
}

# The cache carries what processes share: an import's progress (written by the worker,
# read by the page), rate-limit counters. Redis in production; without it but with a
# worker (`make run`), files in CACHE_DIR; memory only when tasks run in-process.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif CELERY_BROKER_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Every signed-in request reads its session: from Redis, which expires its copy when the
# database's does (each write sets both). Only with Redis, shared by every process: a
# cache each process kept for itself would keep a session that another one ended.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON only: DRF's browsable pages style themselves inline, which the site's
    # Content-Security-Policy refuses; people read the API at /api/v1/docs/ (Swagger UI).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Every DRF view here is the partner API: every error in its one shape.
    "EXCEPTION_HANDLER": "alliance.core.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance Hub partner API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status`: each choice set gets one stable enum name.
    "ENUM_NAME_OVERRIDES": {
        "StatementStatusEnum": "statements.models.Statement.Status",
        "SignatureStatusEnum": "statements.models.Signature.Status",
        "ConveningStatusEnum": "campaigns.models.Convening.Status",
        "NationalAllianceStatusEnum": "members.models.NationalAlliance.Status",
        "LanguageEnum": "django.conf.settings.LANGUAGES",
    },
    # drf-spectacular's own enum hook, then the partner API's error responses and the
    # fields only some keys receive (alliance/core/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "alliance.core.api.schema.add_error_responses",
        "alliance.core.api.schema.optional_fields_for_some_keys",
    ],
}
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "1200/min")
# Webhook targets on loopback or private networks are refused (SSRF) unless this is on.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)
# The first retry of a failed delivery; each next one waits twice as long (about a day
# of retries in all with the default).
WEBHOOKS_FIRST_RETRY_SECONDS = env_int("WEBHOOKS_FIRST_RETRY_SECONDS", 30)

# Security. With DEBUG off the defaults are production's; `manage.py check --deploy`
# prints nothing. HTTPS may be terminated in front of the app (SECURE_PROXY_SSL_HEADER).
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
# Behind the reverse proxy (deploy/nginx), its X-Forwarded-Proto says whether the client
# used HTTPS, and its X-Forwarded-For the client's address (alliance.core.proxy), believed only
# from PROXY_ADDRESSES: loopback and the private networks Docker's are in, where only
# the proxy can reach gunicorn (docker-compose.yml publishes no port of the web service).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PROXY_ADDRESSES = env_list(
    "PROXY_ADDRESSES",
    ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
)
for _network in PROXY_ADDRESSES:
    try:
        ip_network(_network)
    except ValueError:
        raise ImproperlyConfigured(
            f"PROXY_ADDRESSES: {_network!r} is not an address or a network."
        ) from None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp's CSPMiddleware): every page, the admin and the API
# docs load scripts, styles, images and fonts from this site only and run no inline
# script or style, so markup slipped into a page (a signatory's name, a statement's text)
# can neither run nor restyle anything. The DIRECTIVES dict is the shape Django 6.0's own
# SECURE_CSP takes: the switch is `SECURE_CSP = CONTENT_SECURITY_POLICY["DIRECTIVES"]` and
# django.middleware.csp.ContentSecurityPolicyMiddleware instead of csp.middleware's. Two
# views widen it with csp_update: the API docs (data: images) and DEBUG's mailbox. No page
# needs a nonce; one that does must not be a page the proxy keeps (it would
# replay one nonce to every reader).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# LOG_FORMAT=json: one JSON object per line (production's default) for a log collector;
# plain: readable lines (the quick start). Every line carries the request id, which the
# proxy passes as X-Request-ID and the tasks a request queues carry on.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "alliance.monitoring.context.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The monitoring middleware writes the one line per request, naming its route:
        # Django's own 4xx lines would repeat it with the path, which may hold a token.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# --- Personal data kept no longer than needed (docs/running/retention.md) -------------
# Public and partner signers' addresses, this many months after their statement was
# published or closed (the signature stays counted, and listed if it was).
RETENTION_PUBLIC_SIGNER_MONTHS = env_int("RETENTION_PUBLIC_SIGNER_MONTHS", 6)
# Sent emails keep their row and key, but not their text or recipient, after this.
RETENTION_OUTBOX_BODY_DAYS = env_int("RETENTION_OUTBOX_BODY_DAYS", 30)
# Where people write to see, correct or erase what is kept about them (/privacy/).
DATA_PROTECTION_CONTACT = env_str(
    "DATA_PROTECTION_CONTACT", parseaddr(DEFAULT_FROM_EMAIL)[1] or "privacy@localhost"
)
CELERY_BEAT_SCHEDULE["retention-policy"] = {
    "task": "alliance.tasks.apply_retention_policy",
    "schedule": 6 * 3600,
}

# --- Backups (alliance.backups; docs/running/backups.md) -----------------------------
# A directory, or s3://bucket/prefix (credentials from the usual AWS_* variables, and
# BACKUP_S3_ENDPOINT_URL for a service other than AWS: MinIO, Backblaze, ...).
BACKUP_DESTINATION = env_str("BACKUP_DESTINATION", str(BASE_DIR / "backups"))
BACKUP_S3_ENDPOINT_URL = env_str("BACKUP_S3_ENDPOINT_URL", "")

# --- Watching it (alliance.monitoring; docs/running/monitoring.md) ---------------------
# /metrics answers a bearer of METRICS_TOKEN or, without one, this machine and private
# networks only; the proxy never passes it on.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# /healthz answers 503 when beat has sent nothing for this long, or when the oldest
# message waiting in the outbox is older than this.
HEALTHZ_BEAT_SILENT_SECONDS = env_int("HEALTHZ_BEAT_SILENT_SECONDS", 300)
HEALTHZ_OUTBOX_MAX_AGE_SECONDS = env_int("HEALTHZ_OUTBOX_MAX_AGE_SECONDS", 600)
# One beat sends: it holds a lock in the database, renewed every third of this.
CELERY_BEAT_SCHEDULER = "alliance.monitoring.beat:LockedScheduler"
BEAT_LOCK_SECONDS = env_int("BEAT_LOCK_SECONDS", 30)
# Error reports to Sentry, off unless SENTRY_DSN is set; personal data never sent.
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    from alliance import __version__
    from alliance.monitoring.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=__version__,
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )

# --- Account security (alliance.core.accounts.security) -----------------------------------
# Convenors and national coordinators see contacts and counted-only signers: their
# accounts need a second factor (an authenticator app with recovery codes, or a security
# key), and their sessions end after PRIVILEGED_SESSION_IDLE_SECONDS without a request.
# Everyone else may add a second factor from /me/ and keeps SESSION_COOKIE_AGE.
# Beside allauth.account, before alliance.core.accounts (whose admin replaces theirs).
_after_allauth_account = INSTALLED_APPS.index("allauth.account") + 1
INSTALLED_APPS[_after_allauth_account:_after_allauth_account] = [
    "allauth.mfa",
    "allauth.usersessions",
]
MIDDLEWARE += ["alliance.core.accounts.middleware.SecondFactorMiddleware"]
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Alliance Hub"
# Security keys only, not passwordless passkey sign-in: the password stays the first factor.
MFA_PASSKEY_LOGIN_ENABLED = False
# WebAuthn wants https; the quick start serves http://127.0.0.1:8000.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", DEBUG)
PRIVILEGED_SESSION_IDLE_SECONDS = env_int("PRIVILEGED_SESSION_IDLE_SECONDS", 4 * 3600)
# Sessions are recorded at sign-in (for the sessions page), not touched on every request.
USERSESSIONS_TRACK_ACTIVITY = False
