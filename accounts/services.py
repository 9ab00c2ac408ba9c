"""Writes for accounts: sign-up, profile, passwords and the JWT life cycle.

Refresh tokens are tracked by simplejwt's blacklist app (one OutstandingToken row per issued
refresh token). Rotation and logout lock that row so that a refresh token can be used once,
even by two concurrent requests.
"""

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
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
    email_delivery_create,
    email_delivery_fail,
    email_send_later,
)
from accounts.models import (
    EmailDelivery,
    Studio,
    StudioInvite,
    StudioMember,
    StudioRole,
    User,
    membership_of,
    studio_create_solo,
)
from accounts.selectors import studio_token_hash, user_get_by_email, user_get_from_reset_uid
from fitbud.api.exceptions import Conflict, StudioRoleForbidden

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


# --- studios: the studio, member invites, roles, removal -----------------------------------


class StudioError:
    """Stable codes for member-management problems."""

    LAST_OWNER = "last_owner"
    MEMBER_HAS_CLIENTS = "member_has_clients"
    NOT_INVITABLE = "email_not_invitable"
    EMAIL_TAKEN = "email_taken"
    ALREADY_ACCEPTED = "invite_already_accepted"
    INVITE_NOT_FOUND = "invite_not_found"
    INVITE_EXPIRED = "invite_expired"
    INVITE_REVOKED = "invite_revoked"
    INVITE_USED = "invite_used"
    INVALID_REASSIGN = "invalid_reassign_target"


MEMBER_NOT_INVITABLE = (
    "This email cannot be invited: it already has a Fitbud account (one account per person)."
)
MEMBER_INVITE_SUBJECT = "You are invited to join a studio on Fitbud"
MEMBER_INVITE_SUPERSEDED = (
    "Not sent: the member invite was issued again with a new link before this email left."
)
OWNER_ONLY = "Only an owner can invite, promote, change or remove an owner."


@dataclass(frozen=True)
class IssuedMemberInvite:
    """A member invite with its raw token, which exists only in this response."""

    invite: StudioInvite
    token: str
    created: bool

    @property
    def invite_url(self) -> str:
        return member_invite_url(token=self.token)


def member_invite_url(*, token: str) -> str:
    return settings.MEMBER_INVITE_URL_TEMPLATE.format(token=token)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _manager_of(actor: User) -> StudioMember:
    """The actor's membership if they manage their studio (owner or admin); 403 otherwise."""
    member = membership_of(actor)
    if member is None or not member.manages_studio:
        raise StudioRoleForbidden()
    return member


def _lock_studio(studio_id: int) -> None:
    # Serialises a studio's member writes: the last-owner rule and the one pending invite
    # per email are settled here, not by a race.
    Studio.objects.select_for_update().filter(pk=studio_id).first()


@transaction.atomic
def studio_update(*, actor: User, name: str | None = None) -> Studio:
    member = _manager_of(actor)
    studio = Studio.objects.get(pk=member.studio_id)
    if name is None:
        return studio  # an empty PATCH changes nothing (and still needs the role)
    studio.name = _one_line(name)
    studio.save(update_fields=["name", "updated_at"])
    return studio


def studio_invite_email_send(*, delivery_id: int, token: str, final: bool = True) -> bool:
    """Send a member invite's recorded email (the raw token comes from the task and is never
    stored). A superseded token (the invite was issued again) is not sent."""
    delivery = EmailDelivery.objects.get(pk=delivery_id)
    if delivery.status == EmailDelivery.Status.SENT:
        return True
    invite = (
        StudioInvite.objects.select_related("studio", "invited_by")
        .filter(email_delivery_id=delivery_id, token_hash=studio_token_hash(token))
        .first()
    )
    if invite is None:
        email_delivery_fail(delivery_id=delivery_id, error=MEMBER_INVITE_SUPERSEDED)
        return False
    inviter = invite.invited_by
    context = {
        "invitee_name": _one_line(invite.full_name),
        "inviter_name": (_one_line(inviter.full_name) or inviter.email) if inviter else "",
        "studio_name": _one_line(invite.studio.name),
        "role": invite.get_role_display().lower(),
        "invite_url": member_invite_url(token=token),
        "expires_at": invite.expires_at,
    }
    message = EmailMessage(
        delivery.subject,
        render_to_string("accounts/email/member_invite.txt", context),
        to=[delivery.recipient],
        reply_to=[inviter.email] if inviter else None,
    )
    return email_delivery_attempt(delivery=delivery, message=message, final=final)


