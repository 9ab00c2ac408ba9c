"""Tests: fast hashing, in-memory email and cache, SQLite unless DATABASE_URL is set."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
BILLING_PROVIDER = "test"
STRIPE_SECRET_KEY = "sk_test_dummy"
STRIPE_WEBHOOK_SECRET = "whsec_test_secret"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # In-memory SQLite; the WAL pragma makes no sense there.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default=None)}

WHITENOISE_AUTOREFRESH = True

# Photos of the tests go to a throwaway directory (progress tests use one per test).
STORAGES = {
    **STORAGES,
    "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(tempfile.gettempdir()) / "fitbud-test-photos")},
    },
}

# Pushes land in notifications.push.test.outbox, whatever the environment says.
PUSH_PROVIDER = "test"
