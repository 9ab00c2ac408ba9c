"""Emails are validated in the form we store (lower-cased), and sign-up does the same work
for a taken and a free address."""

import pytest
from django.urls import reverse

from accounts.models import User
from clients.models import Invite
from conftest import assert_error

REGISTER = reverse("auth-register")
TOKEN = reverse("auth-token")
RESET = reverse("auth-password-reset")
INVITES = reverse("invite-list")
STRONG = "plum-orbit-canyon-42"

# 162 characters as sent; lower-casing turns each `İ` into two (i + combining dot): 312.
GROWS_PAST_254 = "İ" * 150 + "@example.com"

pytestmark = pytest.mark.django_db


def test_an_email_that_lower_casing_makes_too_long_is_a_400_on_every_endpoint(
    api_client, trainer_api
):
    requests = [
        (api_client, REGISTER, {"email": GROWS_PAST_254, "password": STRONG, "full_name": "A"}),
        (api_client, TOKEN, {"email": GROWS_PAST_254, "password": STRONG}),
        (api_client, RESET, {"email": GROWS_PAST_254}),
        (trainer_api, INVITES, {"email": GROWS_PAST_254, "full_name": "Sam"}),
    ]
    for api, url, body in requests:
        assert_error(api.post(url, body, format="json"), 400, "max_length", attr="email")
    assert not Invite.objects.exists()
    assert User.objects.count() == 1  # the trainer


def test_the_stored_form_of_an_email_is_what_gets_validated(api_client):
    # 254 characters that stay 254 when lower-cased are fine.
    email = "A" * (254 - len("@example.com")) + "@example.com"
    response = api_client.post(
        REGISTER, {"email": email, "password": STRONG, "full_name": "A"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["user"]["email"] == email.lower()


def test_sign_up_hashes_the_password_for_a_taken_address_too(api_client, trainer, monkeypatch):
    import django.contrib.auth.base_user as base_user

    hashed = []
    real = base_user.make_password

    def counting(password, *args, **kwargs):
        hashed.append(password)
        return real(password, *args, **kwargs)

    monkeypatch.setattr(base_user, "make_password", counting)
    taken = {"email": "tess@example.com", "password": STRONG, "full_name": "T"}
    free = {"email": "free@example.com", "password": STRONG, "full_name": "F"}
    assert_error(api_client.post(REGISTER, taken, format="json"), 409, "email_taken")
    assert hashed == [STRONG]
    assert api_client.post(REGISTER, free, format="json").status_code == 201
    assert hashed == [STRONG, STRONG]


def test_a_weak_password_is_the_same_400_whether_or_not_the_address_is_taken(api_client, trainer):
    answers = {
        api_client.post(
            REGISTER, {"email": email, "password": "short1", "full_name": "T"}, format="json"
        ).content
        for email in ("tess@example.com", "free@example.com")
    }
    assert len(answers) == 1
    assert b"password_too_short" in answers.pop()
