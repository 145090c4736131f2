"""Portcullis settings.

Everything comes from the environment. The defaults are the embedded development mode
(SQLite, eager Celery); `DJANGO_ENV=production` switches on the hardened settings and
refuses to start without real secrets.
"""
import datetime
import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to at least 50 random characters in production.")
    DEBUG = False
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production.")
    # The key of the hit/no-hit index (cases.matching): without it the index could be rebuilt by anyone.
    MATCHING_KEY = os.environ.get("MATCHING_KEY", "")
    if len(MATCHING_KEY) < 32:
        raise ImproperlyConfigured("MATCHING_KEY must be set to at least 32 random characters in production.")
    # The embedded fallbacks (SQLite in the source folder, tasks in-process, per-process caches
    # and throttles) are for development only.
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            raise ImproperlyConfigured(f"{name} must be set in production.")
else:
    # Development only: a fixed, obviously unsafe key so sessions survive restarts.
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-insecure-portcullis-key-never-use-in-production")
    # Off unless asked for: a new user of `make run` sees the product's own 404 and 403 pages.
    DEBUG = env_bool("DJANGO_DEBUG", False)
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    MATCHING_KEY = os.environ.get("MATCHING_KEY", "dev-insecure-portcullis-matching-key")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "audit",
    "agencies",
    "cases",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files get them too: the Content-Security-Policy, the
    # Permissions-Policy, and Cache-Control: no-store on everything but a static file.
    "csp.middleware.CSPMiddleware",
    "coordination.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits, sessions bound to their membership, the 2FA enrolment gate.
    "agencies.sessions.AccountSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.RequestContextMiddleware",
    # Last, so it sees the flag a failed login leaves and answers with the lockout.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coordination.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.membership",
            ],
        },
    },
]

WSGI_APPLICATION = "coordination.wsgi.application"

