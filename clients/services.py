"""Writes and business rules of the clients app: invites, the roster, notes, health."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError

from accounts.email_delivery import (
    email_delivery_attempt,
    email_delivery_create,
    email_delivery_fail,
    email_send_later,
)
from accounts.models import EmailDelivery, StudioMember, User
from accounts.services import user_create
from clients import signals
from clients.models import (
    Client,
    ClientAccess,
    ClientAccessChange,
    ClientNote,
    ClientStatusChange,
    HealthProfile,
    HealthProfileChange,
    Invite,
)
from clients.selectors import client_manageable, invite_token_hash
from fitbud.api.exceptions import ClientNotManageable, Conflict

logger = logging.getLogger(__name__)


class InviteError:
    """Stable codes for invite problems (the app shows a message per code)."""

    NOT_FOUND = "invite_not_found"
    EXPIRED = "invite_expired"
    REVOKED = "invite_revoked"
    USED = "invite_used"
    NOT_INVITABLE = "email_not_invitable"
    ALREADY_YOUR_CLIENT = "already_your_client"
    EMAIL_TAKEN = "email_taken"
    ALREADY_ACCEPTED = "invite_already_accepted"
    PENDING_EXISTS = "invite_pending_exists"


@dataclass(frozen=True)
class IssuedInvite:
    """An invite together with its raw token, which exists only in this response."""

    invite: Invite
    token: str
    created: bool

    @property
    def invite_url(self) -> str:
        return invite_url(token=self.token)


def invite_url(*, token: str) -> str:
    return settings.INVITE_URL_TEMPLATE.format(token=token)


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, invite_token_hash(token)


def _one_line(text: str) -> str:
    # Names end up in a mail header: no newlines, no runs of spaces.
    return " ".join(text.split())


# Fixed: neither the trainer's nor the invitee's name (both chosen by the trainer) may turn
# our subject line into their message. The names are in the body only.
INVITE_SUBJECT = "You are invited to train on Fitbud"


def invite_email_send(*, delivery_id: int, token: str, final: bool = True) -> bool:
    """Send an invite's recorded email. The raw token comes from the caller (it is never
    stored); if the invite has been issued again since, this token is dead and the newer
    email carries the live one, so this one is not sent."""
    delivery = EmailDelivery.objects.get(pk=delivery_id)
    if delivery.status == EmailDelivery.Status.SENT:
        return True
    invite = (
        Invite.objects.select_related("trainer")
        .filter(email_delivery_id=delivery_id, token_hash=invite_token_hash(token))
        .first()
    )
    if invite is None:
        email_delivery_fail(delivery_id=delivery_id, error=SUPERSEDED)
        return False
    context = {
        "invite": invite,
        "trainer_name": _one_line(invite.trainer.full_name) or invite.trainer.email,
        "invitee_name": _one_line(invite.full_name),
        "invite_url": invite_url(token=token),
        "expires_at": invite.expires_at,
    }
    body = render_to_string("clients/emails/invite_body.txt", context)
    # Replies go to the trainer, who knows the invitee; the sender stays our address.
    message = EmailMessage(
        delivery.subject, body, to=[delivery.recipient], reply_to=[invite.trainer.email]
    )
    if not email_delivery_attempt(delivery=delivery, message=message, final=final):
        # The invite stays valid: the trainer holds the link and sees email_status "failed".
        return False
    Invite.objects.filter(pk=invite.pk).update(
        send_count=F("send_count") + 1, last_sent_at=delivery.sent_at, updated_at=timezone.now()
    )
    return True


SUPERSEDED = "Not sent: the invite was issued again with a new link before this email left."


def _issue(*, invite: Invite) -> str:
    """Give the invite a fresh token and expiry and queue its email; returns the raw token."""
    token, token_hash = _new_token()
    now = timezone.now()
    invite.token_hash = token_hash
    invite.status = Invite.Status.PENDING
    invite.expires_at = now + timedelta(days=settings.INVITE_TTL_DAYS)
    invite.email_delivery = email_delivery_create(
        kind=EmailDelivery.Kind.INVITE, recipient=invite.email, subject=INVITE_SUBJECT
    )
    invite.save()
    # After commit, on a task; the token travels as a task argument only (docs/security.md).
    from clients.tasks import invite_email_send_task

    email_send_later(invite_email_send_task, delivery_id=invite.email_delivery.pk, token=token)
    return token


def _check_email_can_be_invited(*, trainer: User, email: str) -> None:
    # One answer for every account that is not yours to invite (a trainer, another trainer's
    # client, a client without a trainer): the 409 must not tell a trainer who else has an
    # account or which role it has. Your own client is no secret to you (it is on your roster).
    user = User.objects.filter(email__iexact=email).select_related("client_link").first()
    if user is None:
        return
    link = getattr(user, "client_link", None)
    if link is not None and link.trainer_id == trainer.pk:
        raise Conflict("This person is already your client.", code=InviteError.ALREADY_YOUR_CLIENT)
    raise Conflict(NOT_INVITABLE, code=InviteError.NOT_INVITABLE)


NOT_INVITABLE = "This email cannot be invited: it already has a Fitbud account."


def _lock_trainer(trainer: User) -> None:
    # Serialises one trainer's invite writes so the "one pending invite per email" rule
    # is settled here rather than by an IntegrityError.
    User.objects.select_for_update().filter(pk=trainer.pk).first()


def _expire_if_due(invite: Invite) -> None:
    if invite.status == Invite.Status.PENDING and invite.expires_at <= timezone.now():
        invite.status = Invite.Status.EXPIRED
        invite.save(update_fields=["status", "updated_at"])


@transaction.atomic
def invite_create(*, trainer: User, email: str, full_name: str) -> IssuedInvite:
    """Invite someone by email. Re-inviting an email with a pending invite refreshes that
    invite (new token, new expiry, email again) instead of creating a second one."""
    email = User.objects.normalize_email(email)
    full_name = _one_line(full_name)
    _lock_trainer(trainer)
    _check_email_can_be_invited(trainer=trainer, email=email)

    invite = (
        Invite.objects.select_for_update()
        .filter(trainer=trainer, status=Invite.Status.PENDING, email__iexact=email)
        .first()
    )
    if invite is not None:
        _expire_if_due(invite)
    if invite is not None and invite.status == Invite.Status.PENDING:
        invite.full_name = full_name
        token = _issue(invite=invite)
        return IssuedInvite(invite=invite, token=token, created=False)

    invite = Invite(
        studio_id=trainer.membership.studio_id,
        trainer=trainer,
        email=email,
        full_name=full_name,
        expires_at=timezone.now(),
    )
    token = _issue(invite=invite)
    return IssuedInvite(invite=invite, token=token, created=True)


@transaction.atomic
def invite_resend(*, invite: Invite) -> IssuedInvite:
    """A fresh token and expiry (the old link stops working) and the email again. Works for
    pending and expired invites; accepted and revoked ones are final."""
    _lock_trainer(invite.trainer)
    invite = Invite.objects.select_for_update().get(pk=invite.pk)
    if invite.status == Invite.Status.ACCEPTED:
        raise Conflict("This invite has already been accepted.", code=InviteError.ALREADY_ACCEPTED)
    if invite.status == Invite.Status.REVOKED:
        raise Conflict(
            "This invite was revoked; create a new invite instead.", code=InviteError.REVOKED
        )
    _check_email_can_be_invited(trainer=invite.trainer, email=invite.email)
    _expire_if_due(invite)
    if (
        invite.status == Invite.Status.EXPIRED
        and Invite.objects.filter(
            trainer=invite.trainer, status=Invite.Status.PENDING, email__iexact=invite.email
        ).exists()
    ):
        raise Conflict(
            "A newer pending invite exists for this email; resend that one.",
            code=InviteError.PENDING_EXISTS,
        )
    token = _issue(invite=invite)
    return IssuedInvite(invite=invite, token=token, created=False)


@transaction.atomic
def invite_revoke(*, invite: Invite) -> Invite:
    """The link stops working; the row stays for the trainer's history. Revoking twice is
    harmless; an accepted invite cannot be revoked (deactivate the client instead)."""
    invite = Invite.objects.select_for_update().get(pk=invite.pk)
    if invite.status == Invite.Status.ACCEPTED:
        raise Conflict(
            "This invite has already been accepted; deactivate the client instead.",
            code=InviteError.ALREADY_ACCEPTED,
        )
    if invite.status != Invite.Status.REVOKED:
        invite.status = Invite.Status.REVOKED
        invite.revoked_at = timezone.now()
        invite.save(update_fields=["status", "revoked_at", "updated_at"])
    return invite


def invite_check_usable(*, invite: Invite | None) -> Invite:
    """Raise the precise error for a token that cannot be used: 404 for a token nobody
    issued, 400 on `token` for an expired, revoked or used one."""
    if invite is None:
        code, message = InviteError.NOT_FOUND, "This invite link is not valid."
    elif invite.status == Invite.Status.ACCEPTED:
        code, message = InviteError.USED, "This invite has already been used."
    elif invite.status == Invite.Status.REVOKED or not invite.trainer.is_active:
        # A trainer whose account staff disabled cannot take on new clients.
        code, message = InviteError.REVOKED, "This invite was withdrawn by the trainer."
    elif invite.is_expired:
        code, message = (
            InviteError.EXPIRED,
            "This invite has expired; ask your trainer to send a new one.",
        )
    else:
        return invite
    if code == InviteError.NOT_FOUND:
        # A token nobody issued names no resource: 404, like any unknown id.
        raise NotFound({"token": ErrorDetail(message, code=code)})
    raise ValidationError({"token": ValidationError(message, code=code)})


def invites_expire_due() -> int:
    """Mark every lapsed pending invite expired (reads already treat them so; this keeps
    the column honest for staff and reports). Returns how many changed."""
    return Invite.objects.filter(
        status=Invite.Status.PENDING, expires_at__lte=timezone.now()
    ).update(status=Invite.Status.EXPIRED, updated_at=timezone.now())


@transaction.atomic
def invite_accept(
    *, token: str, password: str, full_name: str | None = None
) -> tuple[User, Client]:
    """Create the client's account and the trainer link in one transaction. The invite row
    is locked first, so of two concurrent accepts exactly one creates an account and the
    other sees the invite as used."""
    invite = (
        Invite.objects.select_for_update()
        .select_related("trainer")
        .filter(token_hash=invite_token_hash(token))
        .first()
    )
    invite_check_usable(invite=invite)
    assert invite is not None

    if User.objects.filter(email__iexact=invite.email).exists():
        raise Conflict(
            "An account with this email already exists; sign in instead.",
            code=InviteError.EMAIL_TAKEN,
        )
    name = _one_line(full_name or "") or invite.full_name
    try:
        with transaction.atomic():
            user = user_create(
                email=invite.email, password=password, full_name=name, role=User.Role.CLIENT
            )
    except (ValidationError, IntegrityError) as exc:
        # Another trainer's invite for the same email was accepted at the same instant: the
        # unique email check (full_clean) or the unique index (save) refuses this one.
        if User.objects.filter(email__iexact=invite.email).exists():
            raise Conflict(
                "An account with this email already exists; sign in instead.",
                code=InviteError.EMAIL_TAKEN,
            ) from exc
        if isinstance(exc, IntegrityError) or hasattr(exc, "error_dict"):
            raise
        # Django's password validators raise a plain list: it is about the password field.
        raise ValidationError({"password": exc.error_list}) from exc

    now = timezone.now()
    client = Client.objects.create(
        user=user, studio_id=invite.studio_id, trainer=invite.trainer, joined_at=now
    )
    ClientStatusChange.objects.create(
        client=client, is_active=True, changed_at=now, changed_by=user
    )
    invite.status = Invite.Status.ACCEPTED
    invite.accepted_at = now
    invite.client = client
    invite.save(update_fields=["status", "accepted_at", "client", "updated_at"])
    signals.invite_accepted.send(sender=Invite, invite=invite, client=client)
    return user, client


@transaction.atomic
def client_set_active(*, client: Client, is_active: bool, changed_by: User | None) -> Client:
    """Deactivate or reactivate; each real change is kept as a ClientStatusChange row."""
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.is_active == is_active:
        client.is_active, client.deactivated_at = locked.is_active, locked.deactivated_at
        return client
    now = timezone.now()
    client.is_active = is_active
    client.deactivated_at = None if is_active else now
    client.save(update_fields=["is_active", "deactivated_at", "updated_at"])
    ClientStatusChange.objects.create(
        client=client, is_active=is_active, changed_at=now, changed_by=changed_by
    )
    if not is_active:
        signals.client_deactivated.send(sender=Client, client=client)
    return client


@transaction.atomic
def client_update(
    *,
    client: Client,
    changed_by: User,
    is_active: bool | None = None,
    goals: str | None = None,
) -> Client:
    if goals is not None and goals != client.goals:
        client.goals = goals
        client.save(update_fields=["goals", "updated_at"])
    if is_active is not None:
        client_set_active(client=client, is_active=is_active, changed_by=changed_by)
    return client


@transaction.atomic
def client_note_create(*, client: Client, author: User, body: str) -> ClientNote:
    return ClientNote.objects.create(client=client, author=author, body=body)


@transaction.atomic
def client_note_update(*, note: ClientNote, body: str) -> ClientNote:
    note.body = body
    note.save(update_fields=["body", "updated_at"])
    return note


@transaction.atomic
def client_note_delete(*, note: ClientNote) -> None:
    note.delete()


HEALTH_FIELDS = (
    "height_cm",
    "date_of_birth",
    "sex",
    "injuries",
    "conditions",
    "medications",
    "allergies",
    "dietary_preferences",
    "emergency_contact",
)


def _health_empty_value(name: str) -> Any:
    field = HealthProfile._meta.get_field(name)
    return None if field.null else ""


@transaction.atomic
def health_profile_update(
    *, client: Client, updated_by: User, data: dict[str, Any], replace: bool = False
) -> HealthProfile:
    """Apply a (partial or, with `replace`, full) update. Every real change stamps
    updated_by/updated_at and adds a HealthProfileChange naming the changed fields."""
    profile, _ = HealthProfile.objects.select_for_update().get_or_create(client=client)
    if replace:
        data = {name: data.get(name, _health_empty_value(name)) for name in HEALTH_FIELDS}
    changed = [
        name for name in HEALTH_FIELDS if name in data and getattr(profile, name) != data[name]
    ]
    if changed:
        for name in changed:
            setattr(profile, name, data[name])
        profile.updated_by = updated_by
        profile.full_clean()
        profile.save()
        HealthProfileChange.objects.create(
            profile=profile, changed_by=updated_by, changed_at=profile.updated_at, fields=changed
        )
    return HealthProfile.objects.select_related("updated_by").get(pk=profile.pk)


# --- access grants and transfers (studios) -------------------------------------------------


class AccessError:
    """Stable codes for grant and transfer problems."""

    GRANT_EXISTS = "grant_exists"
    MEMBER_NOT_FOUND = "member_not_found"
    MEMBER_IS_PRIMARY_COACH = "member_is_primary_coach"
    MEMBER_SEES_ALL = "member_sees_all"
    COACH_NOT_FOUND = "coach_not_found"
    NOT_A_COACH = "not_a_coach"
    ALREADY_PRIMARY_COACH = "already_primary_coach"


def _field_error(field: str, message: str, code: str) -> DRFValidationError:
    return DRFValidationError({field: [ErrorDetail(message, code=code)]})


def _lock_client(client: Client, *, actor: User) -> Client:
    """Lock the client row: grants, their changes and transfers of one client are
    serialised by it. Whether the actor may manage the client is decided again under the
    lock (a concurrent transfer may have taken it from them)."""
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if not client_manageable(actor, client=locked):
        raise ClientNotManageable()
    return locked


def _name(user: User | None) -> str:
    return (user.full_name or user.email)[:150] if user is not None else ""


def _audit(
    *,
    client: Client,
    action: str,
    member: User | None,
    actor: User,
    domains: list[str] | None = None,
    ends_at=None,
    previous_member: User | None = None,
    at=None,
) -> ClientAccessChange:
    return ClientAccessChange.objects.create(
        client=client,
        action=action,
        member=member,
        member_name=_name(member),
        previous_member=previous_member,
        previous_member_name=_name(previous_member),
        domains=list(domains or []),
        ends_at=ends_at,
        actor=actor,
        actor_name=_name(actor),
        created_at=at or timezone.now(),
    )


def _grantee(*, client: Client, member_id: int) -> StudioMember:
    member = (
        StudioMember.objects.select_related("user")
        .filter(pk=member_id, studio_id=client.studio_id)
        .first()
    )
    if member is None:
        raise _field_error(
            "member", "No member of this studio has this id.", AccessError.MEMBER_NOT_FOUND
        )
    if member.user_id == client.trainer_id:
        raise _field_error(
            "member",
            "This member is the client's primary coach and sees everything already.",
            AccessError.MEMBER_IS_PRIMARY_COACH,
        )
    if member.manages_studio:
        raise _field_error(
            "member",
            "Owners and admins see every client of the studio already.",
            AccessError.MEMBER_SEES_ALL,
        )
    return member


def _close_expired(grant: ClientAccess) -> None:
    # An expired grant stopped at its end; closing it frees the "one live grant" slot.
    grant.revoked_at = grant.ends_at
    grant.save(update_fields=["revoked_at", "updated_at"])


@transaction.atomic
def client_access_grant(
    *, client: Client, actor: User, member_id: int, domains: list[str], ends_at=None
) -> ClientAccess:
    """Grant a member of the studio these domains of the client (audited `granted`).
    A member with a grant in force gets 409 `grant_exists` (change that one instead)."""
    client = _lock_client(client, actor=actor)
    member = _grantee(client=client, member_id=member_id)
    now = timezone.now()
    existing = ClientAccess.objects.filter(client=client, member=member, revoked_at__isnull=True)
    for grant in existing:
        if grant.ends_at is not None and grant.ends_at <= now:
            _close_expired(grant)
        else:
            raise Conflict(
                "This member has a grant on this client already; change it instead.",
                code=AccessError.GRANT_EXISTS,
            )
    grant = ClientAccess(client=client, member=member, ends_at=ends_at, granted_by=actor)
    grant.set_domains(domains)
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:
        raise Conflict(
            "This member has a grant on this client already; change it instead.",
            code=AccessError.GRANT_EXISTS,
        ) from None
    _audit(
        client=client,
        action=ClientAccessChange.Action.GRANTED,
        member=member.user,
        actor=actor,
        domains=grant.domains,
        ends_at=ends_at,
        at=now,
    )
    return grant


_UNSET: Any = object()


@transaction.atomic
def client_access_update(
    *, grant: ClientAccess, actor: User, domains: list[str] | None = None, ends_at=_UNSET
) -> ClientAccess:
    """Change a grant's domains and/or end (audited `changed` when anything changed);
    extending an expired, not revoked grant renews it."""
    _lock_client(grant.client, actor=actor)
    grant = ClientAccess.objects.select_related("member__user", "granted_by").get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise NotFound()
    before = (grant.domains, grant.ends_at)
    if domains is not None:
        grant.set_domains(domains)
    if ends_at is not _UNSET:
        grant.ends_at = ends_at
    if (grant.domains, grant.ends_at) != before:
        grant.save()
        _audit(
            client=grant.client,
            action=ClientAccessChange.Action.CHANGED,
            member=grant.member.user,
            actor=actor,
            domains=grant.domains,
            ends_at=grant.ends_at,
        )
    return grant


def _revoke(grant: ClientAccess, *, actor: User, now) -> None:
    grant.revoked_at = now
    grant.save(update_fields=["revoked_at", "updated_at"])
    _audit(
        client=grant.client,
        action=ClientAccessChange.Action.REVOKED,
        member=grant.member.user,
        actor=actor,
        domains=grant.domains,
        ends_at=grant.ends_at,
        at=now,
    )


@transaction.atomic
def client_access_revoke(*, grant: ClientAccess, actor: User) -> None:
    """End a grant now (audited `revoked`); it stops at once."""
    _lock_client(grant.client, actor=actor)
    grant = ClientAccess.objects.select_related("member__user", "client").get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise NotFound()
    _revoke(grant, actor=actor, now=timezone.now())


@transaction.atomic
def client_transfer(*, client: Client, actor: User, coach_id: int) -> Client:
    """Make another coaching member of the studio the client's primary coach. The client's
    history (logs, check-ins, assignments, notes) stays with the client; a grant the new
    coach had is revoked (they see everything now); audited `transferred`."""
    client = _lock_client(client, actor=actor)
    coach = (
        StudioMember.objects.select_related("user")
        .filter(pk=coach_id, studio_id=client.studio_id)
        .first()
    )
    if coach is None:
        raise _field_error(
            "coach", "No member of this studio has this id.", AccessError.COACH_NOT_FOUND
        )
    if not coach.can_coach:
        raise _field_error(
            "coach",
            "Only owners, admins and coaches can be a primary coach.",
            AccessError.NOT_A_COACH,
        )
    if coach.user_id == client.trainer_id:
        raise _field_error(
            "coach", "This member is the primary coach already.", AccessError.ALREADY_PRIMARY_COACH
        )
    now = timezone.now()
    for grant in ClientAccess.objects.filter(
        client=client, member=coach, revoked_at__isnull=True
    ).select_related("member__user"):
        grant.client = client
        _revoke(grant, actor=actor, now=now)
    previous = client.trainer
    client.trainer = coach.user
    client.save(update_fields=["trainer", "updated_at"])
    _audit(
        client=client,
        action=ClientAccessChange.Action.TRANSFERRED,
        member=coach.user,
        previous_member=previous,
        actor=actor,
        at=now,
    )
    return client
