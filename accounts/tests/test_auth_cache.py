"""The cached token user (accounts/authentication.py): fewer queries, the same answers."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.authentication import USER_KEY
from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD
from conftest import assert_error, auth_client, write_left_open

ME = reverse("auth-me")
CHANGE = reverse("auth-password-change")
NEW = "glacier-mango-trumpet-7"


@pytest.fixture(autouse=True)
def settled(trainer):
    # Creating the fixture's user left a tombstone (any write does, for 10 s): start from
    # the steady state, as if the account had been created a while ago.
    cache.delete(USER_KEY.format(trainer.pk))


def test_the_second_request_does_not_load_the_user(trainer_api, django_assert_num_queries):
    assert trainer_api.get(ME).status_code == 200
    with django_assert_num_queries(0):
        response = trainer_api.get(ME)
    assert response.status_code == 200
    assert response.json()["email"] == "tess@example.com"


def test_a_password_change_kills_old_access_tokens_at_once(trainer, trainer_api):
    old = auth_client(trainer)
    assert old.get(ME).status_code == 200  # its user is cached now
    response = trainer_api.post(CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW})
    assert response.status_code == 200
    assert_error(old.get(ME), 401, "password_changed")
    fresh = auth_client(User.objects.get(pk=trainer.pk))
    assert fresh.get(ME).status_code == 200


def test_a_deactivated_account_is_refused_at_once(trainer, trainer_api):
    assert trainer_api.get(ME).status_code == 200
    trainer.is_active = False
    trainer.save()  # what staff do in the admin
    assert_error(trainer_api.get(ME), 401, "user_inactive")


def test_a_deleted_account_is_refused_at_once(trainer, trainer_api):
    assert trainer_api.get(ME).status_code == 200
    trainer.delete()
    assert_error(trainer_api.get(ME), 401, "user_not_found")


def test_a_profile_edit_is_read_back(trainer_api):
    assert trainer_api.get(ME).json()["full_name"] == "Tess Trainer"
    assert trainer_api.patch(ME, {"full_name": "Tess Renamed"}).status_code == 200
    assert trainer_api.get(ME).json()["full_name"] == "Tess Renamed"


def test_a_cached_copy_is_checked_like_the_database_row(trainer, trainer_api):
    assert trainer_api.get(ME).status_code == 200
    copy = cache.get(USER_KEY.format(trainer.pk))
    copy.is_active = False
    cache.set(USER_KEY.format(trainer.pk), copy)
    assert_error(trainer_api.get(ME), 401, "user_inactive")


def test_a_broken_cache_authenticates_from_the_database(trainer_api, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    for method in ("get", "set", "add"):
        monkeypatch.setattr(cache, method, down)
    assert trainer_api.get(ME).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_racing_a_password_change_cannot_keep_the_old_hash(trainer):
    """A request that reads the row while the change is uncommitted must not cache it."""
    old = auth_client(trainer)
    assert old.get(ME).status_code == 200

    def change_password():
        user = User.objects.get(pk=trainer.pk)
        user.set_password(NEW)
        user.save()

    with write_left_open(change_password):
        assert old.get(ME).status_code == 200  # the change is not committed yet
    assert_error(old.get(ME), 401, "password_changed")


def test_it_can_be_turned_off(trainer_api, settings, django_assert_num_queries):
    settings.AUTH_USER_CACHE_SECONDS = 0
    trainer_api.get(ME)
    with django_assert_num_queries(1):
        assert trainer_api.get(ME).status_code == 200
