import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.tests.factories import DEFAULT_PASSWORD, TrainerFactory
from conftest import assert_error

TOKEN = reverse("auth-token")
REFRESH = reverse("auth-token-refresh")
ME = reverse("auth-me")
CHANGE = reverse("auth-password-change")
RESET = reverse("auth-password-reset")
CONFIRM = reverse("auth-password-reset-confirm")

NEW = "glacier-mango-trumpet-7"
RESET_BODY = {
    "detail": "If an account exists for this email, we have sent a link to reset its password."
}

pytestmark = pytest.mark.django_db


def login(email="tess@example.com", password=DEFAULT_PASSWORD):
    return APIClient().post(TOKEN, {"email": email, "password": password})


def bearer(access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def uid_and_token(user):
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


# --- change -----------------------------------------------------------------------------


def test_change_sets_the_new_password_and_returns_a_working_pair(trainer):
    session = login().json()

    response = bearer(session["access"]).post(
        CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW}
    )

    assert response.status_code == 200
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    assert bearer(pair["access"]).get(ME).status_code == 200
    assert APIClient().post(REFRESH, {"refresh": pair["refresh"]}).status_code == 200
    assert login(password=NEW).status_code == 200
    assert_error(login(), 401, "invalid_credentials")


def test_change_signs_out_every_other_session(trainer):
    phone = login().json()
    laptop = login().json()

    bearer(phone["access"]).post(CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW})

    assert_error(APIClient().post(REFRESH, {"refresh": laptop["refresh"]}), 401, "token_not_valid")
    assert_error(APIClient().post(REFRESH, {"refresh": phone["refresh"]}), 401, "token_not_valid")
    # Access tokens carry a digest of the old password hash, so they stop at once too.
    assert_error(bearer(laptop["access"]).get(ME), 401, "password_changed")


def test_change_with_a_wrong_current_password_is_a_400_not_a_logout(trainer_api, trainer):
    response = trainer_api.post(CHANGE, {"old_password": "nope-nope-1", "new_password": NEW})

    assert_error(response, 400, "wrong_password", attr="old_password")
    trainer.refresh_from_db()
    assert trainer.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    ("new_password", "code"),
    [
        ("abc", "password_too_short"),
        ("qwertyuiop", "password_too_common"),
        ("1234987612", "password_entirely_numeric"),
        ("tess@example.com", "password_too_similar"),
    ],
)
def test_change_runs_the_password_validators(trainer_api, trainer, new_password, code):
    response = trainer_api.post(
        CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": new_password}
    )
    assert_error(response, 400, code, attr="new_password")
    trainer.refresh_from_db()
    assert trainer.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"new_password": NEW}, "old_password", "required"),
        ({"old_password": DEFAULT_PASSWORD}, "new_password", "required"),
        ({"old_password": DEFAULT_PASSWORD, "new_password": None}, "new_password", "null"),
        (
            {"old_password": DEFAULT_PASSWORD, "new_password": "x" * 300},
            "new_password",
            "max_length",
        ),
        (
            {"old_password": DEFAULT_PASSWORD, "new_password": NEW, "confirm": NEW},
            "confirm",
            "unknown_field",
        ),
    ],
)
def test_change_validates_its_input(trainer_api, body, attr, code):
    assert_error(trainer_api.post(CHANGE, body, format="json"), 400, code, attr=attr)


def test_change_needs_a_signed_in_user(api_client):
    response = api_client.post(CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW})
    assert_error(response, 401, "not_authenticated")


def test_a_client_can_change_their_password(client_api, client_user):
    response = client_api.post(CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW})
    assert response.status_code == 200
    client_user.refresh_from_db()
    assert client_user.check_password(NEW)


# --- reset request ----------------------------------------------------------------------


