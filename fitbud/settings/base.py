"""Settings shared by every environment; everything deployment-specific comes from the env."""

from datetime import timedelta
from pathlib import Path

import environ
from corsheaders.defaults import default_headers as cors_default_headers

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file is a developer convenience; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="django-insecure-dev-only-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "fitbud.api",
    "accounts",
    "clients",
    "exercises",
    "plans",
    "progress",
    "coaching",
    "messaging",
    "billing",
    "notifications",
    "integrations",
    "dashboard",
    "sync",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "integrations.throttling.RateLimitHeadersMiddleware",
]

ROOT_URLCONF = "fitbud.urls"
WSGI_APPLICATION = "fitbud.wsgi.application"
ASGI_APPLICATION = "fitbud.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fitbud" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite file by default so a fresh clone runs with no server; PostgreSQL via DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the dev server and a second process share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "accounts.hashers.FitbudArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        # The default attributes (username, first_name, ...) mostly do not exist on our user.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Files served at the site root by WhiteNoise (favicon.ico: browsers ask for it on every page).
WHITENOISE_ROOT = BASE_DIR / "fitbud" / "public"
# Progress photos (docs/photos-and-metrics.md): storages["photos"]. A private directory by
# default (outside STATIC_ROOT, never served by URL: a signed, expiring download view reads
# it); any S3-compatible bucket with PHOTO_STORAGE=s3 (presigned URLs). Either way a URL is
# valid PHOTO_URL_SECONDS.
PHOTO_STORAGE = env("PHOTO_STORAGE", default="filesystem")
PHOTO_URL_SECONDS = env.int("PHOTO_URL_SECONDS", default=300)
PHOTO_MAX_BYTES = 15 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
if PHOTO_STORAGE == "s3":
    from botocore.config import Config as BotoConfig

    PHOTOS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("PHOTO_S3_BUCKET"),
            # Unset: AWS itself; MinIO, Ceph, R2, Spaces, ...: their endpoint.
            "endpoint_url": env("PHOTO_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("PHOTO_S3_REGION", default="") or None,
            # Unset: boto3's own chain (AWS_* variables, instance or task role).
            "access_key": env("PHOTO_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("PHOTO_S3_SECRET_ACCESS_KEY", default="") or None,
            "addressing_style": env("PHOTO_S3_ADDRESSING_STYLE", default="") or None,
            "location": env("PHOTO_S3_PREFIX", default=""),
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": PHOTO_URL_SECONDS,
            "file_overwrite": False,
            # Given a client_config, django-storages takes addressing style and signature
            # from it only. The timeouts: a stalled bucket must not hold a request thread for
            # boto3's default of 60 s per attempt; the request fails in seconds instead.
            "client_config": BotoConfig(
                connect_timeout=env.float("PHOTO_S3_CONNECT_TIMEOUT", default=3.0),
                read_timeout=env.float("PHOTO_S3_READ_TIMEOUT", default=15.0),
                retries={"max_attempts": 2, "mode": "standard"},
                signature_version="s3v4",
                s3={"addressing_style": env("PHOTO_S3_ADDRESSING_STYLE", default="") or None},
            ),
        },
    }
else:
    PHOTOS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env("PHOTO_STORAGE_DIR", default=str(BASE_DIR / "private-media")),
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "photos": PHOTOS_STORAGE,
}
# Uploads above this size are spooled to a temporary file, not held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Cache: shared by every worker when CACHE_URL/REDIS_URL points at Redis (rate limits
# must be counted across gunicorn workers); per-process memory otherwise.
_cache_url = env("CACHE_URL", default=env("REDIS_URL", default="locmemcache://"))
CACHES = {"default": env.cache_url_config(_cache_url)}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # fitbud/cache.py: reuses its redis client, and a circuit breaker skips a Redis that
    # fails or times out. Short timeouts: a hung Redis costs one request this long, then
    # the breaker skips it for CACHE_BREAKER_SECONDS (seconds, fractions allowed).
    CACHES["default"]["BACKEND"] = "fitbud.cache.RedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {
            "socket_connect_timeout": env.float("CACHE_SOCKET_CONNECT_TIMEOUT", default=0.05),
            "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.1),
        }
    )
