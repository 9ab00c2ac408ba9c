"""Cached reads: a per-tenant, generation-keyed cache of hot GET responses.

A tenant is one trainer with their clients. Every tenant has a *generation* in the cache;
a cached response is stored together with the generation that was current *before* the
view read the database, and every write to one of the tenant's rows moves the generation on
(model signals, below; once at once and once more when the transaction commits). A read
fetches the generation and the entry in one round trip and only uses an entry stored under
the current generation. So a write is visible to the next read, and a read that raced a
write can only have stored a copy marked with a generation that is already past. Entries also expire after RESPONSE_CACHE_SECONDS,
which bounds how long a response that depends on the clock (a subscription period ending,
"needs attention" since N days) can lag; the key carries the reader's local date, so a new
day is always a fresh read.

What a key names: tenant, user, the absolute URL (host, path and query string)
and the user's local date. Only 200 responses are stored; authentication, permissions and
throttles run before the lookup on every request, so a hit never skips an access check.

The cache must be shared by every process that serves the API (Redis in production). With
per-process memory a write could not reach the other workers, so production settings turn
this off unless the cache is Redis. If the cache is unreachable, reads go to the database.
"""

from __future__ import annotations

import hashlib
import logging
import time
import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

GENERATION_KEY = "rc:gen:{}"

# user id -> (tenant id, timezone, monotonic expiry): what a reader's keys are made of. A
# client's trainer practically never changes (only staff can move a client in the admin),
# nor does anybody's timezone (and changing either is a write that moves the generation on).
# Knowing them saves a query on every cached read of a client, and lets authentication
# fetch the entry together with the user row (prefetch_keys).
_readers: dict[int, tuple[int | None, str, float]] = {}
_READERS_MAX = 50_000


def enabled() -> bool:
    return settings.RESPONSE_CACHE_SECONDS > 0


def reset_local_state() -> None:
    """Forget the per-process map of readers (tests, where ids are reused)."""
    _readers.clear()


# --- tenants ------------------------------------------------------------------------------


def _trainer_id(**client_lookup) -> int | None:
    """The trainer of the client link matching the lookup (one query), None if there is none."""
    from clients.models import Client

    return Client.objects.filter(**client_lookup).values_list("trainer_id", flat=True).first()


def _tenant_of(user) -> int | None:
    if user.is_trainer:
        return user.pk
    return _trainer_id(user_id=user.pk) if user.is_client else None


def tenant_of_user(user) -> int | None:
    """The trainer whose tenant this user belongs to; None for anyone else."""
    now = time.monotonic()
    known = _readers.get(user.pk)
    if known is not None and known[2] > now and known[1] == user.timezone:
        return known[0]
    tenant_id = _tenant_of(user)
    if len(_readers) >= _READERS_MAX:
        _readers.clear()
    _readers[user.pk] = (tenant_id, user.timezone, now + settings.RESPONSE_CACHE_SECONDS)
    return tenant_id


def _new_generation(key: str) -> int:
    # A new (or evicted) generation starts from the clock, never from a number that an
    # older generation of the same tenant may have used.
    generation = time.time_ns()
    if not cache.add(key, generation, timeout=None):
        generation = cache.get(key, generation)
    return generation


def _bump_now(tenant_id: int) -> None:
    key = GENERATION_KEY.format(tenant_id)
    try:
        try:
            cache.incr(key)
        except ValueError:  # not there yet (or evicted): any fresh value will do
            cache.set(key, time.time_ns(), timeout=None)
    except Exception:  # the cache is down: reads are not served from it either
        logger.warning("response cache: could not invalidate tenant %s", tenant_id, exc_info=True)


def invalidate_tenant(tenant_id: int | None) -> None:
    """Make the tenant's cached responses unreachable, now and again on commit (a read
    between the two may have read the rows as they were before the write)."""
    if tenant_id is None or not enabled():
        return
    _bump_now(tenant_id)
    transaction.on_commit(lambda: _bump_now(tenant_id), robust=True)


# --- the view decorator -------------------------------------------------------------------


class _Lookup(NamedTuple):
    key: str
    generation: int
    hit: tuple | None


def _keys(request, tenant_id: int, user_id: int, timezone_name: str) -> list[str]:
    """[generation key, entry key] of a read."""
    local_today = timezone.localdate(timezone=zoneinfo.ZoneInfo(timezone_name))
    what = f"{request.build_absolute_uri()}|{local_today.isoformat()}"
    digest = hashlib.blake2b(what.encode(), digest_size=16).hexdigest()
    return [GENERATION_KEY.format(tenant_id), f"rc:{tenant_id}:{user_id}:{digest}"]