def _issue_member_invite(*, invite: StudioInvite) -> str:
    token = secrets.token_urlsafe(32)
    invite.token_hash = studio_token_hash(token)
    invite.status = StudioInvite.Status.PENDING
    invite.expires_at = dj_timezone.now() + timedelta(days=settings.MEMBER_INVITE_TTL_DAYS)
    invite.email_delivery = email_delivery_create(
        kind=EmailDelivery.Kind.MEMBER_INVITE,
        recipient=invite.email,
        subject=MEMBER_INVITE_SUBJECT,
    )
    invite.save()
    from accounts.tasks import studio_invite_email_send_task

    email_send_later(
        studio_invite_email_send_task, delivery_id=invite.email_delivery.pk, token=token
    )
    return token


def _check_may_grant_role(*, actor_member: StudioMember, role: str) -> None:
    if role == StudioRole.OWNER and actor_member.role != StudioRole.OWNER:
        raise StudioRoleForbidden(OWNER_ONLY)


@transaction.atomic
def studio_invite_create(
    *, actor: User, email: str, full_name: str, role: str, title: str = ""
) -> IssuedMemberInvite:
    """Invite a person by email to join the actor's studio with a role. Re-inviting an
    email with a pending invite refreshes that invite (new token, expiry, role, email)."""
    actor_member = _manager_of(actor)
    _check_may_grant_role(actor_member=actor_member, role=role)
    email = User.objects.normalize_email(email)
    _lock_studio(actor_member.studio_id)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(MEMBER_NOT_INVITABLE, code=StudioError.NOT_INVITABLE)
    invite = (
        StudioInvite.objects.select_for_update()
        .filter(
            studio_id=actor_member.studio_id,
            status=StudioInvite.Status.PENDING,
            email__iexact=email,
        )
        .first()
    )
    created = invite is None
    if invite is None:
        invite = StudioInvite(studio_id=actor_member.studio_id, email=email)
    invite.invited_by = actor
    invite.full_name = _one_line(full_name)
    invite.role = role
    invite.title = _one_line(title)
    token = _issue_member_invite(invite=invite)
    return IssuedMemberInvite(invite=invite, token=token, created=created)


@transaction.atomic
def studio_invite_revoke(*, invite: StudioInvite) -> StudioInvite:
    """The link stops working; the row stays. Revoking twice is harmless; an accepted
    invite cannot be revoked (remove the member instead)."""
    invite = StudioInvite.objects.select_for_update().get(pk=invite.pk)
    if invite.status == StudioInvite.Status.ACCEPTED:
        raise Conflict(
            "This invite has already been accepted; remove the member instead.",
            code=StudioError.ALREADY_ACCEPTED,
        )
    if invite.status != StudioInvite.Status.REVOKED:
        invite.status = StudioInvite.Status.REVOKED
        invite.revoked_at = dj_timezone.now()
        invite.save(update_fields=["status", "revoked_at", "updated_at"])
    return invite


def studio_invite_check_usable(*, invite: StudioInvite | None) -> StudioInvite:
    """404 for a token nobody issued; 400 on `token` for an expired, revoked or used one
    (the same codes as client invites)."""
    if invite is None:
        raise exceptions.NotFound(
            {
                "token": exceptions.ErrorDetail(
                    "This invite link is not valid.", code=StudioError.INVITE_NOT_FOUND
                )
            }
        )
    if invite.status == StudioInvite.Status.ACCEPTED:
        code, message = StudioError.INVITE_USED, "This invite has already been used."
    elif invite.status == StudioInvite.Status.REVOKED:
        code, message = StudioError.INVITE_REVOKED, "This invite was withdrawn by the studio."
    elif invite.is_expired:
        code, message = (
            StudioError.INVITE_EXPIRED,
            "This invite has expired; ask the studio to send a new one.",
        )
    else:
        return invite
    raise ValidationError({"token": ValidationError(message, code=code)})


