import pytest
from django.core.checks import Warning, run_checks

from accounts.checks import check_throttle_cache_is_shared

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
}


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    ],
)
def test_a_per_process_cache_is_a_deploy_warning(settings, backend):
    settings.CACHES = {"default": {"BACKEND": backend}}
    [message] = check_throttle_cache_is_shared(None)
    assert isinstance(message, Warning)
    assert message.id == "accounts.W001"


def test_a_shared_redis_cache_passes(settings):
    settings.CACHES = REDIS
    assert check_throttle_cache_is_shared(None) == []


def test_the_check_runs_only_with_deploy(settings):
    settings.CACHES = LOCMEM
    assert "accounts.W001" not in {m.id for m in run_checks()}
    assert "accounts.W001" in {m.id for m in run_checks(include_deployment_checks=True)}


def test_a_deployment_without_a_broker_is_a_deploy_warning(settings):
    from accounts.checks import check_background_work_has_a_broker

    settings.CELERY_BROKER_URL = ""
    [message] = check_background_work_has_a_broker(None)
    assert message.id == "accounts.W002"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/1"
    assert check_background_work_has_a_broker(None) == []
