"""Undersigned settings: everything that differs between machines is read here, from the
environment, with the embedded defaults of the README's settings table (SQLite, in-process
tasks, file mailbox). Every variable read here is in that table (tests/test_settings.py)."""

from datetime import timedelta
from pathlib import Path

import environ
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
# The SQLite file and the dev mailbox default to folders here: make it, so that
# `manage.py migrate` works in a fresh clone without the Makefile.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_countries",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "anymail",
    # Domain below, pages above: the layers contract in pyproject.toml ([tool.importlinter]).
    "petition",
    "signatures",
    "updates",
    "front",
    "organise",
]

MIDDLEWARE = [
    "ops.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Only the shared page, which holds no secret (BREACH): see front/deferred_csrf.py.
    "front.deferred_csrf.SharedPageGZipMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "front.api.ApiErrorsMiddleware",
    "ops.http.NoStoreForPeopleMiddleware",
    "ops.http.RefuseUnreadableCharsetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "organise.two_factor.TwoFactorMiddleware",
    "front.access.LetterAccessMiddleware",
    "ops.http.DatabaseUnavailableMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "organise.context_processors.accounts",
                "front.access.letter_context",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling (DATABASE_POOLER=pgbouncer), a connection to the
# server is lent for one transaction at a time: no server-side cursors (they outlive it) and
# no prepared statements (psycopg prepares a query run five times, on a server connection
# the next transaction may not get).
DATABASE_POOLER = env("DATABASE_POOLER", default="")
if DATABASE_POOLER == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
elif DATABASE_POOLER:
    raise ImproperlyConfigured("DATABASE_POOLER is empty or 'pgbouncer'.")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers work while a signature is written; the timeout rides out write bursts.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# How long an edge cache (nginx, a CDN) may keep the page everyone gets (front/deferred_csrf.py).
EDGE_CACHE_SECONDS = env.int("EDGE_CACHE_SECONDS", default=1)
CSRF_FAILURE_VIEW = "front.deferred_csrf.csrf_failure"
# Letters, their professions and block lists are read on every signature: each process keeps
# them this many seconds (a change made in another process shows after at most that long).
LOCAL_CACHE_SECONDS = env.float("LOCAL_CACHE_SECONDS", default=2.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: Celery broker, cache and rate-limit store. Without it, tasks run in-process.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "ops.cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="undersigned"),
            # Fail fast when Redis is away: every cache use here has a fallback.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The modules whose tasks workers register; each pipeline keeps its tasks beside it. Beat's
# schedule is built from the task objects in config/celery.py, and each task names its queue.
CELERY_IMPORTS = [
    "ops.emails",
    "signatures.outbox",
    "signatures.counting",
    "signatures.signing",
    "signatures.trust",
    "updates.sending",
]
CELERY_BEAT_SCHEDULER = "config.beat:Scheduler"
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers outlive a Redis outage: they reconnect for ever (waits of 2, 4 … 30 s), through a
# transport that fixes a crash of Celery 5.7 on a lost connection (ops/redis_transport.py).
# Only with Redis: the transport would override the in-process `memory://` broker.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT = "ops.redis_transport:Transport" if REDIS_URL else None
# A dead broker must not hang a signing request: publishing fails fast (with retry=False in
# ops/queue.py), and the sweeps do the work later. These options govern opening a connection
# to publish; the workers' reconnecting is governed by the setting above.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
}
# Timing of the background work (README, "Settings"). Folding the counters has a queue of
# its own (`counts`), so a backlog of emails never delays the count.
COUNT_FOLD_WINDOW_SECONDS = env.float("COUNT_FOLD_WINDOW_SECONDS", default=0.25)
COUNT_FOLD_SWEEP_SECONDS = env.float("COUNT_FOLD_SWEEP_SECONDS", default=2.0)
COUNT_RECOUNT_SECONDS = env.float("COUNT_RECOUNT_SECONDS", default=3600.0)
COUNT_CACHE_SECONDS = env.int("COUNT_CACHE_SECONDS", default=5)
EMAIL_BATCH_WINDOW_SECONDS = env.float("EMAIL_BATCH_WINDOW_SECONDS", default=0.25)
EMAIL_BATCH_SIZE = env.int("EMAIL_BATCH_SIZE", default=50)
EMAIL_BATCH_SECONDS = env.float("EMAIL_BATCH_SECONDS", default=10.0)
# This many permanent refusals from one mail provider in one batch is their incident, not
# bad addresses: the batch stops and the emails stay due (signatures/outbox.py).
EMAIL_PERMANENT_BURST = env.int("EMAIL_PERMANENT_BURST", default=5)
EMAIL_INCIDENT_PAUSE_SECONDS = env.int("EMAIL_INCIDENT_PAUSE_SECONDS", default=60)
EMAIL_INCIDENT_RETRIES = env.int("EMAIL_INCIDENT_RETRIES", default=5)
EMAIL_SWEEP_SECONDS = env.float("EMAIL_SWEEP_SECONDS", default=60.0)
# Updates to signers (updates/sending.py), on a queue of their own (`updates`) so they never
# delay a confirmation: at most UPDATES_PER_MINUTE messages a minute (providers throttle),
# sent in ticks of UPDATE_TICK_SECONDS; a mail server's temporary refusal is tried again after
# UPDATE_RETRY_SECONDS; a recipient a dead worker held is sent after UPDATE_LEASE_SECONDS; beat
# starts scheduled updates and restarts stalled ones every UPDATE_SWEEP_SECONDS.
UPDATES_PER_MINUTE = env.int("UPDATES_PER_MINUTE", default=600)
UPDATE_BATCH_SIZE = env.int("UPDATE_BATCH_SIZE", default=50)
UPDATE_TICK_SECONDS = env.float("UPDATE_TICK_SECONDS", default=10.0)
UPDATE_RETRY_SECONDS = env.float("UPDATE_RETRY_SECONDS", default=30.0)
UPDATE_LEASE_SECONDS = env.int("UPDATE_LEASE_SECONDS", default=120)
UPDATE_SWEEP_SECONDS = env.float("UPDATE_SWEEP_SECONDS", default=30.0)
UPDATE_STALL_SECONDS = env.float("UPDATE_STALL_SECONDS", default=60.0)
BROKER_BACKOFF_SECONDS = env.float("BROKER_BACKOFF_SECONDS", default=5.0)
# /healthz calls the count "stale" and email "late" past these ages of the oldest pending work.
HEALTH_COUNT_STALE_SECONDS = env.float("HEALTH_COUNT_STALE_SECONDS", default=30.0)
HEALTH_EMAIL_LATE_SECONDS = env.float("HEALTH_EMAIL_LATE_SECONDS", default=60.0)
# An email worker not seen running a task for this long is "silent" (beat's sweep every
# EMAIL_SWEEP_SECONDS is one): dead, or its queue is stuck.
HEALTH_WORKER_SILENT_SECONDS = env.float("HEALTH_WORKER_SILENT_SECONDS", default=180.0)

# Email: real SMTP when EMAIL_HOST is set, otherwise the dev mailbox under var/mail/.
EMAIL_HOST = env("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
else:
    EMAIL_BACKEND = "ops.mailbox.MailboxBackend"
# A provider's API instead (django-anymail), with that provider's own settings; the outboxes
# decide when to send either way, the backend only sends.
EMAIL_PROVIDERS = {
    "postmark": "anymail.backends.postmark.EmailBackend",
    "amazon_ses": "anymail.backends.amazon_ses.EmailBackend",
    "mailgun": "anymail.backends.mailgun.EmailBackend",
    "sendgrid": "anymail.backends.sendgrid.EmailBackend",
    "brevo": "anymail.backends.brevo.EmailBackend",
}
EMAIL_PROVIDER = env("EMAIL_PROVIDER", default="")
if EMAIL_PROVIDER and EMAIL_PROVIDER not in EMAIL_PROVIDERS:
    raise ImproperlyConfigured(
        f"EMAIL_PROVIDER must be one of {', '.join(EMAIL_PROVIDERS)} (or unset for SMTP or the "
        f"dev mailbox); got {EMAIL_PROVIDER!r}."
    )
if EMAIL_PROVIDER:
    EMAIL_BACKEND = EMAIL_PROVIDERS[EMAIL_PROVIDER]
# Bounces, complaints and rejections come back to /hooks/email/<provider>/, behind HTTP basic
# auth with this secret ("user:password"); unset, those URLs answer 404.
EMAIL_WEBHOOK_SECRET = env("EMAIL_WEBHOOK_SECRET", default="")
_ANYMAIL_SETTINGS = [
    "POSTMARK_SERVER_TOKEN",
    "MAILGUN_API_KEY",
    "MAILGUN_SENDER_DOMAIN",
    "MAILGUN_API_URL",
    "MAILGUN_WEBHOOK_SIGNING_KEY",
    "SENDGRID_API_KEY",
    "BREVO_API_KEY",
]
ANYMAIL = {name: env(name) for name in _ANYMAIL_SETTINGS if env(name, default="")}
if EMAIL_PROVIDER == "amazon_ses":  # boto3's own AWS_* variables give the credentials
    ANYMAIL["AMAZON_SES_CLIENT_PARAMS"] = {"region_name": env("AWS_REGION", default="eu-west-1")}
if EMAIL_WEBHOOK_SECRET:
    ANYMAIL["WEBHOOK_SECRET"] = EMAIL_WEBHOOK_SECRET
# Anymail's setting for a provider without a webhook signature of its own is basic auth; SNS
# auto-confirms the subscription it is pointed at.
ANYMAIL["AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS"] = True
# Any other backend class, by dotted path (tests use a slow one to kill a worker mid-send).
EMAIL_BACKEND = env("EMAIL_BACKEND", default=EMAIL_BACKEND)
MAILBOX_DIR = Path(env("MAILBOX_DIR", default=str(VAR_DIR / "mail")))
DEV_MAILBOX_ENABLED = DEBUG and not EMAIL_HOST
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Undersigned <letters@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where mail servers send bounces of updates (the envelope sender); empty: the From address.
EMAIL_BOUNCE_ADDRESS = env("EMAIL_BOUNCE_ADDRESS", default="")

# Organisers' accounts (django-allauth): email and password, email verified, TOTP and
# recovery codes. Open sign-up is off: organisers invite each other (see README).
ACCOUNT_ADAPTER = "organise.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Undersigned] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_SIGNUP_OPEN = env.bool("ACCOUNT_SIGNUP_OPEN", default=False)
# No email to an address without an account (organisers are invited): a stranger cannot use
# the password-reset form to mail anyone. And at most a few resets an hour.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_RATE_LIMITS = {"reset_password": "10/h/ip,3/h/key", "reset_password_from_key": "20/m/ip"}
# Account holders are told by email of a new password, a new address, two-factor changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Undersigned")
# Adding or removing an organiser, a domain block and a letter's state move ask for an
# authenticator code typed within this many seconds (organise/two_factor.py).
ORGANISER_FRESH_CODE_SECONDS = env.int("ORGANISER_FRESH_CODE_SECONDS", default=300)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "organise:dashboard"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The interface is translated into these (locale/); letters may be written in any language
# of LETTER_LANGUAGES, and a page shows its interface in the letter's language where the
# interface has it (Django's own strings exist in nearly every language).
INTERFACE_LANGUAGES = ["en", "ar", "fr"]
LETTER_LANGUAGES = env.list("LETTER_LANGUAGES", default=["en", "ar", "fr", "es", "de"])
if not LETTER_LANGUAGES or any(code not in LANG_INFO for code in LETTER_LANGUAGES):
    raise ImproperlyConfigured(
        "LETTER_LANGUAGES must list language codes Django knows (such as en,ar,fr,es,de,fa,he); "
        f"got {','.join(LETTER_LANGUAGES) or 'nothing'}."
    )
LANGUAGES = [
    (code, LANG_INFO[code]["name"] if code in LANG_INFO else code)
    for code in dict.fromkeys(INTERFACE_LANGUAGES + LETTER_LANGUAGES)
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The letter page's statement, tally and notable signers are cached this long (the live
# count updates itself in the browser; edits to the letter show at once: the key has
# the letter's updated_at).
# How often beat writes down the letters a passed publish_at or closes_at has moved on (pages
# and the API follow the clock at once whatever this is; this catches up the stored state).
LETTER_SCHEDULE_SWEEP_SECONDS = env.float("LETTER_SCHEDULE_SWEEP_SECONDS", default=60.0)
LETTER_FRAGMENT_CACHE_SECONDS = env.int("LETTER_FRAGMENT_CACHE_SECONDS", default=2)

# Signing tokens in confirmation emails.
CONFIRM_TOKEN_MAX_AGE = timedelta(days=env.int("CONFIRM_TOKEN_DAYS", default=14))
WITHDRAW_TOKEN_MAX_AGE = timedelta(days=env.int("WITHDRAW_TOKEN_DAYS", default=730))
UNSUBSCRIBE_TOKEN_MAX_AGE = timedelta(days=env.int("UNSUBSCRIBE_TOKEN_DAYS", default=730))
# A worker holds a signature's email this long before another may send it (crash safety);
# the sweep (every EMAIL_SWEEP_SECONDS) sends what is due for EMAIL_SWEEP_AFTER_SECONDS.
EMAIL_LEASE_SECONDS = env.int("EMAIL_LEASE_SECONDS", default=60)
EMAIL_SWEEP_AFTER_SECONDS = env.int("EMAIL_SWEEP_AFTER_SECONDS", default=30)
# Signatures never confirmed are deleted after this many days.
PURGE_UNCONFIRMED_DAYS = env.int("PURGE_UNCONFIRMED_DAYS", default=30)
# At most this many emails to one signature, ever (resending is a spam vector).
SIGNATURE_MAX_EMAILS = env.int("SIGNATURE_MAX_EMAILS", default=5)
# Sign-form defences (see signatures/defences.py). Rates read "N/period": 5/m, 50/h, 100/10m.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_SIGN_IP_BURST = env("RATELIMIT_SIGN_IP_BURST", default="5/m")
RATELIMIT_SIGN_IP_HOURLY = env("RATELIMIT_SIGN_IP_HOURLY", default="50/h")
RATELIMIT_SIGN_EMAIL = env("RATELIMIT_SIGN_EMAIL", default="5/h")
RATELIMIT_SIGN_LETTER = env("RATELIMIT_SIGN_LETTER", default="60000/m")
# A person takes longer than this to fill in the form; a submission sooner, or with a form
# timestamp older than SIGN_FORM_MAX_AGE_SECONDS, is marked suspected (and still emailed).
SIGN_MIN_SECONDS = env.int("SIGN_MIN_SECONDS", default=3)
SIGN_FORM_MAX_AGE_SECONDS = env.int("SIGN_FORM_MAX_AGE_SECONDS", default=86400)
# Salt for hashing signers' IP addresses; defaults to one derived from SECRET_KEY.
IP_HASH_SALT = env("IP_HASH_SALT", default="")

# Security headers. The CSP allows no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# The language a visitor chose: never read by scripts, never sent cross-site.
# Founding names in bulk (organise/imports.py): owners may remind, once, the invitees who have
# not answered after this many days.
IMPORT_REMINDER_DAYS = env.int("IMPORT_REMINDER_DAYS", default=7)
# Number and date formats the site's Arabic needs (config/formats/ar/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Powerful browser features no page here uses, off for every page (and any script on it).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint's font handling logs a line for every face of every part of a letter.pdf.
    "loggers": {"fontTools": {"level": "WARNING"}},
}

# Operations: /metrics for whoever holds this token (unset: 404); errors to Sentry (or any
# compatible service), scrubbed of signers' data; logs as JSON lines for a log pipeline.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# The public list as CSV (/letters/<slug>/signatures.csv) is written anew at most this often.
OPEN_DATA_MAX_AGE_SECONDS = env.int("OPEN_DATA_MAX_AGE_SECONDS", default=300)
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from ops.observability import sentry_init  # noqa: E402 - only when asked for

    sentry_init(SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default="production"))
if env("LOG_FORMAT", default="plain") == "json":
    LOGGING["formatters"]["plain"] = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
    }

# Number of reverse proxies in front of the web processes (nginx, a load balancer: 1).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