# runserver handles each request in a thread of its own, so a persistent connection is
# never reused, only left idle until PostgreSQL refuses clients: 0 there, 60 under gunicorn.
RUNSERVER = sys.argv[1:2] == ["runserver"]
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0 if RUNSERVER else int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Each request is one transaction: nothing is half-written. The API's exception handler
# marks the transaction for rollback whenever it answers with an error.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian's anonymous user is not used: anonymous callers never see case data.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Login throttling for the browser login and the token endpoint: failures are counted per
# username and address together, in the database so every worker sees the same count.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "agencies.authentication.lockout_response"
# One client address (coordination/client_address.py) for Axes, the token throttle and the
# audit trail. X-Forwarded-For is trusted only through this many proxies in front of the
# application; 0 (the default): the header is ignored and the address is REMOTE_ADDR.
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "coordination.client_address.client_ip"
OTP_TOTP_ISSUER = "Portcullis"
# Platform staff (no agency; they manage every agency in the admin) must enrol a second factor:
# by default in production; `make run`'s demo superuser keeps a one-step login.
PLATFORM_REQUIRE_2FA = env_bool("PLATFORM_REQUIRE_2FA", PRODUCTION)
# Personal API tokens expire after this many days; 0 means never.
API_TOKEN_LIFETIME_DAYS = int(os.environ.get("API_TOKEN_LIFETIME_DAYS", "90"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# British English formats (day before month) suit a European audience better than US ones.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("nl", "Nederlands"), ("de", "Deutsch"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
# Outside production WhiteNoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Case documents are private: stored outside any served directory.
        "OPTIONS": {"location": os.environ.get("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media"))},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Celery on Redis; without REDIS_URL tasks run eagerly in-process (embedded mode).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
# The audit trail's after-work (audit/): sealing horizon (audit/sealing.py: open transactions
# hold sealing back on PostgreSQL, so a few seconds suffice),
# the export sink ("file:/path/audit.jsonl" or "syslog:host:514" / "syslog:/dev/log"), and the
# insider-signal thresholds.
AUDIT_SEAL_HORIZON_SECONDS = int(os.environ.get("AUDIT_SEAL_HORIZON_SECONDS", "5"))
AUDIT_EXPORT_SINK = os.environ.get("AUDIT_EXPORT_SINK", "")
AUDIT_ANOMALY_WINDOW_HOURS = int(os.environ.get("AUDIT_ANOMALY_WINDOW_HOURS", "1"))
AUDIT_ANOMALY_FACTOR = float(os.environ.get("AUDIT_ANOMALY_FACTOR", "5"))
AUDIT_ANOMALY_MINIMUM = int(os.environ.get("AUDIT_ANOMALY_MINIMUM", "20"))
AUDIT_NIGHT_MINIMUM = int(os.environ.get("AUDIT_NIGHT_MINIMUM", "10"))
# Every 15 minutes the chain is verified from the last verified seal; once a night, at this
# hour, from the first record (audit.verification).
AUDIT_FULL_VERIFY_HOUR = int(os.environ.get("AUDIT_FULL_VERIFY_HOUR", "1"))
# Documents as evidence: every stored file is re-hashed daily at this hour, its rows read this
# many at a time (cases.tasks.verify_document_hashes).
DOCUMENT_VERIFY_HOUR = int(os.environ.get("DOCUMENT_VERIFY_HOUR", "3"))
DOCUMENT_VERIFY_BATCH = int(os.environ.get("DOCUMENT_VERIFY_BATCH", "200"))
# Periodic after-work. Each app adds its own entries here; tasks are idempotent.
CELERY_BEAT_SCHEDULE = {
    "audit-seal": {"task": "audit.tasks.seal_audit_trail", "schedule": 10.0},
    "audit-verify": {"task": "audit.tasks.verify_audit_trail", "schedule": 15 * 60.0},
    "audit-verify-full": {"task": "audit.tasks.verify_audit_trail", "kwargs": {"full": True},
                          "schedule": crontab(hour=AUDIT_FULL_VERIFY_HOUR, minute=45)},
    "audit-export": {"task": "audit.tasks.export_audit_trail", "schedule": 5 * 60.0},
    "audit-anomalies": {"task": "audit.tasks.detect_consultation_anomalies", "schedule": 60 * 60.0},
    "audit-weekly-digest": {"task": "audit.tasks.send_weekly_auditor_digests", "schedule": 7 * 24 * 3600.0},
    "notifications-sweep-outbox": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
    "notifications-email-digests": {"task": "notifications.tasks.send_email_digests",
                                    "schedule": crontab(hour=7, minute=0)},
    "notifications-retention-reviews": {"task": "notifications.tasks.notify_retention_reviews_due",
                                        "schedule": crontab(hour=6, minute=0)},
    "cases-rematch-all": {"task": "cases.tasks.rematch_all", "schedule": crontab(hour=2, minute=30)},
    "cases-expire-access-requests": {"task": "cases.tasks.expire_access_requests", "schedule": 60 * 60.0},
    "cases-verify-document-hashes": {"task": "cases.tasks.verify_document_hashes",
                                     "schedule": crontab(hour=DOCUMENT_VERIFY_HOUR, minute=15)},
}
# Hit/no-hit matching: a value held by more cases than this produces no hits (MISP's correlation limit).
MATCHING_MAX_CASES = int(os.environ.get("MATCHING_MAX_CASES", "20"))
# MATCHING_QUEUE routes the matching tasks (blank: Celery's default queue).
MATCHING_QUEUE = os.environ.get("MATCHING_QUEUE", "")
# CASE_FILE_QUEUE routes the PDF case-file builds, which take seconds (blank: Celery's default queue).
CASE_FILE_QUEUE = os.environ.get("CASE_FILE_QUEUE", "")
# An access request from a hit that nobody decides lapses after this many days.
ACCESS_REQUEST_TTL_DAYS = int(os.environ.get("ACCESS_REQUEST_TTL_DAYS", "30"))

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that an anonymous call is challenged with 401 and WWW-Authenticate: Token.
        "agencies.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_RATES": {"auth_token": os.environ.get("API_TOKEN_THROTTLE_RATE", "10/minute")},
    # DRF's own throttles then read X-Forwarded-For as client_ip does (never as the client wrote it).
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON everywhere, nesting capped (deep bodies are a 400, not a RecursionError); the
    # document upload declares its own multipart parser.
    "DEFAULT_PARSER_CLASSES": ["coordination.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "coordination.api.exceptions.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "coordination.api.pagination.NewestFirstCursorPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portcullis API",
    "DESCRIPTION": "Multi-agency drug-seizure case coordination. Contract: API.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The contract is public documentation and holds no case data; agency integrators and
    # API scanners read it before they hold a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "coordination.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "agencies.models.AgencyKind",
        "IdentifierKindEnum": "cases.choices.IdentifierKind",
        "PartyKindEnum": "cases.choices.PartyKind",
        "PartyRoleEnum": "cases.choices.PartyRole",
        "RouteRoleEnum": "cases.choices.RouteRole",
        "CaseStatusEnum": "cases.choices.Status",
        "DocumentKindEnum": "cases.choices.DocumentKind",
        "NotificationKindEnum": "notifications.kinds.Kind",
        "DeliveryStatusEnum": "notifications.models.DeliveryStatus",
        "EmailModeEnum": "notifications.models.EmailMode",
        "ShareLevelEnum": "cases.choices.ShareLevel",
        "RequestableLevelEnum": "cases.services.access_requests.REQUESTABLE_LEVELS",
        "HitStatusEnum": "cases.models.HitStatus",
        "AccessRequestStatusEnum": "cases.models.AccessRequestStatus",
        "RoleEnum": "agencies.models.Role",
        "ServiceAccountRoleEnum": "agencies.services_admin.SERVICE_ACCOUNT_ROLES",
        "ExhibitStatusEnum": "cases.models.ExhibitStatus",
        "CustodyPurposeEnum": "cases.models.CustodyPurpose",
        "EvidenceRequestStatusEnum": "cases.models.EvidenceRequestStatus",
        "EvidenceItemTypeEnum": "cases.models.EvidenceItemType",
        "CaseFileStatusEnum": "cases.models.CaseFileStatus",
    },
}

