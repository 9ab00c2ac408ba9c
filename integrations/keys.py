"""API keys: the key format, its digest, and the services and selectors of ApiKey.

A key reads `fbk_<prefix>_<secret>`: `prefix` is 12 hex characters (48 random bits, unique,
stored in clear, how the row is found), `secret` 32 random bytes (256 bits, URL-safe
base64). Only the SHA-256 digest of the whole key is stored, and compared in constant time.
A fast hash is the right one here: slow password hashes (Argon2, PBKDF2) exist to make
guessing *low-entropy* human passwords expensive; a 256-bit random secret cannot be guessed
however fast the hash is, and the digest is checked on every keyed request, so it must cost
microseconds, not the ~50 ms of a password hash. (djangorestframework-api-key makes the same
argument for its SHA-512 hasher.) No HMAC with SECRET_KEY either: rotating SECRET_KEY must
not invalidate every integration.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import User, membership_of
from fitbud.api import response_cache
from fitbud.api.exceptions import Conflict, DomainError
from integrations.models import ApiKey

KEY_PREFIX = "fbk_"
PREFIX_BYTES = 6  # 12 hex characters
SECRET_BYTES = 32


class ApiKeyError:
    """Error codes of this module (401s use them as their `code`)."""

    INVALID = "api_key_invalid"
    REVOKED = "api_key_revoked"
    EXPIRED = "api_key_expired"
    OWNER_INACTIVE = "api_key_owner_inactive"
    NAME_TAKEN = "api_key_name_taken"
    EXPIRY_PAST = "api_key_expiry_past"
    TOO_MANY = "api_key_limit"


def digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


HEX = frozenset("0123456789abcdef")
MAX_KEY_LENGTH = 100  # ours are 60 characters


def _prefix_of(raw_key: str) -> str | None:
    """The prefix of a well-formed key, else None (so that nothing odd, e.g. a NUL, ever
    reaches the database)."""
    if not raw_key.startswith(KEY_PREFIX) or len(raw_key) > MAX_KEY_LENGTH:
        return None
    prefix, sep, secret = raw_key[len(KEY_PREFIX) :].partition("_")
    if not sep or len(prefix) != PREFIX_BYTES * 2 or not set(prefix) <= HEX or not secret:
        return None
    return prefix


# --- services -----------------------------------------------------------------------------


@transaction.atomic
def api_key_create(
    *, owner: User, name: str, scopes: list[str], expires_at: dt.datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key acting as `owner` in their studio; returns the row and the key, which is
    never shown again."""
    member = membership_of(owner)
    if member is None:
        raise DomainError("Only studio members can create API keys.", code="not_a_member")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("expires_at must be in the future.", code=ApiKeyError.EXPIRY_PAST)
    live = ApiKey.objects.filter(user=owner, revoked_at__isnull=True)
    if live.count() >= settings.API_KEYS_MAX_PER_MEMBER:
        raise Conflict(
            f"A member can have at most {settings.API_KEYS_MAX_PER_MEMBER} live API keys; "
            "revoke one first.",
            code=ApiKeyError.TOO_MANY,
        )
    prefix = secrets.token_hex(PREFIX_BYTES)
    raw_key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    try:
        with transaction.atomic():
            key = ApiKey.objects.create(
                studio_id=member.studio_id,
                user=owner,
                name=name,
                prefix=prefix,
                key_hash=digest(raw_key),
                scopes=sorted(set(scopes)),
                expires_at=expires_at,
            )
    except IntegrityError:
        # The live-name constraint (two requests racing, or a name in use); a prefix
        # collision (48 random bits) is not worth a retry loop.
        raise Conflict(
            "You already have a live API key with this name.", code=ApiKeyError.NAME_TAKEN
        ) from None
    return key, raw_key


