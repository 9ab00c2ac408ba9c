import pytest
from django.urls import reverse

from accounts.models import User
from conftest import assert_error

ME = reverse("auth-me")

pytestmark = pytest.mark.django_db


def test_me_returns_the_trainer_profile(trainer_api, trainer):
    response = trainer_api.get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": trainer.id,
        "email": "tess@example.com",
        "full_name": "Tess Trainer",
        "role": "trainer",
        "timezone": "UTC",
        "units": "metric",
        "date_joined": trainer.date_joined.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }


@pytest.mark.parametrize(
    ("api", "email"),
    [
        ("trainer_api", "tess@example.com"),
        ("client_api", "cleo@example.com"),
        ("other_trainer_api", "oscar@example.com"),
        ("other_client_api", "otto@example.com"),
    ],
)
def test_me_always_answers_for_the_caller_only(request, api, email):
    assert request.getfixturevalue(api).get(ME).json()["email"] == email


def test_me_for_anonymous_is_401(api_client):
    assert_error(api_client.get(ME), 401, "not_authenticated")
    assert_error(api_client.patch(ME, {"full_name": "X"}), 401, "not_authenticated")


def test_patch_changes_name_timezone_and_units(trainer_api, trainer):
    response = trainer_api.patch(
        ME, {"full_name": "Tess T.", "timezone": "America/New_York", "units": "imperial"}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["full_name"], body["timezone"], body["units"]) == (
        "Tess T.",
        "America/New_York",
        "imperial",
    )
    trainer.refresh_from_db()
    assert (trainer.full_name, trainer.timezone, trainer.units) == (
        "Tess T.",
        "America/New_York",
        "imperial",
    )


def test_patch_of_one_field_leaves_the_others(client_api, client_user):
    response = client_api.patch(ME, {"timezone": "Asia/Kolkata"})
    assert response.status_code == 200
    client_user.refresh_from_db()
    assert (client_user.full_name, client_user.timezone) == ("Cleo Client", "Asia/Kolkata")


def test_an_empty_patch_changes_nothing(trainer_api):
    response = trainer_api.patch(ME, {}, format="json")
    assert response.status_code == 200
    assert response.json()["full_name"] == "Tess Trainer"


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone", "invalid_timezone"),
        ({"timezone": "utc "}, "timezone", "invalid_timezone"),
        ({"timezone": ""}, "timezone", "blank"),
        ({"timezone": None}, "timezone", "null"),
        ({"timezone": 5}, "timezone", "invalid_timezone"),
        ({"timezone": "x" * 65}, "timezone", "max_length"),
        ({"units": "furlongs"}, "units", "invalid_choice"),
        ({"full_name": ""}, "full_name", "blank"),
        ({"full_name": "n" * 151}, "full_name", "max_length"),
        ({"full_name": {"first": "T"}}, "full_name", "invalid"),
    ],
)
def test_patch_rejects_bad_values_naming_the_field(trainer_api, trainer, body, attr, code):
    assert_error(trainer_api.patch(ME, body, format="json"), 400, code, attr=attr)
    trainer.refresh_from_db()
    assert (trainer.timezone, trainer.full_name) == ("UTC", "Tess Trainer")


@pytest.mark.parametrize(
    "body",
    [
        {"role": "client"},
        {"email": "new@example.com"},
        {"id": 999},
        {"date_joined": "2020-01-01T00:00:00Z"},
        {"full_name": "Sneaky", "role": "client"},
    ],
)
def test_patch_cannot_change_role_email_or_server_fields(trainer_api, trainer, body):
    response = trainer_api.patch(ME, body, format="json")

    field = next(name for name in body if name != "full_name")
    assert_error(response, 400, "read_only", attr=field)
    trainer.refresh_from_db()
    assert (trainer.role, trainer.email, trainer.full_name) == (
        User.Role.TRAINER,
        "tess@example.com",
        "Tess Trainer",
    )


def test_patch_rejects_unknown_fields(trainer_api):
    assert_error(trainer_api.patch(ME, {"nickname": "T"}), 400, "unknown_field", attr="nickname")


def test_patch_rejects_a_body_that_is_not_an_object(trainer_api):
    assert_error(trainer_api.patch(ME, ["full_name"], format="json"), 400, "invalid")


def test_me_does_not_allow_put_or_delete(trainer_api):
    assert_error(trainer_api.put(ME, {"full_name": "X"}), 405, "method_not_allowed")
    assert_error(trainer_api.delete(ME), 405, "method_not_allowed")
