"""The token's user is read from the database on every request, with its tenant's
generation, in one query (accounts/authentication.py): revocation never waits for a cache."""

import pytest
from django.urls import reverse

from accounts.authentication import TenantJWTAuthentication
from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, ClientUserFactory
from conftest import assert_error, auth_client, write_left_open
from fitbud.api import response_cache
from fitbud.api.models import TenantGeneration

ME = reverse("auth-me")
CHANGE = reverse("auth-password-change")
NEW = "glacier-mango-trumpet-7"


def test_a_request_loads_the_user_and_its_generation_in_one_query(
    trainer_api, trainer, django_assert_num_queries
):
    assert trainer_api.get(ME).status_code == 200
    with django_assert_num_queries(1) as queries:
        response = trainer_api.get(ME)
    assert response.status_code == 200
    assert response.json()["email"] == "tess@example.com"
    assert TenantGeneration._meta.db_table in queries.captured_queries[0]["sql"]


def test_the_authenticated_user_carries_its_tenant_and_generation(trainer, client_link, rf):
    from rest_framework_simplejwt.tokens import AccessToken

    authentication = TenantJWTAuthentication()
    studio_id = trainer.membership.studio_id
    current = TenantGeneration.objects.get(tenant_id=studio_id).generation
    for user in (trainer, client_link.user):
        validated = authentication.get_validated_token(str(AccessToken.for_user(user)))
        loaded = authentication.get_user(validated)
        assert loaded == user
        assert response_cache.tenant_of_user(loaded) == (studio_id, current)


def test_a_user_outside_any_tenant_has_none(db, django_assert_num_queries):
    lone = ClientUserFactory()  # a client account without a trainer link
    with django_assert_num_queries(1):
        assert response_cache.tenant_of_user(lone) == (None, 0)


def test_a_password_change_kills_old_access_tokens_at_once(trainer, trainer_api):
    old = auth_client(trainer)
    assert old.get(ME).status_code == 200
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


def test_a_deactivation_that_bypasses_save_is_refused_at_once(trainer, trainer_api):
    assert trainer_api.get(ME).status_code == 200
    User.objects.filter(pk=trainer.pk).update(is_active=False)  # no signal, no cache to drop
    assert_error(trainer_api.get(ME), 401, "user_inactive")


def test_a_deleted_account_is_refused_at_once(trainer, trainer_api):
    assert trainer_api.get(ME).status_code == 200
    trainer.delete()
    assert_error(trainer_api.get(ME), 401, "user_not_found")


def test_a_profile_edit_is_read_back(trainer_api):
    assert trainer_api.get(ME).json()["full_name"] == "Tess Trainer"
    assert trainer_api.patch(ME, {"full_name": "Tess Renamed"}).status_code == 200
    assert trainer_api.get(ME).json()["full_name"] == "Tess Renamed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_password_change_is_refused_from_its_commit_on(trainer):
    old = auth_client(trainer)
    assert old.get(ME).status_code == 200

    def change_password():
        user = User.objects.get(pk=trainer.pk)
        user.set_password(NEW)
        user.save()

    with write_left_open(change_password):
        assert old.get(ME).status_code == 200  # the change is not committed yet
    assert_error(old.get(ME), 401, "password_changed")
