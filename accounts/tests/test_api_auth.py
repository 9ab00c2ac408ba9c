"""Sign-up, login, refresh rotation and logout, all with real JWTs through the real routes."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, ClientUserFactory, TrainerFactory
from conftest import assert_error

REGISTER = reverse("auth-register")
TOKEN = reverse("auth-token")
REFRESH = reverse("auth-token-refresh")
LOGOUT = reverse("auth-logout")
ME = reverse("auth-me")

pytestmark = pytest.mark.django_db

STRONG = "plum-orbit-canyon-42"


def register(api_client, **overrides):
    body = {"email": "new@example.com", "password": STRONG, "full_name": "Nina New"}
    body.update(overrides)
    return api_client.post(REGISTER, body, format="json")


def me_with(access: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get(ME)


def login(api_client, email, password=DEFAULT_PASSWORD):
    return api_client.post(TOKEN, {"email": email, "password": password}, format="json")


# --- register -------------------------------------------------------------------------


def test_register_creates_a_trainer_and_returns_the_user_and_working_tokens(api_client):
    response = register(
        api_client, email="Nina@Example.COM", timezone="Europe/Berlin", units="imperial"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"user", "access", "refresh"}
    user = body["user"]
    assert set(user) == {"id", "email", "full_name", "role", "timezone", "units", "date_joined"}
    assert user["email"] == "nina@example.com"
    assert user["role"] == "trainer"
    assert (user["timezone"], user["units"]) == ("Europe/Berlin", "imperial")
    assert me_with(body["access"]).json()["id"] == user["id"]
    assert api_client.post(REFRESH, {"refresh": body["refresh"]}).status_code == 200
    assert User.objects.get(pk=user["id"]).check_password(STRONG)


def test_register_defaults_timezone_to_utc_and_units_to_metric(api_client):
    user = register(api_client).json()["user"]
    assert (user["timezone"], user["units"]) == ("UTC", "metric")


def test_register_stores_an_argon2_hash(api_client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    register(api_client)
    assert User.objects.get().password.startswith("argon2")


@pytest.mark.parametrize("email", ["tess@example.com", "TESS@example.com", " Tess@Example.com "])
def test_register_refuses_an_email_taken_in_any_letter_case(api_client, trainer, email):
    response = register(api_client, email=email)
    assert_error(response, 409, "email_taken")
    assert User.objects.count() == 1


def test_register_refuses_an_email_of_a_client_account(api_client, client_user):
    assert_error(register(api_client, email="CLEO@example.com"), 409, "email_taken")


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short1", "password_too_short"),
        ("password123", "password_too_common"),
        ("83749201937", "password_entirely_numeric"),
        ("nina@example.com", "password_too_similar"),
        ("Nina New!", "password_too_similar"),  # the full name
    ],
)
def test_register_refuses_a_weak_password_with_the_validator_code(api_client, password, code):
    response = register(api_client, email="nina@example.com", password=password)
    assert_error(response, 400, code, attr="password")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "attr", "code"),
    [
        ({"email": "not-an-email"}, "email", "invalid"),
        ({"email": None}, "email", "null"),
        ({"email": "a" * 300 + "@example.com"}, "email", "max_length"),
        ({"full_name": ""}, "full_name", "blank"),
        ({"full_name": "x" * 151}, "full_name", "max_length"),
        ({"full_name": ["a", "list"]}, "full_name", "invalid"),
        ({"password": "x" * 5000}, "password", "max_length"),
        ({"password": 12345678901}, "password", "password_entirely_numeric"),
        ({"timezone": "Mars/Olympus"}, "timezone", "invalid_timezone"),
        ({"timezone": "x" * 1000}, "timezone", "max_length"),
        ({"units": "stones"}, "units", "invalid_choice"),
        ({"role": "client"}, "role", "unknown_field"),
        ({"is_staff": True}, "is_staff", "unknown_field"),
    ],
)
def test_register_rejects_bad_input_naming_the_field(api_client, overrides, attr, code):
    response = register(api_client, **overrides)
    assert_error(response, 400, code, attr=attr)
    assert not User.objects.exists()


def test_register_requires_email_password_and_full_name(api_client):
    body = assert_error(api_client.post(REGISTER, {}, format="json"), 400)
    assert {(e["attr"], e["code"]) for e in body["errors"]} == {
        ("email", "required"),
        ("password", "required"),
        ("full_name", "required"),
    }


def test_register_ignores_a_stale_authorization_header(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")
    assert register(api_client).status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_with_one_email_create_one_account():
    barrier = threading.Barrier(4)
    statuses = []

    def sign_up(i):
        try:
            barrier.wait()
            response = APIClient().post(
                REGISTER,
                {
                    "email": f"RACE@example.{'com' if i % 2 else 'COM'}",
                    "password": STRONG,
                    "full_name": "Racer",
                },
                format="json",
                REMOTE_ADDR=f"10.0.0.{i}",
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 409, 409, 409]
    assert User.objects.filter(email="race@example.com").count() == 1


# --- token ------------------------------------------------------------------------------


def test_login_returns_a_working_pair(api_client, trainer):
    response = login(api_client, "tess@example.com")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert me_with(body["access"]).json()["email"] == "tess@example.com"
    trainer.refresh_from_db()
    assert trainer.last_login is not None


def test_login_ignores_the_letter_case_of_the_email(api_client, trainer):
    assert login(api_client, "  TESS@Example.com").status_code == 200


def test_a_client_can_log_in_too(api_client, client_user):
    body = login(api_client, "cleo@example.com").json()
    assert me_with(body["access"]).json()["role"] == "client"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("tess@example.com", "wrong-password-1"),
        ("nobody@example.com", DEFAULT_PASSWORD),
        ("tess@example.com", ""),
    ],
)
def test_login_with_wrong_credentials_is_a_uniform_401(api_client, trainer, email, password):
    response = login(api_client, email, password)
    if password == "":
        assert_error(response, 400, "blank", attr="password")
        return
    body = assert_error(response, 401, "invalid_credentials")
    assert body == {
        "type": "client_error",
        "errors": [
            {
                "code": "invalid_credentials",
                "detail": "No active account found with the given credentials.",
                "attr": None,
            }
        ],
    }


def test_a_deactivated_account_cannot_log_in_and_gets_the_same_401(api_client):
    TrainerFactory(email="gone@example.com", is_active=False)
    assert_error(login(api_client, "gone@example.com"), 401, "invalid_credentials")


def test_login_rejects_unknown_fields(api_client, trainer):
    response = api_client.post(
        TOKEN, {"email": "tess@example.com", "password": DEFAULT_PASSWORD, "otp": "1"}
    )
    assert_error(response, 400, "unknown_field", attr="otp")


def test_login_is_not_blocked_by_a_garbage_authorization_header(api_client, trainer):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")
    assert login(api_client, "tess@example.com").status_code == 200


# --- access tokens ----------------------------------------------------------------------


def test_me_without_a_token_is_401_not_authenticated(api_client):
    response = api_client.get(ME)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer garbage",
        "Bearer eyJhbGciOiJIUzI1NiJ9.e30.invalidsignature",
        "Bearer " + "a" * 10000,
        "Token abc",  # another scheme: ignored, so not authenticated
    ],
)
def test_garbage_tokens_are_a_single_uniform_401(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    body = assert_error(api_client.get(ME), 401)
    assert len(body["errors"]) == 1
    assert body["errors"][0]["code"] in {"token_not_valid", "not_authenticated"}


def test_a_refresh_token_is_not_accepted_as_an_access_token(api_client, trainer):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(trainer)}")
    assert_error(api_client.get(ME), 401, "token_not_valid")


def test_a_header_with_two_tokens_is_rejected(api_client, trainer):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer one two")
    assert_error(api_client.get(ME), 401, "bad_authorization_header")


def test_an_expired_access_token_is_a_401_saying_so(api_client, trainer):
    access = str(AccessToken.for_user(trainer))
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        body = assert_error(me_with_client(api_client, access), 401, "token_not_valid")
    assert body["errors"][0]["detail"] == "Token is expired"


def test_an_access_token_works_until_it_expires(api_client, trainer):
    access = str(AccessToken.for_user(trainer))
    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        assert me_with_client(api_client, access).status_code == 200


def test_a_token_of_a_deleted_user_is_a_401(api_client):
    user = TrainerFactory()
    access = str(AccessToken.for_user(user))
    user.delete()
    assert_error(me_with_client(api_client, access), 401, "user_not_found")


def test_a_token_of_a_deactivated_user_is_a_401(api_client):
    user = TrainerFactory()
    access = str(AccessToken.for_user(user))
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_error(me_with_client(api_client, access), 401, "user_inactive")


def me_with_client(api_client, access):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api_client.get(ME)


# --- refresh ----------------------------------------------------------------------------


def test_refresh_rotates_and_the_new_pair_works(api_client, trainer):
    first = login(api_client, "tess@example.com").json()

    response = api_client.post(REFRESH, {"refresh": first["refresh"]})

    assert response.status_code == 200
    second = response.json()
    assert set(second) == {"access", "refresh"}
    assert second["refresh"] != first["refresh"]
    assert me_with(second["access"]).status_code == 200
    assert api_client.post(REFRESH, {"refresh": second["refresh"]}).status_code == 200


def test_a_used_refresh_token_is_rejected(api_client, trainer):
    refresh = login(api_client, "tess@example.com").json()["refresh"]
    assert api_client.post(REFRESH, {"refresh": refresh}).status_code == 200

    response = api_client.post(REFRESH, {"refresh": refresh})

    assert_error(response, 401, "token_not_valid")


def test_an_expired_refresh_token_is_rejected(api_client, trainer):
    refresh = login(api_client, "tess@example.com").json()["refresh"]
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        body = assert_error(api_client.post(REFRESH, {"refresh": refresh}), 401, "token_not_valid")
    assert body["errors"][0]["detail"] == "Token is expired"


@pytest.mark.parametrize("refresh", ["garbage", "a.b.c", "x" * 4096])
def test_a_garbage_refresh_token_is_rejected(api_client, refresh):
    assert_error(api_client.post(REFRESH, {"refresh": refresh}), 401, "token_not_valid")


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "required"), ({"refresh": None}, "null"), ({"refresh": "x" * 5000}, "max_length")],
)
def test_refresh_validates_its_input(api_client, body, code):
    assert_error(api_client.post(REFRESH, body, format="json"), 400, code, attr="refresh")


def test_an_access_token_cannot_be_used_to_refresh(api_client, trainer):
    access = str(AccessToken.for_user(trainer))
    assert_error(api_client.post(REFRESH, {"refresh": access}), 401, "token_not_valid")


def test_refresh_is_refused_once_the_account_is_deactivated(api_client, trainer):
    refresh = login(api_client, "tess@example.com").json()["refresh"]
    User.objects.filter(pk=trainer.pk).update(is_active=False)
    assert_error(api_client.post(REFRESH, {"refresh": refresh}), 401, "token_not_valid")


def test_refresh_is_refused_once_the_account_is_deleted(api_client):
    user = TrainerFactory()
    refresh = str(RefreshToken.for_user(user))
    user.delete()
    assert_error(api_client.post(REFRESH, {"refresh": refresh}), 401, "token_not_valid")


def test_a_refresh_token_minted_without_an_outstanding_row_is_rejected(api_client, trainer):
    refresh = RefreshToken.for_user(trainer)
    OutstandingToken.objects.filter(jti=refresh["jti"]).delete()
    assert_error(api_client.post(REFRESH, {"refresh": str(refresh)}), 401, "token_not_valid")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refresh_token_raced_by_two_requests_is_spent_only_once():
    user = TrainerFactory()
    refresh = str(RefreshToken.for_user(user))
    barrier = threading.Barrier(4)
    statuses = []

    def spend():
        try:
            barrier.wait()
            statuses.append(APIClient().post(REFRESH, {"refresh": refresh}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 401, 401, 401]


# --- logout -----------------------------------------------------------------------------


def test_logout_blacklists_the_refresh_token(api_client, trainer):
    refresh = login(api_client, "tess@example.com").json()["refresh"]

    response = api_client.post(LOGOUT, {"refresh": refresh})

    assert response.status_code == 204
    assert response.content == b""
    assert BlacklistedToken.objects.filter(token__jti=RefreshToken(refresh, verify=False)["jti"])
    assert_error(api_client.post(REFRESH, {"refresh": refresh}), 401, "token_not_valid")


def test_logout_twice_with_the_same_token_succeeds(api_client, trainer):
    refresh = login(api_client, "tess@example.com").json()["refresh"]
    assert api_client.post(LOGOUT, {"refresh": refresh}).status_code == 204
    assert api_client.post(LOGOUT, {"refresh": refresh}).status_code == 204


def test_logout_works_with_an_expired_access_token(api_client, trainer):
    pair = login(api_client, "tess@example.com").json()
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        assert api_client.post(LOGOUT, {"refresh": pair["refresh"]}).status_code == 204


def test_logout_leaves_other_sessions_alone(api_client, trainer):
    phone = login(api_client, "tess@example.com").json()["refresh"]
    laptop = login(api_client, "tess@example.com").json()["refresh"]
    api_client.post(LOGOUT, {"refresh": phone})
    assert api_client.post(REFRESH, {"refresh": laptop}).status_code == 200


@pytest.mark.parametrize("refresh", ["garbage", "x" * 300])
def test_logout_with_a_garbage_token_is_a_401(api_client, refresh):
    assert_error(api_client.post(LOGOUT, {"refresh": refresh}), 401, "token_not_valid")


def test_logout_with_an_access_token_is_a_401(api_client, trainer):
    access = str(AccessToken.for_user(trainer))
    assert_error(api_client.post(LOGOUT, {"refresh": access}), 401, "token_not_valid")


def test_logout_rejects_unknown_fields(api_client, trainer):
    refresh = str(RefreshToken.for_user(trainer))
    response = api_client.post(LOGOUT, {"refresh": refresh, "everywhere": True})
    assert_error(response, 400, "unknown_field", attr="everywhere")


def test_auth_endpoints_only_accept_post(api_client):
    for url in (REGISTER, TOKEN, REFRESH, LOGOUT):
        assert_error(api_client.get(url), 405, "method_not_allowed")


def test_a_client_account_token_pair_refreshes_like_a_trainer_one(api_client):
    user = ClientUserFactory()
    refresh = str(RefreshToken.for_user(user))
    response = api_client.post(REFRESH, {"refresh": refresh})
    assert response.status_code == 200
    assert me_with(response.json()["access"]).json()["role"] == "client"
