"""Production: every secret from the environment, HTTPS everywhere, shared cache."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, PHOTOS_STORAGE, WEBHOOK_ALLOW_PRIVATE_TARGETS, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # no default: refuse to start without one
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# Webhooks to http:// or private addresses are for local development only (SSRF).
if WEBHOOK_ALLOW_PRIVATE_TARGETS:
    raise ImproperlyConfigured("WEBHOOK_ALLOW_PRIVATE_TARGETS is for development only.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Only the local docker compose demo (plain http on localhost) turns these off.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "photos": PHOTOS_STORAGE,
}

# Rate limits (login, password reset) are counted in the default cache, which must be shared
# by every gunicorn worker: point REDIS_URL/CACHE_URL at Redis (base.py reads them, and sets
# short socket timeouts and the circuit breaker). Without one, `check --deploy` warns
# (accounts.W001). While Redis is unreachable the limits are counted per process.
if CACHES["default"]["BACKEND"] == "fitbud.cache.RedisCache":
    CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="fitbud")
else:
    # Cached responses are checked against the database, so per-process memory would be
    # correct, but every worker would keep (and miss) its own copies: without Redis
    # nothing is cached.
    RESPONSE_CACHE_SECONDS = 0