def prefetch_keys(request, user_id) -> list[str]:
    """Keys the authentication may fetch together with the user row, so that a cached read
    costs one round trip to the cache: those of this request if it is a GET of a cached
    view by a user this process has seen lately. Only a guess: _lookup recomputes the keys
    from the authenticated user and uses what was fetched only if they are the same."""
    try:
        user_id = int(user_id)  # the token's claim is a string
    except (TypeError, ValueError):
        return []
    known = _readers.get(user_id)
    if request.method != "GET" or not enabled() or known is None or known[0] is None:
        return []
    if known[2] <= time.monotonic():
        return []
    view = (request.parser_context or {}).get("view")
    action = getattr(view, "action", None)  # ViewSets; a ListAPIView's get() calls list()
    if isinstance(view, CachedListMixin):
        cached = action in (None, "list")
    else:
        cached = getattr(getattr(view, action or "get", None), "response_cache", False)
    if not cached:
        return []
    return _keys(request, known[0], user_id, known[1])


def _lookup(request) -> _Lookup | None:
    """The entry for this request, fetched with the tenant's generation in one round trip
    (or already fetched by the authentication, see prefetch_keys); a hit only if it was
    stored under the generation that is current now."""
    user = request.user
    if not enabled() or not user.is_authenticated:
        return None
    tenant_id = tenant_of_user(user)
    if tenant_id is None:
        return None
    generation_key, key = keys = _keys(request, tenant_id, user.pk, user.timezone)
    asked, found = getattr(request, "response_cache_prefetched", ((), {}))
    if list(asked) != keys:
        found = cache.get_many(keys)
    generation = found.get(generation_key)
    if generation is None:
        generation = _new_generation(generation_key)
    entry = found.get(key)
    return _Lookup(key, generation, entry if entry and entry[0] == generation else None)


def _store(lookup: _Lookup, response) -> None:
    # Stored with the generation read *before* the view read the database: if a write
    # moved it on meanwhile, this entry is already out of date and will never match.
    entry = (lookup.generation, response.content, response["Content-Type"])
    try:
        cache.set(lookup.key, entry, settings.RESPONSE_CACHE_SECONDS)
    except Exception:
        logger.warning("response cache: could not store a response", exc_info=True)


def cached_response(view_method: Callable) -> Callable:
    """Serve a read-only view method (APIView.get, ViewSet.list) from the cache when the
    caller's tenant has not changed since it was stored."""

    @wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        try:
            lookup = _lookup(request)
        except Exception:
            logger.warning("response cache: lookup failed, reading the database", exc_info=True)
            lookup = None
        if lookup is not None and lookup.hit is not None:
            _, content, content_type = lookup.hit
            return HttpResponse(content, content_type=content_type)
        response = view_method(self, request, *args, **kwargs)
        if lookup is not None and response.status_code == 200:
            response.add_post_render_callback(lambda rendered: _store(lookup, rendered))
        return response

    wrapper.response_cache = True
    return wrapper


# --- what invalidates ---------------------------------------------------------------------


def _trainer_of_row(instance: Model) -> int | None:
    return instance.trainer_id


def _trainer_of_client_row(instance: Model) -> int | None:
    field = instance._meta.get_field("client")
    if field.is_cached(instance):
        return instance.client.trainer_id
    return _trainer_id(pk=instance.client_id)


def _trainer_of_user(instance: Model) -> int | None:
    _readers.pop(instance.pk, None)
    return _tenant_of(instance)


def _trainer_of_client(instance: Model) -> int | None:
    # Staff may move a client to another trainer: forget the old mapping here.
    _readers.pop(instance.user_id, None)
    return instance.trainer_id


# Fields whose change no cached response shows (a login touches these).
_UNSEEN_USER_FIELDS = frozenset({"last_login", "password"})


def _on_user_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not enabled():
        return
    if update_fields and set(update_fields) <= _UNSEEN_USER_FIELDS:
        return
    invalidate_tenant(_trainer_of_user(instance))


def _resolver_for(model: type[Model]) -> Callable[[Model], int | None] | None:
    from accounts.models import User
    from clients.models import Client

    if model is User:
        return _trainer_of_user
    if model is Client:
        return _trainer_of_client
    names = {field.name for field in model._meta.concrete_fields}
    if "trainer" in names:
        return _trainer_of_row
    if "client" in names:
        return _trainer_of_client_row
    return None


def tenant_models() -> list[type[Model]]:
    """Every model of ours whose rows belong to one tenant (a trainer or a client link)."""
    from django.apps import apps

    ours = ("accounts", "clients", "plans", "progress", "billing", "dashboard")
    return [
        model
        for label in ours
        for model in apps.get_app_config(label).get_models()
        if _resolver_for(model) is not None
    ]


def connect_signals() -> None:
    from accounts.models import User

    for model in tenant_models():
        resolve = _resolver_for(model)

        def on_change(sender, instance, raw=False, resolve=resolve, **kwargs):
            if raw or not enabled():
                return
            invalidate_tenant(resolve(instance))

        uid = f"response_cache.{model._meta.label}"
        if model is User:
            post_save.connect(_on_user_saved, sender=model, dispatch_uid=f"{uid}.saved")
        else:
            post_save.connect(on_change, sender=model, dispatch_uid=f"{uid}.saved", weak=False)
        post_delete.connect(on_change, sender=model, dispatch_uid=f"{uid}.deleted", weak=False)


class CachedListMixin:
    """For list views: `list` answers from the response cache (see cached_response)."""

    @cached_response
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