# Security headers that hold in every mode.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page of Portcullis uses (coordination.middleware).
PERMISSIONS_POLICY_DENY = [
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
    "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
    "xr-spatial-tracking",
]
# Content-Security-Policy (django-csp 4). Scripts and styles only from our own static files:
# no inline script, no 'unsafe-inline', no eval. The one inline <style> allowed by hash is
# Django admin's changelist rule for models without actions (admin/change_list.html).
# The API docs (/api/v1/docs/) load their init script from a URL (SpectacularSwaggerSplitView).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A session ends 12 hours after login however busy (agencies.sessions), and after the agency's
# session_idle_minutes without a request (SESSION_IDLE_MINUTES for users without an agency).
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")) * 3600
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(SESSION_ABSOLUTE_SECONDS)))

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    # The console, unless EMAIL_BACKEND names another (the reliability tests point their worker
    # process at a local SMTP server; the notifications bench writes files).
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH")

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portcullis@localhost")
# A stalled mail server must not hold a Celery worker forever.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))

# Notifications (notifications/). Links in e-mails lead to PORTCULLIS_SITE_URL. An outbox row
# still undelivered this long after it was written or last enqueued is enqueued again by the
# sweep. NOTIFICATIONS_QUEUE routes the delivery tasks (blank: Celery's default queue).
NOTIFICATIONS_SITE_URL = os.environ.get("PORTCULLIS_SITE_URL", "http://127.0.0.1:8000")
NOTIFICATIONS_SWEEP_AFTER_SECONDS = int(os.environ.get("NOTIFICATIONS_SWEEP_AFTER_SECONDS", "120"))
NOTIFICATIONS_QUEUE = os.environ.get("NOTIFICATIONS_QUEUE", "")
NOTIFICATIONS_RETENTION_NOTICE_DAYS = int(os.environ.get("NOTIFICATIONS_RETENTION_NOTICE_DAYS", "14"))
NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS", "10"))
NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS", "10"))
# Webhook URLs must be https in production; plain http only for development and tests.
NOTIFICATIONS_WEBHOOK_SCHEMES = ["https"] if PRODUCTION else ["https", "http"]
# Webhooks go to public addresses only: loopback, private, link-local (cloud metadata), CGNAT,
# multicast and reserved addresses are refused at registration and at each delivery, after
# resolving the name. True allows them (tests, or agency systems on an internal network).
NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = env_bool("NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own loggers reach the console through the root handler, once.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}
AXES_VERBOSE = False

# Case documents: the largest accepted upload, and the types accepted, as detected from the
# content (cases.documents), never from the name or the client's Content-Type.
DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", str(25 * 1024 * 1024)))
DOCUMENT_ALLOWED_TYPES = env_list(
    "DOCUMENT_ALLOWED_TYPES",
    "application/pdf,image/png,image/jpeg,image/tiff,text/plain,text/csv,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/vnd.oasis.opendocument.text,application/vnd.oasis.opendocument.spreadsheet",
)
