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
    result = run_deploy_check(REDIS_URL="redis://redis.internal:6379/0")
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


def test_production_uses_redis_from_redis_url_with_short_timeouts():
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CACHES['default'])); print(settings.RESPONSE_CACHE_SECONDS)"
    )
    result = run_with_production_settings(["-c", script], REDIS_URL="redis://redis.internal:6379/2")
    assert result.returncode == 0, result.stderr
    *_, cache, response_cache_seconds = result.stdout.strip().splitlines()
    cache = json.loads(cache)
    assert response_cache_seconds == "60"
    assert cache["BACKEND"] == "fitbud.cache.RedisCache"
    assert cache["LOCATION"] == "redis://redis.internal:6379/2"
    assert cache["KEY_PREFIX"] == "fitbud"
    assert cache["OPTIONS"] == {"socket_connect_timeout": 2, "socket_timeout": 2}


def test_production_does_not_cache_in_per_process_memory():
    # A write in one gunicorn worker could not invalidate another worker's memory (a
    # password change must revoke the old tokens in every worker).
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.RESPONSE_CACHE_SECONDS, settings.AUTH_USER_CACHE_SECONDS)"
    )
    result = run_with_production_settings(["-c", script], CACHE_URL="locmemcache://")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0 0"
