"""Writes for accounts: sign-up, profile, passwords and the JWT life cycle.

Refresh tokens are tracked by simplejwt's blacklist app (one OutstandingToken row per issued
refresh token). Rotation and logout lock that row so that a refresh token can be used once,
even by two concurrent requests.
"""

import logging
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone as dj_timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.email_delivery import (
    email_delivery_attempt,
    email_delivery_fail,
    email_send_later,
)
from accounts.models import (
    EmailDelivery,
    Studio,
    StudioMember,
    StudioRole,
    User,
    studio_create_solo,
)
from accounts.selectors import user_get_by_email, user_get_from_reset_uid
from fitbud.api.exceptions import Conflict

logger = logging.getLogger(__name__)

INVALID_CREDENTIALS = "No active account found with the given credentials."
INVALID_TOKEN = "Token is invalid or expired."


class _RefreshTokenIgnoringBlacklist(RefreshToken):
    """Checks signature, expiry and type, but leaves the blacklist to the caller (which
    needs to tell a used token from a forged one and to lock the row while deciding)."""

    def verify(self, *args: Any, **kwargs: Any) -> None:
        Token.verify(self, *args, **kwargs)


def _password_errors_for(field: str, password: str, user: User) -> None:
    # Django's validators raise without a field; key the errors so the API names the field.
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str,
    full_name: str,
    role: str = User.Role.TRAINER,
    timezone: str = "UTC",
    units: str = User.Units.METRIC,
    studio: Studio | None = None,
    studio_role: str = StudioRole.OWNER,
    title: str = "",
) -> User:
    """Create a login. Validates the password with Django's validators (400 on the
    `password` field) and refuses an email that exists in any letter case (409).

    The password is validated and hashed before the email is looked up, so a taken and a
    free address cost the same work (the 409 itself is by design: sign-up signs in)."""
    email = User.objects.normalize_email(email)
    user = User(email=email, full_name=full_name, role=role, timezone=timezone, units=units)
    _password_errors_for("password", password, user)
    user.set_password(password)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("An account with this email already exists.", code="email_taken")
    # Uniqueness is checked above and enforced by the database below (concurrent sign-ups).
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise Conflict("An account with this email already exists.", code="email_taken") from exc
    if user.is_trainer:
        # Every trainer account belongs to one studio: its own (sign-up), or the one whose
        # member invite it accepts.
        if studio is None:
            studio_create_solo(user=user)
        else:
            StudioMember.objects.create(studio=studio, user=user, role=studio_role, title=title)
    return user


def user_tokens(*, user: User) -> dict[str, str]:
    """A fresh JWT pair, as returned by register, token and invite accept."""
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@transaction.atomic
def user_login(*, email: str, password: str, request: Any = None) -> dict[str, str]:
    """Email (any letter case) + password -> a JWT pair. Unknown email, wrong password and
    deactivated account answer the same 401, so the endpoint does not reveal who signed up."""
    user = authenticate(request, email=User.objects.normalize_email(email), password=password)
    if user is None:
        raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS, code="invalid_credentials")
    User.objects.filter(pk=user.pk).update(last_login=dj_timezone.now())
    return user_tokens(user=user)


@transaction.atomic
def user_update(
    *,
    user: User,
    full_name: str | None = None,
    timezone: str | None = None,
    units: str | None = None,
) -> User:
    """Profile fields a user may change about themselves. Email and role are not among them."""
    changes = {
        name: value
        for name, value in {"full_name": full_name, "timezone": timezone, "units": units}.items()
        if value is not None
    }
    for name, value in changes.items():
        setattr(user, name, value)
    if changes:
        user.full_clean(
            exclude=[f.name for f in User._meta.fields if f.name not in changes],
            validate_unique=False,
            validate_constraints=False,
        )
        user.save(update_fields=list(changes))
    return user


def _decode_refresh(raw: str) -> RefreshToken:
    try:
        return _RefreshTokenIgnoringBlacklist(raw)
    except TokenError as exc:
        raise exceptions.AuthenticationFailed(str(exc), code="token_not_valid") from exc


def _lock_outstanding(token: RefreshToken) -> OutstandingToken | None:
    # get(), not first(): the model's default ordering joins the user table, and PostgreSQL
    # cannot lock the nullable side of that outer join.
    try:
        return OutstandingToken.objects.select_for_update().get(jti=token[jwt_settings.JTI_CLAIM])
    except OutstandingToken.DoesNotExist:
        return None


def _blacklist(outstanding: OutstandingToken) -> bool:
    """True when this call blacklisted the token, False when it already was."""
    try:
        with transaction.atomic():
            _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    except IntegrityError:
        # SQLite has no row locks: a concurrent request blacklisted it first.
        return False
    return created


def _password_unchanged_since(token: RefreshToken, user: User) -> bool:
    # With CHECK_REVOKE_TOKEN tokens carry a digest of the password hash, so a password
    # change ends every session (access tokens included, see settings.SIMPLE_JWT).
    if not jwt_settings.CHECK_REVOKE_TOKEN:
        return True
    return token.get(jwt_settings.REVOKE_TOKEN_CLAIM) == get_md5_hash_password(user.password)