@transaction.atomic
def api_key_rename(*, key: ApiKey, name: str) -> ApiKey:
    key.name = name
    try:
        with transaction.atomic():
            key.save(update_fields=["name"])
    except IntegrityError:
        raise Conflict(
            "You already have a live API key with this name.", code=ApiKeyError.NAME_TAKEN
        ) from None
    return key


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Revoked from the commit on, in every process: authentication reads the row on every
    request (no cached copy). Revoking twice keeps the first time."""
    now = timezone.now()
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now, updated_at=now)
    key.refresh_from_db(fields=["revoked_at"])
    return key


def api_key_touch(*, key: ApiKey) -> None:
    """Record the key's use at most once per API_KEY_LAST_USED_SECONDS: a keyed request
    writes nothing unless the stored time is older than that (and of two processes racing,
    the conditional update lets one write)."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.API_KEY_LAST_USED_SECONDS)
    if key.last_used_at is not None and key.last_used_at > cutoff:
        return
    ApiKey.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff), pk=key.pk
    ).update(last_used_at=now)
    key.last_used_at = now


# --- selectors ----------------------------------------------------------------------------


def api_key_list(*, owner: User) -> QuerySet[ApiKey]:
    """A member's own keys (live and revoked, newest first); nobody else's."""
    return ApiKey.objects.filter(user=owner).order_by("-created_at", "-id")


# What authentication needs of a key row (the rest stays deferred).
_AUTH_FIELDS = frozenset(
    {"id", "user_id", "studio_id", "prefix", "key_hash", "scopes"}
    | {"expires_at", "revoked_at", "last_used_at"}
)
_DATETIMES = ("expires_at", "revoked_at", "last_used_at")


def _aware(value):
    # PostgreSQL returns aware datetimes; SQLite naive ones (or text) in UTC.
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


def _key_by_prefix(prefix: str) -> ApiKey | None:
    """The key row by its prefix, with one cursor query: it runs on every keyed request,
    and the ORM's query building cost 0.85 ms of CPU against 0.17 ms for the same row read
    this way (bench/api_keys.py, docs/performance.md), as for response_cache.load_user."""
    meta = ApiKey._meta
    quote = connection.ops.quote_name
    # In the model's field order, as Model.from_db wants them.
    fields = [field for field in meta.concrete_fields if field.attname in _AUTH_FIELDS]
    columns = ", ".join(quote(field.column) for field in fields)
    prefix_column = quote(meta.get_field("prefix").column)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {prefix_column} = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip([field.attname for field in fields], row, strict=True))
    if isinstance(values["scopes"], str):  # jsonb arrives as text (Django's loader), as on SQLite
        values["scopes"] = json.loads(values["scopes"])
    for name in _DATETIMES:
        values[name] = _aware(values[name])
    return ApiKey.from_db(connection.alias, list(values), list(values.values()))


def api_key_authenticate(raw_key: str) -> tuple[User, ApiKey]:
    """The user a key acts as (loaded like a JWT's: with membership, tenant and generation,
    response_cache.load_user) and the key; AuthenticationFailed (401) otherwise. Two queries:
    the key by its prefix, then the user. Nothing is cached, so a revocation, an expiry, a
    deactivation or a removal from the studio refuses the key from its commit on."""
    prefix = _prefix_of(raw_key)
    key = _key_by_prefix(prefix) if prefix else None
    if key is None or not hmac.compare_digest(key.key_hash, digest(raw_key)):
        raise AuthenticationFailed("Invalid API key.", code=ApiKeyError.INVALID)
    if key.revoked_at is not None:
        raise AuthenticationFailed("This API key has been revoked.", code=ApiKeyError.REVOKED)
    if key.expires_at is not None and key.expires_at <= timezone.now():
        raise AuthenticationFailed("This API key has expired.", code=ApiKeyError.EXPIRED)
    try:
        user = response_cache.load_user(User, key.user_id)
    except User.DoesNotExist:
        user = None
    member = membership_of(user) if user is not None else None
    if user is None or not user.is_active or member is None or member.studio_id != key.studio_id:
        # Deactivated, or no longer a member of the studio the key was made in.
        raise AuthenticationFailed(
            "The account this API key belongs to is no longer active in its studio.",
            code=ApiKeyError.OWNER_INACTIVE,
        )
    return user, key
