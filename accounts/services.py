from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from fitbud.api.exceptions import Conflict


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str,
    full_name: str,
    role: str = User.Role.TRAINER,
    timezone: str = "UTC",
    units: str = User.Units.METRIC,
) -> User:
    """Create a login. Validates the password with Django's validators (400 on failure) and
    refuses an email that exists in any letter case (409)."""
    email = User.objects.normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("An account with this email already exists.", code="email_taken")
    user = User(email=email, full_name=full_name, role=role, timezone=timezone, units=units)
    validate_password(password, user=user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_tokens(*, user: User) -> dict[str, str]:
    """A fresh JWT pair, as returned by register, token and invite accept."""
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}