@transaction.atomic
def studio_invite_accept(*, token: str, password: str, full_name: str | None = None) -> User:
    """Create the member's trainer account in the invite's studio with its role and title.
    The invite row is locked first: of two concurrent accepts one creates the account, the
    other sees the invite used."""
    invite = (
        StudioInvite.objects.select_for_update().filter(token_hash=studio_token_hash(token)).first()
    )
    studio_invite_check_usable(invite=invite)
    assert invite is not None
    name = _one_line(full_name or "") or invite.full_name
    user = user_create(
        email=invite.email,
        password=password,
        full_name=name,
        role=User.Role.TRAINER,
        studio=invite.studio,
        studio_role=invite.role,
        title=invite.title,
    )
    invite.status = StudioInvite.Status.ACCEPTED
    invite.accepted_at = dj_timezone.now()
    invite.member = user.membership
    invite.save(update_fields=["status", "accepted_at", "member", "updated_at"])
    return user


def _owner_count(studio_id: int) -> int:
    return StudioMember.objects.filter(studio_id=studio_id, role=StudioRole.OWNER).count()


def _primary_clients(member: StudioMember):
    from clients.models import Client

    return Client.objects.filter(studio_id=member.studio_id, trainer_id=member.user_id)


@transaction.atomic
def member_update(
    *, actor: User, member: StudioMember, role: str | None = None, title: str | None = None
) -> StudioMember:
    """Change a member's role or title. Only an owner may change an owner or make one; the
    last owner keeps the role (409 last_owner); a member who is some client's primary coach
    cannot become a specialist (409 member_has_clients: transfer the clients first)."""
    actor_member = _manager_of(actor)
    _lock_studio(member.studio_id)
    member = StudioMember.objects.select_related("user").get(pk=member.pk)
    if role is not None and role != member.role:
        if member.role == StudioRole.OWNER:
            _check_may_grant_role(actor_member=actor_member, role=StudioRole.OWNER)
            if _owner_count(member.studio_id) <= 1:
                raise Conflict(
                    "The studio's last owner cannot be demoted; make another owner first.",
                    code=StudioError.LAST_OWNER,
                )
        _check_may_grant_role(actor_member=actor_member, role=role)
        if role == StudioRole.SPECIALIST and _primary_clients(member).exists():
            raise Conflict(
                "This member is the primary coach of clients; transfer them first.",
                code=StudioError.MEMBER_HAS_CLIENTS,
            )
        member.role = role
    if title is not None:
        member.title = _one_line(title)
    member.save(update_fields=["role", "title", "updated_at"])
    return member


def _reassign_target(*, member: StudioMember, reassign_to: object | None) -> StudioMember:
    others = StudioMember.objects.select_related("user").filter(studio_id=member.studio_id)
    others = others.exclude(pk=member.pk)
    if reassign_to is None:
        target = others.filter(role=StudioRole.OWNER).order_by("joined_at", "id").first()
        assert target is not None  # the last-owner rule ran first
        return target
    target = others.filter(pk=reassign_to).first()
    if target is None or not target.can_coach:
        raise ValidationError(
            {
                "reassign_to": ValidationError(
                    "Choose another member of the studio who can coach (owner, admin, coach).",
                    code=StudioError.INVALID_REASSIGN,
                )
            }
        )
    return target