def test_reset_emails_a_single_link_built_from_the_url_template(
    api_client, trainer, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_URL_TEMPLATE = "https://app.fitbud.test/reset/{uid}/{token}"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post(RESET, {"email": "TESS@example.com"})

    assert response.status_code == 202
    assert response.json() == RESET_BODY
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["tess@example.com"]
    assert message.subject == "Reset your Fitbud password"
    uid, token = re.search(
        r"https://app\.fitbud\.test/reset/([^/\s]+)/([^/\s]+)", message.body
    ).groups()
    assert uid == urlsafe_base64_encode(force_bytes(trainer.pk))
    assert default_token_generator.check_token(trainer, token)


def test_reset_sends_nothing_before_the_transaction_commits(api_client, trainer):
    # Plain django_db tests never commit: an email sent outside on_commit would show here.
    api_client.post(RESET, {"email": "tess@example.com"})
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["nobody@example.com", "gone@example.com"])
def test_reset_for_unknown_or_inactive_accounts_answers_the_same_and_sends_nothing(
    api_client, email, django_capture_on_commit_callbacks
):
    TrainerFactory(email="gone@example.com", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": email})

    assert response.status_code == 202
    assert response.json() == RESET_BODY
    assert mail.outbox == []


def test_a_mail_server_failure_still_answers_the_same_202(
    api_client, trainer, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", smtp_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": "tess@example.com"})

    assert response.status_code == 202
    assert response.json() == RESET_BODY
    assert "smtp down" in caplog.text


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "required"), ({"email": "nope"}, "invalid"), ({"email": None}, "null")],
)
def test_reset_validates_the_email(api_client, body, code):
    assert_error(api_client.post(RESET, body, format="json"), 400, code, attr="email")


# --- reset confirm ----------------------------------------------------------------------


def test_confirm_sets_the_password_and_signs_out_every_session(api_client, trainer):
    session = login().json()
    trainer.refresh_from_db()  # the login moved last_login, which the token covers
    uid, token = uid_and_token(trainer)

    response = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW})

    assert response.status_code == 204
    assert login(password=NEW).status_code == 200
    assert_error(api_client.post(REFRESH, {"refresh": session["refresh"]}), 401, "token_not_valid")
    assert_error(bearer(session["access"]).get(ME), 401, "password_changed")


def test_a_reset_token_works_only_once(api_client, trainer):
    uid, token = uid_and_token(trainer)
    assert (
        api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW}).status_code
        == 204
    )

    again = api_client.post(
        CONFIRM, {"uid": uid, "token": token, "new_password": "another-fine-pass-9"}
    )

    assert_error(again, 400, "invalid_token", attr="token")
    trainer.refresh_from_db()
    assert trainer.check_password(NEW)


def test_a_reset_token_expires(api_client, trainer, settings):
    uid, token = uid_and_token(trainer)
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)
    with time_machine.travel(later):
        response = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW})
    assert_error(response, 400, "invalid_token", attr="token")


def test_a_reset_token_of_one_user_does_not_work_for_another(api_client, trainer, other_trainer):
    _, token = uid_and_token(trainer)
    other_uid, _ = uid_and_token(other_trainer)
    response = api_client.post(CONFIRM, {"uid": other_uid, "token": token, "new_password": NEW})
    assert_error(response, 400, "invalid_token", attr="token")


@pytest.mark.parametrize(
    "uid",
    [
        "",
        "!!!",
        "bm90LWEtbnVtYmVy",
        urlsafe_base64_encode(b"99999999999999999999999"),
        "MA",
        "x" * 64,
    ],
)
def test_confirm_with_a_malformed_uid_is_a_400(api_client, trainer, uid):
    _, token = uid_and_token(trainer)
    response = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW})
    assert response.status_code == 400
    assert_error(response, 400)


def test_confirm_runs_the_password_validators(api_client, trainer):
    uid, token = uid_and_token(trainer)
    response = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": "tess"})
    assert_error(response, 400, "password_too_short", attr="new_password")
    # The link stays usable after a rejected password.
    assert (
        api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW}).status_code
        == 204
    )


def test_confirm_rejects_unknown_fields(api_client, trainer):
    uid, token = uid_and_token(trainer)
    body = {"uid": uid, "token": token, "new_password": NEW, "new_password2": NEW}
    assert_error(api_client.post(CONFIRM, body), 400, "unknown_field", attr="new_password2")


def test_logging_in_after_a_reset_request_voids_the_emailed_link(api_client, trainer):
    # Django's token covers last_login: remembering the password makes the link useless.
    uid, token = uid_and_token(trainer)
    assert login().status_code == 200
    response = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW})
    assert_error(response, 400, "invalid_token")
