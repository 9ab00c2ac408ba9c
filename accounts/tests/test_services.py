import pytest
from django.core.exceptions import ValidationError
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.models import User
from accounts.tests.factories import TrainerFactory
from fitbud.api.exceptions import Conflict

pytestmark = pytest.mark.django_db


def test_user_create_makes_a_client_login_for_invite_acceptance():
    user = services.user_create(
        email="Cleo@Example.com",
        password="plum-orbit-canyon-42",
        full_name="Cleo",
        role=User.Role.CLIENT,
        timezone="Europe/Rome",
    )
    assert (user.email, user.role, user.timezone) == ("cleo@example.com", "client", "Europe/Rome")
    assert user.check_password("plum-orbit-canyon-42")


def test_user_create_refuses_a_taken_email_in_any_case():
    TrainerFactory(email="tess@example.com")
    with pytest.raises(Conflict) as exc:
        services.user_create(email="TESS@example.com", password="plum-orbit-42", full_name="T")
    assert exc.value.get_codes() == "email_taken"


def test_user_create_reports_weak_passwords_on_the_password_field():
    with pytest.raises(ValidationError) as exc:
        services.user_create(email="a@example.com", password="123", full_name="A")
    assert "password" in exc.value.error_dict
    assert not User.objects.exists()


def test_user_create_validates_the_timezone():
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            email="a@example.com", password="plum-orbit-42", full_name="A", timezone="Moon/Base"
        )
    assert "timezone" in exc.value.error_dict


def test_user_update_changes_only_what_is_given():
    user = TrainerFactory(full_name="Tess", timezone="UTC")
    services.user_update(user=user, timezone="Europe/Oslo")
    user.refresh_from_db()
    assert (user.full_name, user.timezone) == ("Tess", "Europe/Oslo")


def test_revoking_all_refresh_tokens_touches_only_that_user():
    tess, oscar = TrainerFactory(), TrainerFactory()
    mine = [RefreshToken.for_user(tess) for _ in range(3)]
    theirs = RefreshToken.for_user(oscar)

    assert services.user_refresh_tokens_revoke_all(user=tess) == 3
    assert services.user_refresh_tokens_revoke_all(user=tess) == 0  # idempotent

    assert BlacklistedToken.objects.filter(token__user=tess).count() == len(mine)
    assert services.refresh_token_rotate(refresh=str(theirs))["refresh"]


def test_a_rotated_refresh_token_cannot_be_rotated_again():
    token = str(RefreshToken.for_user(TrainerFactory()))
    services.refresh_token_rotate(refresh=token)
    with pytest.raises(AuthenticationFailed):
        services.refresh_token_rotate(refresh=token)