@transaction.atomic
def member_remove(
    *, actor: User, member: StudioMember, reassign_to: object | None = None
) -> StudioMember:
    """Remove a member from the studio; nothing of the studio's is lost. In one transaction
    their primary clients, their templates, exercises and metric types, their billing plans
    and their pending client invites go to `reassign_to` (default: the first owner), their grants are revoked (each
    audited), and they get a fresh solo studio of their own (their account keeps working,
    empty). Returns the removed member (now in their own studio)."""
    from billing.models import SubscriptionPlan
    from clients.models import Client, ClientAccess, ClientAccessChange, Invite
    from exercises.services import exercise_reattribute
    from fitbud.api import response_cache
    from plans.models import PlanTemplate
    from progress.models import MetricType

    actor_member = _manager_of(actor)
    _lock_studio(member.studio_id)
    member = StudioMember.objects.select_related("user").get(pk=member.pk)
    old_studio_id = member.studio_id
    if member.role == StudioRole.OWNER:
        _check_may_grant_role(actor_member=actor_member, role=StudioRole.OWNER)
        if _owner_count(old_studio_id) <= 1:
            raise Conflict(
                "The studio's last owner cannot be removed; make another owner first.",
                code=StudioError.LAST_OWNER,
            )
    target = _reassign_target(member=member, reassign_to=reassign_to)
    removed, now = member.user, dj_timezone.now()
    actor_name = actor.full_name or actor.email

    moved = list(
        Client.objects.select_for_update().filter(studio_id=old_studio_id, trainer=removed)
    )
    ClientAccessChange.objects.bulk_create(
        ClientAccessChange(
            client=client,
            action=ClientAccessChange.Action.TRANSFERRED,
            member=target.user,
            member_name=target.user.full_name,
            previous_member=removed,
            previous_member_name=removed.full_name,
            actor=actor,
            actor_name=actor_name,
            created_at=now,
        )
        for client in moved
    )
    Client.objects.filter(pk__in=[c.pk for c in moved]).update(trainer=target.user, updated_at=now)

    grants = list(ClientAccess.objects.select_for_update().filter(member=member, revoked_at=None))
    ClientAccessChange.objects.bulk_create(
        ClientAccessChange(
            client_id=grant.client_id,
            action=ClientAccessChange.Action.REVOKED,
            member=removed,
            member_name=removed.full_name,
            domains=grant.domains,
            ends_at=grant.ends_at,
            actor=actor,
            actor_name=actor_name,
            created_at=now,
        )
        for grant in grants
    )
    ClientAccess.objects.filter(pk__in=[g.pk for g in grants]).update(
        revoked_at=now, updated_at=now
    )

    # update() bypasses auto_now: set updated_at, the rows' version (ETag, ?updated_since=).
    PlanTemplate.objects.filter(studio_id=old_studio_id, trainer=removed).update(
        trainer=target.user, updated_at=now
    )
    MetricType.objects.filter(studio_id=old_studio_id, trainer=removed).update(
        trainer=target.user, updated_at=now
    )
    exercise_reattribute(studio_id=old_studio_id, author=removed, to=target.user)
    SubscriptionPlan.objects.filter(studio_id=old_studio_id, trainer=removed).update(
        trainer=target.user, updated_at=now
    )
    pending = Invite.objects.select_for_update().filter(
        studio_id=old_studio_id, trainer=removed, status=Invite.Status.PENDING
    )
    for invite in pending:
        # The target may have invited the same person: theirs stays, this one is revoked.
        if Invite.objects.filter(
            trainer=target.user, status=Invite.Status.PENDING, email__iexact=invite.email
        ).exists():
            invite.status, invite.revoked_at = Invite.Status.REVOKED, now
        else:
            invite.trainer = target.user
        invite.save(update_fields=["trainer", "status", "revoked_at", "updated_at"])

    # Their own empty studio: the account keeps working and reads nothing of the old one.
    # The membership row moves (rather than being replaced) so revoked grants keep their
    # member for the history.
    studio = Studio.objects.create(name=(removed.full_name or removed.email)[:150])
    member.studio, member.role, member.title, member.joined_at = studio, StudioRole.OWNER, "", now
    member.save(update_fields=["studio", "role", "title", "joined_at", "updated_at"])
    response_cache.invalidate_tenant(old_studio_id)
    return member
