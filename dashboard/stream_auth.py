"""Who may hold a live feed stream open: stream tickets and the periodic re-check.

EventSource cannot send an `Authorization` header, and a JWT in a URL ends up in access
logs. So the app first asks `POST feed/stream/ticket/` (with the header) for a ticket and
opens `feed/stream/?ticket=<ticket>`. A ticket is signed with django.core.signing under its
own salt (it is good for nothing else), valid TICKET_SECONDS to *open* a stream, and bound
to the user, the digest of their password hash and the expiry of the access token that
asked for it (the stream never outlives that token).

An open stream re-checks its user against the database (never the cache) every
FEED_STREAM_RECHECK_SECONDS: a deactivated user, a changed password, a lost trainer role or
the logout of the user's last session ends it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.models import User

TICKET_SALT = "fitbud.feed.stream-ticket"


def ticket_seconds() -> int:
    return int(getattr(settings, "FEED_STREAM_TICKET_SECONDS", 60))


@dataclass(frozen=True)
class StreamGrant:
    """What a stream was opened with, and what it re-checks."""

    user_id: int
    password_digest: str
    password_hash: str  # the catch-up query reads rows only while this is still the hash
    expires_at: float  # unix time: the access token's expiry
    had_session: bool  # the user had a live refresh token when the stream opened
    studio_id: int | None = None  # whose notifications wake the stream (set when it opens)
    trainers_only: bool = True  # feed/stream/; stream/ is for clients too


class TicketInvalid(Exception):
    pass


def ticket_issue(*, user: User, token_expires_at: float) -> tuple[str, float]:
    """(ticket, unix time until which it can open a stream)."""
    payload = {
        "u": user.pk,
        "p": get_md5_hash_password(user.password),
        "x": int(token_expires_at),
    }
    ticket = signing.dumps(payload, salt=TICKET_SALT)
    return ticket, min(time.time() + ticket_seconds(), token_expires_at)


def ticket_read(ticket: str) -> tuple[User, float]:
    """(user, access token expiry) for a valid ticket whose user is still as it was."""
    try:
        payload = signing.loads(ticket, salt=TICKET_SALT, max_age=ticket_seconds())
        user_id, digest, expires_at = int(payload["u"]), str(payload["p"]), float(payload["x"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise TicketInvalid from exc
    if expires_at <= time.time():
        raise TicketInvalid
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or get_md5_hash_password(user.password) != digest:
        raise TicketInvalid
    return user, expires_at


def user_has_live_session(*, user_id: int) -> bool:
    """A refresh token of the user that is neither expired nor blacklisted (logged out)."""
    return OutstandingToken.objects.filter(
        user_id=user_id, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    ).exists()


def grant_for(*, user: User, expires_at: float, trainers_only: bool = True) -> StreamGrant:
    return StreamGrant(
        user_id=user.pk,
        password_digest=get_md5_hash_password(user.password),
        password_hash=user.password,
        expires_at=expires_at,
        had_session=user_has_live_session(user_id=user.pk),
        trainers_only=trainers_only,
    )


def grant_still_valid(grant: StreamGrant) -> bool:
    """The stream's user is still active, still a trainer, has the same password and (if
    they had one when it opened) still a session that has not logged out."""
    user = User.objects.filter(pk=grant.user_id).only("password", "is_active", "role").first()
    if user is None or not user.is_active:
        return False
    if not (user.is_trainer or (not grant.trainers_only and user.is_client)):
        return False
    if get_md5_hash_password(user.password) != grant.password_digest:
        return False
    return not grant.had_session or user_has_live_session(user_id=grant.user_id)