CACHE_BREAKER_SECONDS = env.float("CACHE_BREAKER_SECONDS", default=5)
# Hot reads (lists, dashboards, today) are cached per tenant for this long; every write to
# the tenant makes them stale at once (fitbud/api/response_cache.py); 0 turns the cache off.
RESPONSE_CACHE_SECONDS = env.int("RESPONSE_CACHE_SECONDS", default=60)

# Email: console in development, SMTP (EMAIL_URL) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Fitbud <no-reply@fitbud.local>")
# Seconds an SMTP connect/read may take: a server that accepts and never answers must not
# hold a thread for minutes (accounts/email_delivery.py records the failure).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Emails are sent by Celery tasks after commit (accounts/email_delivery.py, see Background).

# Background work (fitbud/celery.py, docs/architecture.md "Background work"). Unset broker:
# every task runs eagerly in the enqueuing process after commit (make run, the tests); set:
# every task goes to Redis and `celery -A fitbud worker` runs it, under any settings module.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False  # an eager task's failure is logged, never a 500
# Prefix of every broker key, so several deployments (or a cache) can share one Redis DB.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "global_keyprefix": env("CELERY_BROKER_KEY_PREFIX", default=""),
    # A task not acknowledged within this many seconds (worker killed) is delivered again;
    # longer than any retry countdown and any task's time limit.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # A broker that is down at commit costs a request this long at most (then the sweep).
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No result backend: tasks record their outcome in the database (EmailDelivery,
# EventDelivery); set one only to inspect task results.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = True
# Losing a task matters (an email, an event): acknowledge after it ran, hand it to another
# worker when its worker dies, and take one task at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=2)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="fitbud")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
# Retries: base * 2**n seconds with jitter, capped (fitbud/background.py backoff).
CELERY_RETRY_BACKOFF_BASE = env.int("CELERY_RETRY_BACKOFF_BASE", default=10)
CELERY_RETRY_BACKOFF_MAX = env.int("CELERY_RETRY_BACKOFF_MAX", default=600)
# What used to be cron: run by `celery -A fitbud beat` (one beat per deployment).
CELERY_BEAT_SCHEDULE = {
    "renew-subscriptions": {"task": "billing.subscriptions_renew", "schedule": 300.0},
    "expire-invites": {"task": "clients.invites_expire", "schedule": 900.0},
    "flush-expired-tokens": {"task": "accounts.tokens_flush", "schedule": 86400.0},
    "sweep-event-spine": {"task": "dashboard.events_sweep", "schedule": 60.0},
    "sweep-lost-emails": {"task": "accounts.email_deliveries_sweep", "schedule": 600.0},
    "sweep-automations": {"task": "coaching.automations_sweep", "schedule": 900.0},
    "sweep-broadcasts": {"task": "messaging.broadcasts_sweep", "schedule": 60.0},
    "sweep-message-thumbnails": {"task": "messaging.thumbnails_sweep", "schedule": 600.0},
    "sweep-push-deliveries": {"task": "notifications.push_deliveries_sweep", "schedule": 60.0},
    "send-habit-reminders": {"task": "notifications.habit_reminders_send", "schedule": 300.0},
    "sweep-webhook-deliveries": {"task": "integrations.webhook_deliveries_sweep", "schedule": 60.0},
    "purge-sync-tombstones": {"task": "sync.tombstones_purge", "schedule": 86400.0},
    "purge-idempotency-records": {"task": "api.idempotency_records_purge", "schedule": 3600.0},
    "purge-webhook-deliveries": {
        "task": "integrations.webhook_deliveries_purge",
        "schedule": 86400.0,
    },
    "purge-push-deliveries": {"task": "notifications.push_deliveries_purge", "schedule": 86400.0},
}
# Messaging (docs/messaging.md): how long the author may edit or delete a message.
MESSAGE_EDIT_WINDOW_SECONDS = env.int("MESSAGE_EDIT_WINDOW_SECONDS", default=900)
# Idempotency-Key records of creates (fitbud/api/idempotency.py) are replayed this long.
IDEMPOTENCY_TTL_HOURS = 24
# An email still pending this long after it was recorded lost its send task (every retry
# would have ended): a reset is sent again, an invite marked failed (resend it).
EMAIL_STALE_MINUTES = 90
# The event spine (dashboard/spine.py): consumers by name; each handles every event once.
SPINE_CONSUMERS = {
    "log": "dashboard.spine.log_consumer",
    "automations": "coaching.services.automations.automations_on_event",
    "notifications": "notifications.consumers.notifications_on_event",
    "webhooks": "integrations.webhooks.consumers.webhooks_on_event",
}
# Mobile sync (docs/sync.md): deletions are remembered this long (an older last_pulled_at
# must reset); a pull's timestamp is the clock minus this margin minus the age of the oldest
# transaction in flight (capped); a push's fingerprint answers its replays this long.
SYNC_TOMBSTONE_RETENTION_DAYS = env.int("SYNC_TOMBSTONE_RETENTION_DAYS", default=30)
# How long finished delivery logs are kept (docs/integrations.md, docs/notifications.md).
WEBHOOK_DELIVERY_RETENTION_DAYS = env.int("WEBHOOK_DELIVERY_RETENTION_DAYS", default=30)
PUSH_DELIVERY_RETENTION_DAYS = env.int("PUSH_DELIVERY_RETENTION_DAYS", default=7)
SYNC_CLOCK_MARGIN_MS = env.int("SYNC_CLOCK_MARGIN_MS", default=1000)
SYNC_INFLIGHT_MAX_SECONDS = env.int("SYNC_INFLIGHT_MAX_SECONDS", default=60)
SYNC_PUSH_RETENTION_HOURS = 24
# Automations (docs/coaching.md): billing's rule for the subscription_ending trigger.
AUTOMATION_SUBSCRIPTION_SOURCE = "billing.automations.subscriptions_ending"
# An event not relayed this many seconds after it was written is relayed by the sweep.
SPINE_SWEEP_GRACE_SECONDS = env.int("SPINE_SWEEP_GRACE_SECONDS", default=120)
SPINE_SWEEP_BATCH = 500
# A consumer seen for the first time is handed the events of this many past hours only.
SPINE_NEW_CONSUMER_LOOKBACK_HOURS = 24

# Push notifications (docs/notifications.md). "test": the in-memory provider (development,
# tests); "live": FCM HTTP v1 for ios/android, Web Push (VAPID) for web.
PUSH_PROVIDER = env("PUSH_PROVIDER", default="test")
# Seconds one provider call (and FCM's token request) may take before it counts as failed.
PUSH_TIMEOUT_SECONDS = env.float("PUSH_TIMEOUT_SECONDS", default=10.0)
FCM_SERVICE_ACCOUNT_JSON = env("FCM_SERVICE_ACCOUNT_JSON", default="")
FCM_SERVICE_ACCOUNT_FILE = env("FCM_SERVICE_ACCOUNT_FILE", default="")
FCM_PROJECT_ID = env("FCM_PROJECT_ID", default="")
WEBPUSH_VAPID_PRIVATE_KEY = env("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_VAPID_PUBLIC_KEY = env("WEBPUSH_VAPID_PUBLIC_KEY", default="")
WEBPUSH_VAPID_SUBJECT = env("WEBPUSH_VAPID_SUBJECT", default="mailto:admin@fitbud.local")
# Hosts (and their subdomains) a web subscription's endpoint may point at: the worker POSTs
# to it, so an arbitrary URL would let any user aim our servers at internal addresses.
WEBPUSH_ALLOWED_HOSTS = env.list(
    "WEBPUSH_ALLOWED_HOSTS",
    default=[
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)
# Outgoing webhooks (docs/integrations.md "Webhooks"). Seconds per socket operation.
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=5.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=10.0)
# Bytes of a receiver's answer read (and kept in the delivery log); the rest is never read.
WEBHOOK_RESPONSE_MAX_BYTES = 2048
# An endpoint is turned off when a delivery used up its retries and every attempt to it
# failed for this long.
WEBHOOK_DISABLE_AFTER_HOURS = env.int("WEBHOOK_DISABLE_AFTER_HOURS", default=24)
# Waits of the retry schedule up to this long ride a Celery countdown; longer ones (and
# anything lost) are enqueued by the minutely sweep.
WEBHOOK_COUNTDOWN_MAX_SECONDS = 900
WEBHOOK_SWEEP_BATCH = 1000
# Development only: allow http:// and private addresses (local receivers). Production
# settings refuse to start with it.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)

# Where links in emails point (the mobile app / web client handles these paths).
FRONTEND_URL = env("FRONTEND_URL", default="http://localhost:8000").rstrip("/")
INVITE_URL_TEMPLATE = env("INVITE_URL_TEMPLATE", default=FRONTEND_URL + "/invite/{token}")
PASSWORD_RESET_URL_TEMPLATE = env(
    "PASSWORD_RESET_URL_TEMPLATE", default=FRONTEND_URL + "/reset-password/{uid}/{token}"
)
INVITE_TTL_DAYS = env.int("INVITE_TTL_DAYS", default=7)
# Studio member invites (a new coach, admin or specialist joins a studio).
MEMBER_INVITE_URL_TEMPLATE = env(
    "MEMBER_INVITE_URL_TEMPLATE", default=FRONTEND_URL + "/member-invite/{token}"
)
MEMBER_INVITE_TTL_DAYS = 7
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
# Checkout sends Idempotency-Key; browsers must be allowed to send it and to read Retry-After.
CORS_ALLOW_HEADERS = (*cors_default_headers, "idempotency-key")
# Idempotent-Replayed: a retried checkout tells the app it got the first answer again.
CORS_EXPOSE_HEADERS = [
    "Retry-After",
    "Idempotent-Replayed",
    "Content-Disposition",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TenantJWTAuthentication",
        # `Authorization: Api-Key <key>`: scopes and per-key limits (docs/integrations.md).
        "integrations.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON, written by orjson (fitbud/api/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["fitbud.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["fitbud.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "fitbud.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "fitbud.api.filters.FilterBackend",
        "fitbud.api.filters.BoundedSearchFilter",
        "fitbud.api.filters.StrictOrderingFilter",
        "fitbud.api.filters.UpdatedSinceFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "fitbud.api.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "fitbud.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login_ip": env("THROTTLE_LOGIN_IP", default="20/min"),
        "login_account": env("THROTTLE_LOGIN_ACCOUNT", default="10/min"),
        "reset_ip": env("THROTTLE_RESET_IP", default="10/hour"),
        "reset_account": env("THROTTLE_RESET_ACCOUNT", default="5/hour"),
        "invite_token": env("THROTTLE_INVITE_TOKEN", default="30/min"),
        # Invite create/resend (each sends an email): per trainer, and per recipient address.
        "invite_trainer": env("THROTTLE_INVITE_TRAINER", default="60/hour"),
        "invite_recipient": env("THROTTLE_INVITE_RECIPIENT", default="5/hour"),
        "refresh_ip": env("THROTTLE_REFRESH_IP", default="60/min"),
        "logout_ip": env("THROTTLE_LOGOUT_IP", default="30/min"),
        "reset_confirm_ip": env("THROTTLE_RESET_CONFIRM_IP", default="20/hour"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "COERCE_DECIMAL_TO_STRING": False,
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_FORMATTER_CLASS": "fitbud.api.exceptions.ExceptionFormatter",
    "EXCEPTION_HANDLER_CLASS": "fitbud.api.exceptions.ExceptionHandler",
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    # 409 is documented per endpoint (extend_schema) where a service raises Conflict.
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "415", "429"],
    # 401 codes come from simplejwt too (token_not_valid, ...); document them truthfully.
    # One truthful 400 shape: attrs are nested paths (`content.days[2].sets`) and codes come
    # from validators and services, neither of which a per-field enum could list.
    "ERROR_SCHEMAS": {
        "400": "fitbud.api.schema.ErrorResponse400Serializer",
        "401": "accounts.api.schema.ErrorResponse401Serializer",
        # Some 404s carry a precise code (`invite_not_found`) and an attr naming the field.
        "403": "fitbud.api.schema.ClientErrorResponseSerializer",  # + client_inactive
        "404": "fitbud.api.schema.ClientErrorResponseSerializer",
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # Tokens carry a digest of the password hash: changing the password ends every session.
    "CHECK_REVOKE_TOKEN": True,
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Fitbud API",
    "DESCRIPTION": (
        "Backend for personal trainers and their clients. Authenticate with "
        "`POST /api/v1/auth/token/`, then press **Authorize** and paste the `access` token. "
        "Every error has the same shape: `{type, errors: [{code, detail, attr}]}` "
        "(component `Error`).\n\n"
        "**Versioning.** The major version is in the path (`/api/v1/`); within v1 changes "
        "are additive only: new endpoints, new optional request fields, new response "
        "fields, new enum values and new error codes may appear at any time, so clients "
        "must ignore unknown fields and treat an unknown enum value or error code as "
        '"other". Removing or renaming a field, an endpoint or an enum value, making an '
        "optional request field required or changing a type needs `/api/v2/`.\n\n"
        "**Deprecation.** What will go away is marked `deprecated: true` here and listed "
        "in docs/api.md at least 6 months before removal; it keeps working until v1 ends."
    ),
    "VERSION": "1.0.0",
    "SERVERS": [
        # First: the origin the schema was loaded from, so Swagger UI's "Try it out" calls
        # the server it is on, whatever its host and port.
        {"url": "/", "description": "This server."},
        {"url": "http://localhost:8000", "description": "Local development (make run)."},
        {
            "url": "{origin}",
            "description": "Any deployment: its own origin.",
            "variables": {"origin": {"default": "https://api.fitbud.example"}},
        },
    ],
    "TAGS": [
        {"name": "auth", "description": "Sign up, log in, tokens, password, invite acceptance."},
        {"name": "invites", "description": "Trainers invite clients by email."},
        {"name": "clients", "description": "A trainer's roster, private notes, health."},
        {
            "name": "exercises",
            "description": "The exercise library, trainers' own exercises, exercise history.",
        },
        {"name": "templates", "description": "A trainer's reusable workout and diet plans."},
        {"name": "assignments", "description": "Plans given to clients (immutable snapshots)."},
        {"name": "workout-logs", "description": "Workouts a client logged."},
        {"name": "meal-logs", "description": "Meals a client logged."},
        {"name": "check-ins", "description": "Clients' check-ins and trainers' reviews."},
        {"name": "habits", "description": "Habits trainers give and clients check off."},
        {"name": "forms", "description": "A trainer's check-in forms (versioned questions)."},
        {"name": "form-assignments", "description": "Forms sent to clients."},
        {"name": "form-responses", "description": "Clients' answers and trainers' reviews."},
        {"name": "me", "description": "The signed-in client's own screens and data."},
        {"name": "feed", "description": "A trainer's activity feed (list and live stream)."},
        {"name": "dashboard", "description": "A trainer's figures at a glance."},
        {"name": "billing", "description": "Plans, subscriptions, payments, webhooks."},
        {"name": "studio", "description": "A studio's members, roles and member invites."},
        {"name": "automations", "description": "A trainer's rules: trigger, action, log."},
        {
            "name": "notifications",
            "description": "The signed-in user's in-app notifications and their preferences "
            "(kinds, channels, quiet hours).",
        },
        {
            "name": "devices",
            "description": "Push targets of the signed-in user's apps: FCM tokens (ios, android) "
            "and Web Push subscriptions (web).",
        },
        {
            "name": "messaging",
            "description": "Conversations between members and clients, messages, broadcasts.",
        },
        {
            "name": "stream",
            "description": "Your live stream: feed events, messages, notifications (SSE).",
        },
        {"name": "photos", "description": "Clients' progress photos (signed, expiring URLs)."},
        {"name": "body-stats", "description": "Body measurements and health-store imports."},
        {"name": "metrics", "description": "Body metric series (one point per day) for charts."},
        {"name": "metric-types", "description": "Custom body metrics a studio defines."},
        {"name": "webhooks", "description": "Signed outgoing webhooks: endpoints, delivery log."},
        {"name": "sync", "description": "Offline mobile sync (WatermelonDB pull and push)."},
        {
            "name": "api-keys",
            "description": "A member's API keys for their own tools (docs/integrations.md).",
        },
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        # Named per model: several apps have a "status" field with different choices.
        "InviteStatusEnum": "clients.models.InviteStatus",
        "SubscriptionStatusEnum": "billing.models.Subscription.Status",
        "PaymentStatusEnum": "billing.models.Payment.Status",
        "AssignmentStatusEnum": "plans.models.PlanAssignment.Status",
        "PlanKindEnum": "plans.models.PlanKind",
        # Studio roles (owner/admin/coach/specialist) beside the account role (trainer/client).
        "StudioRoleEnum": "accounts.models.StudioRole",
        "RoleEnum": "accounts.models.User.Role",
        "FormKindEnum": "coaching.models.forms.FormKind",
        "PhotoPoseEnum": "progress.models.PhotoPose",
        "MetricKindEnum": "progress.models.MetricKind",
        "BodyStatSourceEnum": "progress.models.BodyStatSource",
        "ApiKeyStatusEnum": "integrations.models.api_keys.ApiKeyStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "fitbud.api.schema_hooks.error_bodies_as_sent",
        "fitbud.api.schema_hooks.request_strings_as_validated",
        # The schema as generated clients need it (issue 13); see the module docstring.
        "fitbud.api.schema_contract.plan_content_by_kind",
        "fitbud.api.schema_contract.one_error_envelope",
        "fitbud.api.schema_contract.stream_and_headers",
        "fitbud.api.schema_contract.anonymous_security",
        # After one_error_envelope: adds the API keys' codes to its descriptions.
        "integrations.schema.api_key_scopes",
        "fitbud.api.schema_contract.integer_path_ids",
        "fitbud.api.schema_contract.named_query_enums",
        "fitbud.api.schema_contract.nullable_refs",
        "fitbud.api.schema_contract.descriptions",
        "fitbud.api.schema_contract.request_defaults",
        "fitbud.api.schema_contract.drop_unreferenced",
    ],
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "displayOperationId": False},
    # Swagger UI and ReDoc assets served by us (sidecar), not a CDN: the docs page works
    # offline, behind strict egress rules and under a same-origin CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# API keys (docs/integrations.md "Limits"): requests per key (DRF rate syntax), live keys per
# member, and how often a key's last_used_at may be written.
API_KEY_RATE_LIMIT = env("API_KEY_RATE_LIMIT", default="120/min")
API_KEYS_MAX_PER_MEMBER = env.int("API_KEYS_MAX_PER_MEMBER", default=20)
API_KEY_LAST_USED_SECONDS = 60

# Billing provider: "test" (built in, no network) or "stripe".
BILLING_PROVIDER = env("BILLING_PROVIDER", default="test")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
BILLING_SUCCESS_URL = env("BILLING_SUCCESS_URL", default=FRONTEND_URL + "/billing/success")
BILLING_CANCEL_URL = env("BILLING_CANCEL_URL", default=FRONTEND_URL + "/billing/cancel")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own default config gives "django" a console handler (in DEBUG) *and* lets
        # it propagate to root, so every Django record was printed twice under runserver;
        # root's handler is the one place records are written.
        "django": {"handlers": [], "level": env("LOG_LEVEL", default="INFO"), "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}

# Live feed (feed/stream/, docs/feed.md): the longest a stream stays open (the app then
# reconnects with Last-Event-ID), and how long a stream ticket can open one.
FEED_STREAM_MAX_SECONDS = env.float("FEED_STREAM_MAX_SECONDS", default=300.0)
FEED_STREAM_TICKET_SECONDS = env.int("FEED_STREAM_TICKET_SECONDS", default=60)
