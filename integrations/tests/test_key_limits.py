"""Per-key rate limits: RateLimit-* headers on every keyed response, 429 with Retry-After,
counted in the throttle cache (per process while Redis is down, never lifted)."""

import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import assert_error, closed_port, use_redis_cache
from fitbud import cache as fitbud_cache
from integrations.tests.factories import key_client, make_key

CLIENTS = reverse("client-list")
TEMPLATES = reverse("template-list")


def limits(response) -> tuple[str, str, str]:
    return (
        response["RateLimit-Limit"],
        response["RateLimit-Remaining"],
        response["RateLimit-Reset"],
    )


def test_every_keyed_response_says_how_much_is_left(settings, trainer, client_link):
    settings.API_KEY_RATE_LIMIT = "5/min"
    _, raw = make_key(trainer)
    api = key_client(raw)
    with time_machine.travel(timezone.now(), tick=False):
        first, second = api.get(CLIENTS), api.get(CLIENTS)
        refused = api.get(TEMPLATES)  # a missing scope still counts, and says so

    assert limits(first) == ("5", "4", "60")
    assert limits(second) == ("5", "3", "60")
    assert first["RateLimit-Policy"] == "5;w=60"
    assert_error(refused, 403, "scope_missing")
    assert limits(refused) == ("5", "2", "60")


def test_over_the_limit_is_a_429_with_retry_after(settings, trainer, client_link):
    settings.API_KEY_RATE_LIMIT = "2/min"
    _, raw = make_key(trainer)
    api = key_client(raw)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api.get(CLIENTS), api.get(CLIENTS)
    with time_machine.travel(start.timestamp() + 20, tick=False):
        response = api.get(CLIENTS)
    assert_error(response, 429, "throttled")
    assert response["Retry-After"] == "40"
    assert limits(response) == ("2", "0", "40")
    # Once the window has moved on, the key works again.
    with time_machine.travel(start.timestamp() + 61, tick=False):
        assert api.get(CLIENTS).status_code == 200


def test_each_key_has_its_own_budget_and_jwts_are_not_counted(
    settings, trainer, trainer_api, client_link
):
    settings.API_KEY_RATE_LIMIT = "1/min"
    _, first = make_key(trainer)
    _, second = make_key(trainer)
    assert key_client(first).get(CLIENTS).status_code == 200
    assert_error(key_client(first).get(CLIENTS), 429, "throttled")
    assert key_client(second).get(CLIENTS).status_code == 200
    assert trainer_api.get(CLIENTS).status_code == 200


def test_a_revoked_key_s_401_carries_no_limits(trainer, trainer_api, client_link):
    key, raw = make_key(trainer)
    trainer_api.delete(reverse("api-key-detail", args=[key.pk]))
    response = key_client(raw).get(CLIENTS)
    assert_error(response, 401, "api_key_revoked")
    assert "RateLimit-Limit" not in response


def test_with_redis_down_the_limit_still_holds_per_process(settings, trainer, client_link):
    use_redis_cache(settings, f"redis://127.0.0.1:{closed_port()}/0")
    settings.API_KEY_RATE_LIMIT = "2/min"
    _, raw = make_key(trainer)
    api = key_client(raw)

    assert api.get(CLIENTS).status_code == 200
    second = api.get(CLIENTS)
    assert second.status_code == 200 and second["RateLimit-Remaining"] == "0"
    assert_error(api.get(CLIENTS), 429, "throttled")
    assert fitbud_cache.throttle_cache.local.get(f"throttle_api_key_{_key_id(raw)}")


def _key_id(raw: str) -> int:
    from integrations.models import ApiKey

    return ApiKey.objects.get(prefix=raw.split("_")[1]).pk
