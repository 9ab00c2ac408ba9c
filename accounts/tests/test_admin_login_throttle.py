"""Finding 1 (issue 12): the admin login spends the API login's budget, per account and
per client address, through the real /admin/login/ route."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api.throttles import LoginAccountThrottle, LoginAddressThrottle
from accounts.models import User
from conftest import assert_error

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = reverse("admin:login")
ADMIN_INDEX = reverse("admin:index")
TOKEN = reverse("auth-token")
PASSWORD = "admin-pass-123"


def limit(throttle_class) -> int:
    return throttle_class().num_requests


@pytest.fixture
def staff_user():
    return User.objects.create_superuser(
        email="admin@example.com", password=PASSWORD, full_name="Ada Admin"
    )


def admin_login(password, email="admin@example.com", ip="10.0.0.1"):
    client = Client()
    response = client.post(
        ADMIN_LOGIN,
        {"username": email, "password": password, "next": ADMIN_INDEX},
        REMOTE_ADDR=ip,
    )
    return client, response


def api_login(password, email="admin@example.com", ip="10.0.0.1"):
    return APIClient().post(TOKEN, {"email": email, "password": password}, REMOTE_ADDR=ip)


def assert_admin_throttled(client, response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many login attempts" in response.content.decode()
    # Not signed in: the admin still asks for a login.
    assert client.get(ADMIN_INDEX).status_code == 302


def test_the_right_password_works_before_any_failure(staff_user):
    client, response = admin_login(PASSWORD)
    assert response.status_code == 302
    assert client.get(ADMIN_INDEX).status_code == 200


def test_wrong_passwords_lock_the_account_then_even_the_right_one_waits(staff_user):
    for attempt in range(limit(LoginAccountThrottle)):
        _, response = admin_login("wrong-guess-1", ip=f"10.0.1.{attempt}")
        assert response.status_code == 200  # the form again, with its error
        assert "Please enter the correct" in response.content.decode()

    client, response = admin_login(PASSWORD, ip="10.9.9.9")
    assert_admin_throttled(client, response)


def test_the_lockout_lifts_after_the_window(staff_user):
    for attempt in range(limit(LoginAccountThrottle)):
        admin_login("wrong-guess-1", ip=f"10.0.1.{attempt}")
    assert_admin_throttled(*admin_login(PASSWORD))

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        client, response = admin_login(PASSWORD)
        assert response.status_code == 302
        assert client.get(ADMIN_INDEX).status_code == 200


def test_admin_and_api_attempts_share_one_account_budget(staff_user):
    half = limit(LoginAccountThrottle) // 2
    for attempt in range(half):
        assert api_login("wrong-guess-1", ip=f"10.0.2.{attempt}").status_code == 401
    for attempt in range(limit(LoginAccountThrottle) - half):
        admin_login("wrong-guess-1", ip=f"10.0.3.{attempt}")

    # Both doors are shut now, for the right password too.
    assert_admin_throttled(*admin_login(PASSWORD, ip="10.9.9.9"))
    assert_error(api_login(PASSWORD, ip="10.9.9.8"), 429, "throttled")


def test_api_attempts_spend_the_admin_budget(staff_user):
    for attempt in range(limit(LoginAccountThrottle)):
        api_login("wrong-guess-1", ip=f"10.0.2.{attempt}")
    assert_admin_throttled(*admin_login(PASSWORD, ip="10.9.9.9"))


def test_one_address_is_limited_across_accounts(staff_user):
    for attempt in range(limit(LoginAddressThrottle)):
        admin_login("wrong-guess-1", email=f"guess{attempt}@example.com", ip="203.0.113.7")
    assert_admin_throttled(*admin_login(PASSWORD, ip="203.0.113.7"))
    # Another address still gets in.
    _, response = admin_login(PASSWORD, ip="203.0.113.8")
    assert response.status_code == 302


def test_the_account_budget_ignores_the_letter_case_of_the_email(staff_user):
    for attempt in range(limit(LoginAccountThrottle)):
        email = "ADMIN@example.com" if attempt % 2 else "admin@EXAMPLE.com"
        admin_login("wrong-guess-1", email=email, ip=f"10.0.4.{attempt}")
    assert_admin_throttled(*admin_login(PASSWORD, ip="10.9.9.9"))


def test_the_login_page_itself_is_not_counted(staff_user):
    for _ in range(limit(LoginAddressThrottle) + 1):
        assert Client().get(ADMIN_LOGIN).status_code == 200
    _, response = admin_login(PASSWORD)
    assert response.status_code == 302
