"""Login and password reset are rate-limited per client address and per account."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api.throttles import (
    LoginAccountThrottle,
    LoginAddressThrottle,
    ResetAccountThrottle,
    ResetAddressThrottle,
)
from accounts.tests.factories import DEFAULT_PASSWORD, TrainerFactory
from conftest import assert_error, closed_port, use_redis_cache

TOKEN = reverse("auth-token")
RESET = reverse("auth-password-reset")
REGISTER = reverse("auth-register")
CHANGE = reverse("auth-password-change")

pytestmark = pytest.mark.django_db


def limit(throttle_class) -> int:
    # Read the configured rate, so the tests follow THROTTLE_* environment overrides.
    return throttle_class().num_requests


def login_from(ip, email="tess@example.com", password=DEFAULT_PASSWORD, **extra):
    return APIClient().post(TOKEN, {"email": email, "password": password}, REMOTE_ADDR=ip, **extra)


def reset_from(ip, email="tess@example.com"):
    return APIClient().post(RESET, {"email": email}, REMOTE_ADDR=ip)


def assert_throttled(response):
    body = assert_error(response, 429, "throttled")
    assert len(body["errors"]) == 1
    assert body["type"] == "client_error"
    assert int(response["Retry-After"]) > 0
    return body


def test_login_is_limited_per_account_across_addresses(trainer):
    for attempt in range(limit(LoginAccountThrottle)):
        assert login_from(f"10.0.0.{attempt}", password="wrong-guess-1").status_code == 401

    # Even the right password from a fresh address waits now.
    assert_throttled(login_from("10.9.9.9"))


def test_the_account_limit_ignores_the_letter_case_of_the_email(trainer):
    for attempt in range(limit(LoginAccountThrottle)):
        email = "TESS@example.com" if attempt % 2 else "tess@EXAMPLE.com"
        login_from(f"10.0.0.{attempt}", email=email, password="wrong-guess-1")
    assert_throttled(login_from("10.9.9.9", email="Tess@Example.Com"))


def test_one_throttled_account_does_not_lock_out_another(trainer, other_trainer):
    for attempt in range(limit(LoginAccountThrottle)):
        login_from(f"10.0.0.{attempt}", password="wrong-guess-1")
    assert login_from("10.0.1.1", email="oscar@example.com").status_code == 200


def test_login_is_limited_per_client_address_across_accounts():
    for attempt in range(limit(LoginAddressThrottle)):
        response = login_from("203.0.113.7", email=f"guess{attempt}@example.com")
        assert response.status_code == 401

    assert_throttled(login_from("203.0.113.7", email="another@example.com"))
    TrainerFactory(email="fresh@example.com")
    assert login_from("203.0.113.8", email="fresh@example.com").status_code == 200


def test_a_spoofed_forwarded_for_header_does_not_reset_the_address_limit(settings):
    # NUM_PROXIES=0 (no trusted proxy): X-Forwarded-For is the client's word, not evidence.
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    for attempt in range(limit(LoginAddressThrottle)):
        login_from(
            "203.0.113.7", email=f"g{attempt}@example.com", HTTP_X_FORWARDED_FOR=f"1.1.1.{attempt}"
        )
    assert_throttled(
        login_from("203.0.113.7", email="x@example.com", HTTP_X_FORWARDED_FOR="8.8.8.8")
    )


def test_the_login_limit_lifts_after_the_window(trainer):
    for attempt in range(limit(LoginAccountThrottle)):
        login_from(f"10.0.0.{attempt}", password="wrong-guess-1")
    assert_throttled(login_from("10.9.9.9"))

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert login_from("10.9.9.9").status_code == 200


def test_reset_is_limited_per_account_with_the_same_body_for_unknown_emails(trainer):
    for email in ("tess@example.com", "nobody@example.com"):
        for attempt in range(limit(ResetAccountThrottle)):
            assert reset_from(f"10.1.{attempt}.1", email=email).status_code == 202
        assert_throttled(reset_from("10.2.0.1", email=email))


def test_reset_is_limited_per_client_address():
    for attempt in range(limit(ResetAddressThrottle)):
        assert reset_from("198.51.100.1", email=f"p{attempt}@example.com").status_code == 202
    assert_throttled(reset_from("198.51.100.1", email="last@example.com"))
    assert reset_from("198.51.100.2", email="last@example.com").status_code == 202


def test_register_is_limited_per_client_address():
    for attempt in range(limit(LoginAddressThrottle)):
        response = APIClient().post(
            REGISTER,
            {"email": f"n{attempt}@example.com", "password": "plum-orbit-42", "full_name": "N"},
            REMOTE_ADDR="192.0.2.1",
        )
        assert response.status_code == 201
    response = APIClient().post(
        REGISTER,
        {"email": "late@example.com", "password": "plum-orbit-42", "full_name": "L"},
        REMOTE_ADDR="192.0.2.1",
    )
    assert_throttled(response)


def test_password_change_guesses_spend_the_login_budget_of_the_account(trainer_api, trainer):
    for _ in range(limit(LoginAccountThrottle)):
        trainer_api.post(CHANGE, {"old_password": "guess-guess-1", "new_password": "x-y-z-123456"})
    response = trainer_api.post(
        CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": "glacier-mango-7"}
    )
    assert_throttled(response)
    assert_throttled(login_from("10.3.3.3"))


def test_a_malformed_body_is_a_400_even_where_the_throttle_reads_it(api_client):
    response = api_client.post(TOKEN, "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")
    response = api_client.post(TOKEN, ["tess@example.com"], format="json")
    assert_error(response, 400, "invalid")


def test_a_cache_outage_counts_in_process_instead_of_lifting_the_limits(
    trainer, settings, hung_server
):
    # A hung Redis: the first count times out and opens the breaker; from then on the
    # attempts are counted in this process, and the limit still holds.
    use_redis_cache(settings, f"redis://127.0.0.1:{hung_server.port}/0")
    for attempt in range(limit(LoginAccountThrottle)):
        response = login_from(f"10.0.1.{attempt}", password="wrong-password")
        assert response.status_code == 401, attempt
    assert_throttled(login_from("10.0.2.1"))
    assert cache.breaker.is_open


def test_a_down_cache_still_limits_an_address(trainer, settings):
    use_redis_cache(settings, f"redis://127.0.0.1:{closed_port()}/0")
    for attempt in range(limit(LoginAddressThrottle)):
        login_from("10.0.3.1", email=f"nobody{attempt}@example.com")
    assert_throttled(login_from("10.0.3.1"))