@transaction.atomic
def refresh_token_rotate(*, refresh: str) -> dict[str, str]:
    """Spend a refresh token: blacklist it and issue a new pair. A token that was already
    used (rotated or logged out) is refused, even when two requests race with it."""
    token = _decode_refresh(refresh)
    outstanding = _lock_outstanding(token)
    user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()
    usable = (
        outstanding is not None
        and user is not None
        and user.is_active
        and _password_unchanged_since(token, user)
    )
    if not usable or not _blacklist(outstanding):
        raise exceptions.AuthenticationFailed(INVALID_TOKEN, code="token_not_valid")
    return user_tokens(user=user)


@transaction.atomic
def refresh_token_revoke(*, refresh: str) -> None:
    """Log out: blacklist the refresh token. Repeating it (a retry after a lost response)
    succeeds; a forged or expired token does not."""
    token = _decode_refresh(refresh)
    outstanding = _lock_outstanding(token)
    if outstanding is None:
        raise exceptions.AuthenticationFailed(INVALID_TOKEN, code="token_not_valid")
    _blacklist(outstanding)


def user_refresh_tokens_revoke_all(*, user: User) -> int:
    """Blacklist every live refresh token of the user (after a password change or reset)."""
    live = OutstandingToken.objects.filter(
        user=user, expires_at__gt=dj_timezone.now(), blacklistedtoken__isnull=True
    )
    rows = [BlacklistedToken(token=outstanding) for outstanding in live]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _set_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user_refresh_tokens_revoke_all(user=user)


@transaction.atomic
def user_password_change(*, user: User, old_password: str, new_password: str) -> dict[str, str]:
    """Change the password, sign out every other session, and return a new pair so the
    device that made the change stays signed in."""
    if not user.check_password(old_password):
        raise ValidationError(
            {
                "old_password": ValidationError(
                    "The current password is wrong.", code="wrong_password"
                )
            }
        )
    _password_errors_for("new_password", new_password, user)
    _set_password(user=user, new_password=new_password)
    return user_tokens(user=user)


PASSWORD_RESET_SUBJECT = "Reset your Fitbud password"


def _can_reset_password(user: User | None) -> bool:
    return user is not None and user.is_active and user.has_usable_password()


def user_password_reset_request(*, email: str) -> None:
    """Email a reset link if an active account has this email. Says nothing either way.

    The request itself does no work that depends on the address (not even the lookup):
    everything happens in the `accounts.password_reset_email_send` task, so the answer and
    its timing are the same for known and unknown emails. The request id makes the task
    record one delivery however often it runs."""
    from accounts.tasks import password_reset_email_send_task

    email_send_later(
        password_reset_email_send_task,
        email=User.objects.normalize_email(email),
        request_id=str(uuid.uuid4()),
    )


def password_reset_delivery_record(*, email: str, request_id: str) -> int | None:
    """Background: the reset email's delivery record for this request, if the address has
    a usable account (None otherwise). Running it again returns the same record."""
    existing = EmailDelivery.objects.filter(request_id=request_id).values_list("pk", flat=True)
    if existing:
        return existing[0]
    user = user_get_by_email(email=email)
    if not _can_reset_password(user):
        return None
    assert user is not None
    try:
        with transaction.atomic():
            delivery = EmailDelivery.objects.create(
                kind=EmailDelivery.Kind.PASSWORD_RESET,
                recipient=user.email,
                subject=PASSWORD_RESET_SUBJECT,
                user=user,
                request_id=request_id,
            )
    except IntegrityError:  # the same request recorded concurrently
        return EmailDelivery.objects.get(request_id=request_id).pk
    return delivery.pk


def password_reset_delivery_send(*, delivery_id: int, final: bool = True) -> bool:
    """Send (or send again) a recorded reset email by id. The link is made now from the
    user (the token is derived from their state, never stored), so a retry needs only the
    id. An email already sent is not sent twice."""
    delivery = EmailDelivery.objects.select_related("user").get(pk=delivery_id)
    if delivery.status == EmailDelivery.Status.SENT:
        return True
    user = delivery.user
    if not _can_reset_password(user):
        email_delivery_fail(delivery_id=delivery.pk, error="The account can no longer reset.")
        return False
    assert user is not None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "user": user,
        "reset_url": settings.PASSWORD_RESET_URL_TEMPLATE.format(uid=uid, token=token),
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    message = EmailMessage(
        delivery.subject,
        render_to_string("accounts/email/password_reset.txt", context),
        to=[user.email],
    )
    return email_delivery_attempt(delivery=delivery, message=message, final=final)


@transaction.atomic
def user_password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password from an emailed link. The token is single use: it is derived from
    the password hash, which this changes."""
    user = user_get_from_reset_uid(uid=uid)
    if user is None or not default_token_generator.check_token(user, token):
        raise ValidationError(
            {
                "token": ValidationError(
                    "This password reset link is invalid or has expired.", code="invalid_token"
                )
            }
        )
    _password_errors_for("new_password", new_password, user)
    _set_password(user=user, new_password=new_password)
    return user
