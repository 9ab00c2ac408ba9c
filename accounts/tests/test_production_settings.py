"""Production settings: Redis cache from the environment, and `check --deploy` stays clean."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_with_production_settings(args, **env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CACHE_URL", "REDIS_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="fitbud.settings.production",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="api.example.com",
    )
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_has_no_warnings_with_redis_configured():
    # The check only reads settings; no Redis server needs to be running.
    result = run_deploy_check(
        REDIS_URL="redis://redis.internal:6379/0", CELERY_BROKER_URL="redis://redis.internal:6379/1"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_a_shared_cache():
    result = run_deploy_check(CACHE_URL="locmemcache://")
    assert result.returncode != 0
    assert "accounts.W001" in result.stderr


def run_deploy_check(**env_overrides):
    return run_with_production_settings(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env_overrides
    )


def production_settings(*names, **env_overrides) -> list:
    """The values of these settings under production settings and this environment."""
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps([getattr(settings, name) for name in {list(names)!r}]))"
    )
    result = run_with_production_settings(["-c", script], **env_overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_uses_redis_from_redis_url_with_short_timeouts():
    caches, response_seconds, breaker_seconds = production_settings(
        "CACHES",
        "RESPONSE_CACHE_SECONDS",
        "CACHE_BREAKER_SECONDS",
        REDIS_URL="redis://redis.internal:6379/2",
    )
    cache = caches["default"]
    assert cache["BACKEND"] == "fitbud.cache.RedisCache"
    assert cache["LOCATION"] == "redis://redis.internal:6379/2"
    assert cache["KEY_PREFIX"] == "fitbud"
    # A hung Redis costs one request at most this long, then the breaker skips it.
    assert cache["OPTIONS"] == {"socket_connect_timeout": 0.05, "socket_timeout": 0.1}
    assert (response_seconds, breaker_seconds) == (60, 5)


def test_the_redis_timeouts_and_the_pause_are_configurable():
    caches, breaker_seconds = production_settings(
        "CACHES",
        "CACHE_BREAKER_SECONDS",
        REDIS_URL="redis://redis.internal:6379/2",
        CACHE_SOCKET_CONNECT_TIMEOUT="0.2",
        CACHE_SOCKET_TIMEOUT="0.25",
        CACHE_BREAKER_SECONDS="2.5",
    )
    assert caches["default"]["OPTIONS"] == {"socket_connect_timeout": 0.2, "socket_timeout": 0.25}
    assert breaker_seconds == 2.5


def test_production_does_not_cache_in_per_process_memory():
    # Correct (entries are checked against the database) but every worker would keep and
    # miss its own copies.
    assert production_settings("RESPONSE_CACHE_SECONDS", CACHE_URL="locmemcache://") == [0]
