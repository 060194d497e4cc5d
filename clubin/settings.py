"""ClubIN settings: one module, read from the environment.

With no environment at all it runs locally: SQLite, tasks executed eagerly, email on the console
and in the development outbox page. With DEBUG off it refuses to start unless the secret, the
allowed hosts and the database are given explicitly.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)


def _required_in_production(name: str) -> None:
    if not DEBUG and not env.str(name, default=""):
        raise ImproperlyConfigured(
            f"{name} must be set when DEBUG is off: ClubIN refuses to start in production "
            f"without it (see docs/deploy.md)."
        )


for _name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
    _required_in_production(_name)

SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-only")
# Old keys, still accepted for signatures (printed card QR codes) while rotating SECRET_KEY.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "outbox",
    "networks",
    "members",
    "events",
    "ties",
    "clubin.stats",
    "clubin.ops",
    # Above every app, imported by none: fictional data for development (`make run`) and the
    # benchmark commands. No models, no URLs: installed, they only add their commands.
    "demo",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside the network middleware, so its error pages are covered too.
    "networks.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "networks.middleware.NetworkMiddleware",
    # After a successful change, the dashboards' figures are refreshed (at most once a minute).
    "clubin.stats.middleware.RefreshAfterChangeMiddleware",
]

ROOT_URLCONF = "clubin.urls"
WSGI_APPLICATION = "clubin.wsgi.application"

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
                "networks.context_processors.managed_networks",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Persistent connections, checked before reuse, so a PostgreSQL restart heals by itself.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:me"

ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "members.forms.accounts.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Confirming the address in the browser that signed up logs the person in and continues to
# where they were going (the signup's `next`, which the emailed link carries too).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ClubIN] "
# How many proxies in front of ClubIN append to X-Forwarded-For: per-address rate limits must see
# the visitor, not nginx. 0 (no proxy) reads the socket's address; 1 behind deploy/'s nginx.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# allauth's limits, plus ClubIN's own actions counted the same way (cache-based, per IP and key).
ACCOUNT_RATE_LIMITS = {
    # Registering to a public event without an account emails a link: cap what a bot can send.
    "event_guest_register": "20/h/ip,3/h/key",
    # Writing to a network's coordinators from its public page: the same caps.
    "network_contact": "20/h/ip,3/h/key",
    # Asks, offers and answers on the boards: plenty for a person, too few for a spammer.
    "ties_post": "10/h/user",
    "ties_answer": "30/h/user",
    "ties_referral": "20/h/user",
    "ties_introduction": "20/h/user",
    "ties_one_to_one": "20/h/user",
    # The member pickers search as one types (after a pause): a form takes a few dozen.
    "ties_people_search": "60/m/user,600/h/user",
    # The dashboards' "Refresh now": a few a minute is plenty for a person.
    "stats_refresh": "3/m/user",
}
# The protocol of the links allauth builds (LinkedIn's callback): SITE_URL's, so `make serve`
# over plain http works and production over https stays https. Its emails use SITE_URL itself.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme or "https"

SOCIALACCOUNT_ADAPTER = "members.adapters.SocialAccountAdapter"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
# LinkedIn through allauth's OpenID Connect provider: offered only when both values are set.
LINKEDIN_CLIENT_ID = env.str("LINKEDIN_CLIENT_ID", default="")
LINKEDIN_CLIENT_SECRET = env.str("LINKEDIN_CLIENT_SECRET", default="")
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"APPS": []}}
if LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": "linkedin",
            "name": "LinkedIn",
            "client_id": LINKEDIN_CLIENT_ID,
            "secret": LINKEDIN_CLIENT_SECRET,
            "settings": {
                "server_url": "https://www.linkedin.com/oauth",
                "oauth_pkce_enabled": True,
            },
        }
    )

# --- Sessions, cookies, security headers ------------------------------------------------------
# Sessions live in the database so a Redis restart logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Off only for `make serve`, production settings over plain http on this machine.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])
if not SECURE_HSTS_PRELOAD:
    # Preloading is a one-way decision for the operator's domain, not ours to make by default.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# --- Languages --------------------------------------------------------------------------------
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in prose as each language writes them ("12 marzo 2027", "March 12, 2027").
FORMAT_MODULE_PATH = ["clubin.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Rome"
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Profile photos: files on this machine under MEDIA_ROOT, or in an S3 bucket when S3_BUCKET is
# set. Neither is ever served as it is: each photo goes through a view that asks whether the
# visitor may see that profile (members.views.photos), so no MEDIA_URL and no public bucket.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
S3_BUCKET = env.str("S3_BUCKET", default="")
DEFAULT_STORAGE: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            # Empty: Amazon's own endpoint for the region; set for any other S3-compatible store.
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            # Photos are read back through ClubIN only: never a public-read object, never a
            # name reused (each upload has a new random one).
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development whitenoise serves straight from the source folders; production runs collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

# --- Cache (allauth's rate limits need a real shared one in production) ------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, falling back to local memory while Redis does not answer, so
            # an outage neither fails the login pages nor switches the rate limits off.
            "BACKEND": "clubin.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "clubin",
            # A frozen Redis costs at most this much once, then is skipped for a few seconds.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------------------------
# Without REDIS_URL every task runs in-process, so the default setup needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # with a host, kombu does not warn
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_VISIBILITY_TIMEOUT = 3600
# A dead or frozen Redis must not hang a web request: fail the publish within a second (two
# attempts of half a second; the worker's BRPOP waits in the event loop, not on this timeout).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    # kombu otherwise sleeps 2 s retrying a refused connection before a publish gives up.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 10
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "clubin.mail.tasks.outbox_sweep", "schedule": 60.0},
    "stats-refresh-recent": {
        "task": "clubin.stats.tasks.stats_refresh_recent",
        "schedule": 5 * 60.0,
    },
    "stats-rebuild-nightly": {
        "task": "clubin.stats.tasks.stats_rebuild",
        "schedule": crontab(hour=3, minute=30),
    },
    # Every 15 minutes, so "24 hours before" is never more than a quarter of an hour late.
    "events-reminders": {"task": "events.tasks.event_reminders_send", "schedule": 15 * 60.0},
    "applications-daily-digest": {
        "task": "members.tasks.applications_digest_send",
        "schedule": crontab(hour=7, minute=30),
    },
    "applications-weekly-reminder": {
        "task": "members.tasks.applications_reminder_send",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon"),
    },
    "memberships-renewal-reminders": {
        "task": "members.tasks.renewal_reminders_send",
        "schedule": crontab(hour=9, minute=0),
    },
    "invitation-reminders": {
        "task": "members.tasks.invitation_reminders_send",
        "schedule": crontab(hour=10, minute=0),
    },
    "memberships-lapse": {
        "task": "members.tasks.memberships_lapse",
        "schedule": crontab(hour=2, minute=0),
    },
}

# --- Email ------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ClubIN <noreply@clubin.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# EMAIL_URL such as smtp+tls://user:password@smtp.example.com:587; the console by default.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Bodies that carry secrets (verification and reset links) are blanked once sent, except in
# development where the outbox page is how a newcomer clicks them.
OUTBOX_SCRUB_SECRETS = env.bool("OUTBOX_SCRUB_SECRETS", default=not DEBUG)
# A claimed row belongs to its worker this long; a batch stops taking messages after
# OUTBOX_BATCH_SECONDS; both stay far below the broker's visibility timeout (tested).
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=600)
OUTBOX_BATCH_SECONDS = env.int("OUTBOX_BATCH_SECONDS", default=120)
OUTBOX_SWEEP_GRACE_SECONDS = env.int("OUTBOX_SWEEP_GRACE_SECONDS", default=30)
# A mail-merge placeholder left in a message raises in development and tests; in production the
# message is rendered in full instead (slower, never wrong) and the error is logged.
OUTBOX_MERGE_STRICT = env.bool("OUTBOX_MERGE_STRICT", default=DEBUG)

# --- Logging ----------------------------------------------------------------------------------
LOGGING: dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's records reach the console once, through the root: its default configuration
        # adds a console handler of its own with DEBUG on, which printed each of them twice.
        "django": {"handlers": [], "level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        # A 403 or 404 is an answer, not a fault: the access log (runserver's, gunicorn's) shows
        # each with its status, where django.request added a warning and, for a 403, a traceback.
        "django.request": {"level": "ERROR"},
    },
}
if CELERY_TASK_ALWAYS_EAGER:
    # Tasks run inside the web process (`make run`): no "Task … succeeded" line for each of them.
    # A worker keeps logging its tasks: it configures its own logging (--loglevel).
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}

# --- Membership -------------------------------------------------------------------------------
# Bump when the privacy notice changes: each application records the version it acknowledged.
PRIVACY_NOTICE_VERSION = "2026-11"
# Invitations: how long a link works, and how many a coordinator may send in an hour.
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=30)
INVITATIONS_PER_COORDINATOR_PER_HOUR = env.int(
    "INVITATIONS_PER_COORDINATOR_PER_HOUR", default=10_000
)
# Days after a card's validity ends before the membership lapses.
MEMBERSHIP_GRACE_DAYS = env.int("MEMBERSHIP_GRACE_DAYS", default=30)

# --- Events -----------------------------------------------------------------------------------
# Hours before an event starts that the door opens for check-in: earlier arrivals are refused,
# so nobody "attends" weeks ahead by a mistaken tap.
CHECKIN_OPENS_HOURS_BEFORE = env.int("CHECKIN_OPENS_HOURS_BEFORE", default=3)
