"""Finding 2 (issue 12): the anonymous auth endpoints without a login budget (refresh,
logout, reset confirm) answer a huge body with a small 400, and are rate-limited per
client address with the uniform 429."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.api.throttles import (
    LogoutAddressThrottle,
    RefreshAddressThrottle,
    ResetConfirmAddressThrottle,
)
from conftest import assert_error
from fitbud.api.exceptions import MAX_ERRORS
from fitbud.api.parsers import MAX_OBJECT_KEYS

pytestmark = pytest.mark.django_db

REFRESH = reverse("auth-token-refresh")
LOGOUT = reverse("auth-logout")
CONFIRM = reverse("auth-password-reset-confirm")
ENDPOINTS = [
    (REFRESH, RefreshAddressThrottle, {"refresh": "not-a-token"}),
    (LOGOUT, LogoutAddressThrottle, {"refresh": "not-a-token"}),
    (CONFIRM, ResetConfirmAddressThrottle, {"uid": "x", "token": "y", "new_password": "z"}),
]
PATHS = [path for path, _, _ in ENDPOINTS]


def post_raw(path, body: str, ip="10.0.0.1"):
    return APIClient().post(path, body, content_type="application/json", REMOTE_ADDR=ip)


@pytest.mark.parametrize("path", PATHS)
def test_a_body_with_150k_keys_answers_one_small_400(path):
    # The finding: 2 MB, 150k keys -> a 10 MB answer with one error per key.
    body = json.dumps({f"k{n:06d}": 0 for n in range(150_000)})
    assert 1_900_000 < len(body) < 2_500_000  # under DATA_UPLOAD_MAX_MEMORY_SIZE

    response = post_raw(path, body)

    error = assert_error(response, 400, "parse_error")
    assert len(error["errors"]) == 1
    assert str(MAX_OBJECT_KEYS) in error["errors"][0]["detail"]
    assert len(response.content) < 500


@pytest.mark.parametrize("path", PATHS)
def test_many_unknown_keys_under_the_parser_cap_report_at_most_the_error_cap(path):
    unknown = MAX_OBJECT_KEYS - 10
    body = json.dumps({f"k{n:04d}": 0 for n in range(unknown)})

    response = post_raw(path, body)

    error = assert_error(response, 400, "unknown_field")
    errors = error["errors"]
    assert len(errors) == MAX_ERRORS + 1
    assert [e["code"] for e in errors[:-1]].count("unknown_field") >= MAX_ERRORS - 3
    summary = errors[-1]
    assert summary["code"] == "too_many_errors"
    assert summary["attr"] is None
    # Every error is accounted for: the unknown keys plus the missing required fields.
    required = {REFRESH: 1, LOGOUT: 1, CONFIRM: 3}[path]
    reported = MAX_ERRORS + int(summary["detail"].split()[0])
    assert reported == unknown + required
    assert len(response.content) < 3000


@pytest.mark.parametrize(("path", "throttle", "body"), ENDPOINTS)
def test_each_anonymous_endpoint_is_limited_per_client_address(path, throttle, body):
    for _ in range(throttle().num_requests):
        response = APIClient().post(path, body, format="json", REMOTE_ADDR="198.51.100.7")
        assert response.status_code in (400, 401), response.content

    response = APIClient().post(path, body, format="json", REMOTE_ADDR="198.51.100.7")

    error = assert_error(response, 429, "throttled")
    assert error["type"] == "client_error"
    assert len(error["errors"]) == 1
    assert int(response["Retry-After"]) > 0
    # Another address has its own budget.
    other = APIClient().post(path, body, format="json", REMOTE_ADDR="198.51.100.8")
    assert other.status_code in (400, 401)


def test_the_throttle_answers_before_the_body_is_read():
    for _ in range(RefreshAddressThrottle().num_requests):
        post_raw(REFRESH, "{}", ip="198.51.100.9")
    assert_error(post_raw(REFRESH, "{not json", ip="198.51.100.9"), 429, "throttled")


def test_the_rates_are_configured_in_settings(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    for _, throttle, _ in ENDPOINTS:
        assert throttle.scope in rates
