"""Settings for the help desk, read from the environment (12-factor).

Embedded defaults let `make run` work on a fresh machine: SQLite in the project
folder and a Celery broker on the file system. Setting DATABASE_URL and REDIS_URL
switches to PostgreSQL and Redis. DEBUG is off unless asked for.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

# The project folder's .env first, so that every variable below may come from it; a
# variable set in the real environment wins over the file's.
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("HELPDESK_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (see README, 'Configuration')."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on-0123456789"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Django's widget templates, for the project's form renderer (FORM_RENDERER).
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "anymail",
    # The sign-in lockout (helpdesk/ratelimits.py); its attempts are listed in the admin.
    "axes",
    "accounts",
    "customers",
    "catalog",
    "tickets",
    "sla",
    "intake",
    "workspace",
    "surveys",
    "reports",
    "knowledge",
    "canned",
    "integrations",
    "notifications",
    "health",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Database down → 503 page / JSON; before the session and auth middleware to catch theirs.
    "helpdesk.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # After CSRF, which reads form bodies first: NUL or lone surrogates → 400 page.
    "helpdesk.middleware.UnstorableInputMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "helpdesk.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpdesk.context_processors.desk",
                "helpdesk.context_processors.flash",
            ],
        },
    },
]

# Every form field is drawn by one template, templates/forms/field.html.
FORM_RENDERER = "helpdesk.forms.FormRenderer"

WSGI_APPLICATION = "helpdesk.wsgi.application"

# Database: SQLite by default, PostgreSQL when DATABASE_URL says so.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat all write: wait for the lock instead of failing,
    # and take the write lock at BEGIN so that read-then-write transactions cannot deadlock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # QuerySet.iterator() reads through a server-side cursor, which PostgreSQL plans for
    # the first 10 % of its rows by default: an export of the tickets behind a figure (read
    # whole, in chunks) then got a plan five times slower than its page's. Every
    # iterator() here reads all its rows.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c cursor_tuple_fraction=1.0")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out sign-in before the password is checked (django-axes).
    "helpdesk.ratelimits.SignInLockoutBackend",
    # Django's ModelBackend, with each user's permissions kept for a few seconds instead of
    # read again on every page (accounts/backends.py).
    "accounts.backends.PermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "after-login"
LOGOUT_REDIRECT_URL = "home"

# Language and time: Spanish first, English available; the desk's time zone.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Español")), ("en", _("Inglés"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/Mexico_City")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files are private: they live outside any served folder and are streamed
# by views that check who may see them (no MEDIA_URL is served).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Cache: Redis when configured, else a file cache shared by every local process.
REDIS_URL = env.str("REDIS_URL", default="")
# A Redis that stops answering (not just refusing) fails a cache call within a second,
# and the rate limits let the request through instead of holding it.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Email: console (and the outbox in the database) unless an ESP is configured through anymail
# or an SMTP server through EMAIL_URL.
# ANYMAIL_ESP names the provider (mailgun, postmark, amazon_ses, brevo, ...); every other
# ANYMAIL_<KEY> variable becomes ANYMAIL["<KEY>"], e.g. ANYMAIL_MAILGUN_API_KEY.
ANYMAIL_ESP = env.str("ANYMAIL_ESP", default="")
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_") and key != "ANYMAIL_ESP"
}
# EMAIL_URL (django-environ's email_url): smtp://host:25, smtp+tls://user:password@host:587
# (STARTTLS), smtp+ssl://user:password@host:465 (TLS from the start), consolemail://;
# user and password percent-encoded. EMAIL_BACKEND, when set, names the backend class and
# EMAIL_URL still gives the server.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# Seconds an SMTP server may stay silent before the send fails and is retried later
# (Django's default is to wait forever, holding a worker).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
if ANYMAIL_ESP:
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=_email["EMAIL_BACKEND"])
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mesa de ayuda <soporte@example.com>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Celery: Redis when configured, else kombu's file-system transport (no server needed).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery-broker"
    for _folder in (_broker_dir, VAR_DIR / "celery-control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Unacknowledged tasks come back after this many seconds (acks_late tasks).
        "visibility_timeout": 3600,
        # A Redis that stops answering is noticed in seconds, not at the OS's TCP timeout:
        # connecting gives up after 3 s, a command after 5 s (what a web request publishing
        # after commit may wait), and an idle connection is pinged every 25 s and kept
        # alive, so a half-open one is replaced.
        "socket_connect_timeout": 3,
        "socket_timeout": 5,
        "socket_keepalive": True,
        "health_check_interval": 25,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Broker outages: the worker and beat wait for the broker as long as it takes (Celery's
# default gives up after 100 tries, ~45 min, and exits), at start-up too.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A send under way when the connection drops finishes and records the row as sent; its
# message may come back and is then skipped by the row's claim. Cancelling it instead
# (Celery 6's default) could kill it between the provider's accept and that record, and
# the lease would send the email twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Publishing from a web request (after commit) while the broker is down fails fast: the
# outbox row waits for beat's sweep instead of the request waiting for Redis.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BEAT_SCHEDULER = "health.schedulers:HeartbeatDatabaseScheduler"
# Declared here, visible in diffs; django-celery-beat copies it into the admin, where
# coordinators may change the interval or switch a job off.
CELERY_BEAT_SCHEDULE = {
    "health-heartbeat": {"task": "health.heartbeat", "schedule": 60.0},
    "notifications-flush-outbox": {"task": "notifications.flush_outbox", "schedule": 60.0},
    # Solved tickets whose requester did not answer within the window: closed, automatic.
    "surveys-close-unconfirmed": {"task": "surveys.close_unconfirmed", "schedule": 300.0},
    # SLA warnings and breaches (sla.sweep). A sweep still queued when the next one is due
    # is dropped: the next one does the same work.
    "sla-sweep": {"task": "sla.sweep", "schedule": 60.0, "options": {"expire_seconds": 55}},
    # The reports' facts and daily figures of the tickets changed since the last run
    # (reports.refresh); a run still queued when the next is due is dropped.
    "reports-refresh": {"task": "reports.refresh", "schedule": 300.0, "options": {"expire_seconds": 290}},
    # The last complete week's summary to the report readers (reports.weekly): Monday at
    # 07:00 in the desk's zone (CELERY_TIMEZONE). It runs every morning and sends once a
    # week: a Monday lost to an outage (beat counts a run it could not hand over as done)
    # goes out on Tuesday morning instead of never.
    "reports-weekly-summary": {"task": "reports.weekly_summary", "schedule": crontab(minute=0, hour=7)},
}

# The desk's own settings.
HELPDESK_NAME = env.str("HELPDESK_NAME", default="Mesa de ayuda")
# Only authorized contacts of an organization with a policy in force get service
# (docs/process.md, «Intake and gatekeeping»).
HELPDESK_REQUIRE_AUTHORIZED_CONTACT = env.bool("HELPDESK_REQUIRE_AUTHORIZED_CONTACT", default=True)
HELPDESK_SUPPORT_EMAIL = env.str("HELPDESK_SUPPORT_EMAIL", default="soporte@example.com")
HELPDESK_SUPPORT_PHONE = env.str("HELPDESK_SUPPORT_PHONE", default="")
# Where the desk is reached from outside: absolute links in emails start with it.
HELPDESK_BASE_URL = env.str("HELPDESK_BASE_URL", default="http://127.0.0.1:8000")
# Attachments of a report: the limit per file and per ticket, in bytes.
HELPDESK_MAX_ATTACHMENT_BYTES = env.int("HELPDESK_MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024)
HELPDESK_MAX_TICKET_ATTACHMENT_BYTES = env.int("HELPDESK_MAX_TICKET_ATTACHMENT_BYTES", default=25 * 1024 * 1024)
# An inbound email reaches its webhook in one request body (JSON with its attachments in
# base64, or the raw message in a form field), which Django caps at 2.5 MB by default: an
# email with a 3 MB screenshot would be refused and, once the provider stops retrying,
# lost. Room for a ticket's attachments in base64 (4/3) and 1 MB of text. The report form
# keeps its own, earlier limit (tickets.attachments).
DATA_UPLOAD_MAX_MEMORY_SIZE = HELPDESK_MAX_TICKET_ATTACHMENT_BYTES * 4 // 3 + 1024 * 1024
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none; the
# client address for rate limits is then REMOTE_ADDR).
HELPDESK_TRUSTED_PROXY_COUNT = env.int("HELPDESK_TRUSTED_PROXY_COUNT", default=0)
# Rate limits and the sign-in lockout (helpdesk/ratelimits.py). Request limits count in
# the cache with one atomic increment (django-ratelimit) and let requests through when the
# cache does not answer; the lockout counts failures in the database (django-axes).
# The public report form accepts (reports, seconds) per client address: spam brake.
HELPDESK_REPORT_RATE_LIMIT = (
    env.int("HELPDESK_REPORT_RATE_LIMIT_COUNT", default=5),
    env.int("HELPDESK_REPORT_RATE_LIMIT_SECONDS", default=10 * 60),
)
# The help center's "¿Le sirvió este artículo?" accepts (votes, seconds) per client address:
# a brake on scripted votes, loose enough for an office behind one address.
HELPDESK_VOTE_RATE_LIMIT = (
    env.int("HELPDESK_VOTE_RATE_LIMIT_COUNT", default=30),
    env.int("HELPDESK_VOTE_RATE_LIMIT_SECONDS", default=10 * 60),
)
# The report form's suggestions while typing, and its "Esto resolvió mi problema", each
# accept (requests, seconds) per client address: generous for a person typing (the
# requests are debounced), a brake on a script hammering the search.
HELPDESK_SUGGESTIONS_RATE_LIMIT = (
    env.int("HELPDESK_SUGGESTIONS_RATE_LIMIT_COUNT", default=120),
    env.int("HELPDESK_SUGGESTIONS_RATE_LIMIT_SECONDS", default=60),
)
# The monitoring API accepts (requests, seconds) per integration.
HELPDESK_API_RATE_LIMIT = (
    env.int("HELPDESK_API_RATE_LIMIT_COUNT", default=60),
    env.int("HELPDESK_API_RATE_LIMIT_SECONDS", default=60),
)
RATELIMIT_FAIL_OPEN = True
# Sign-in: failed attempts per user name (normalized: "ａgente４" is "agente4") and per
# client address across names within the pause; reaching either pauses sign-in (429)
# until the pause has passed since the last failure. Higher per address: a whole office
# may share one, and mistypes add up.
HELPDESK_LOGIN_FAILURE_LIMIT = env.int("HELPDESK_LOGIN_FAILURE_LIMIT", default=5)
HELPDESK_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("HELPDESK_LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
HELPDESK_LOGIN_LOCKOUT_SECONDS = env.int("HELPDESK_LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# «¿Olvidó su contraseña?» sends at most (emails, seconds) per address typed, three times
# that per client address; its link works once, for PASSWORD_RESET_TIMEOUT seconds.
HELPDESK_PASSWORD_RESET_RATE_LIMIT = (
    env.int("HELPDESK_PASSWORD_RESET_RATE_LIMIT_COUNT", default=3),
    env.int("HELPDESK_PASSWORD_RESET_RATE_LIMIT_SECONDS", default=60 * 60),
)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=2 * 60 * 60)
AXES_HANDLER = "helpdesk.ratelimits.SignInLockoutHandler"
AXES_FAILURE_LIMIT = HELPDESK_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(seconds=HELPDESK_LOGIN_LOCKOUT_SECONDS)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "helpdesk.ratelimits.axes_username"
AXES_CLIENT_IP_CALLABLE = "helpdesk.client_ip.client_address"
AXES_LOCKOUT_CALLABLE = "helpdesk.views.login_locked_out"
AXES_RESET_ON_SUCCESS = True
# Attempts refused while paused neither count nor extend the pause.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
AXES_VERBOSE = False  # no banner on every manage.py command

# The requester's emailed links (tickets/links.py): each opens once, then the browser's
# session sees the ticket. Links and sessions work while the ticket is in course and for
# this many days after it was closed or cancelled.
HELPDESK_REQUESTER_LINK_DAYS = env.int("HELPDESK_REQUESTER_LINK_DAYS", default=90)
# How many of the queue's rows each web process keeps as drawn (workspace.queue.ROW_HTML,
# about 1.5 KB each); 0 draws every row of every page.
HELPDESK_QUEUE_ROWS_KEPT = env.int("HELPDESK_QUEUE_ROWS_KEPT", default=5000)
# Fresh links asked for from a spent link: (emails, seconds) per ticket.
HELPDESK_REQUESTER_LINK_RESEND_LIMIT = (
    env.int("HELPDESK_REQUESTER_LINK_RESEND_COUNT", default=3),
    env.int("HELPDESK_REQUESTER_LINK_RESEND_SECONDS", default=60 * 60),
)

# Security: production-safe by default, relaxed only by DEBUG or explicit variables.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
