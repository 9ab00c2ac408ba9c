"""Deploy checks: rate limits only hold when every worker counts in the same cache."""

from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@checks.register(checks.Tags.security, deploy=True)
def check_throttle_cache_is_shared(app_configs, **kwargs) -> list[checks.CheckMessage]:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        checks.Warning(
            f"The default cache is {backend.rsplit('.', 1)[-1]}, which each gunicorn worker "
            "keeps to itself: login and password-reset rate limits would be counted per "
            "process (or not at all) instead of per client.",
            hint="Set REDIS_URL (or CACHE_URL) to a Redis server shared by all workers.",
            id="accounts.W001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_background_work_has_a_broker(app_configs, **kwargs) -> list[checks.CheckMessage]:
    # Without a broker tasks run in the request's thread after commit: a slow mail server
    # slows the request, and the password reset's timing tells whether an address exists.
    if settings.CELERY_BROKER_URL:
        return []
    return [
        checks.Warning(
            "CELERY_BROKER_URL is not set: email and event consumers run inside the "
            "request (no retries, SMTP latency visible to callers).",
            hint="Set CELERY_BROKER_URL to the Redis broker the worker and beat use.",
            id="accounts.W002",
        )
    ]
