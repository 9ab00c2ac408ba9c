"""Cached reads: a per-tenant, generation-checked cache of hot GET responses.

A tenant is a studio (accounts.Studio) with its members and clients. Every tenant has a *generation*, a number in
the database (fitbud.api.models.TenantGeneration) that every write to one of the tenant's
rows moves on **in the write's own transaction** (model signals, below: an upsert next to
the write). The authentication reads the caller's row, tenant and generation in one query,
before the view reads anything (accounts/authentication.py); a cached response is stored
with that generation and used only by a request that read the same one. With READ
COMMITTED the generation and the rows a write changed become visible together, so:

- a write is seen by the next read (the next read's generation no longer matches);
- a read that raced a write read the generation before it, so its copy carries a
  generation that is already past;
- nothing in Redis is trusted: a Redis that lost writes, restarted with old data, was
  partitioned or is down can only make a read miss (writes never touch Redis).

Entries also expire after RESPONSE_CACHE_SECONDS, which bounds how long a response that
depends on the clock (a subscription period ending, "needs attention" since N days) can
lag; the key carries the reader's local date, so a new day is always a fresh read. An entry
read by a member who sees clients through access grants is also good only until the first of
those grants ends (an expired grant stops at once, although nothing was written).

What a key names: tenant, user, the absolute URL (host, path and query string) and the
user's local date. Only 200 responses are stored; authentication, permissions and throttles
run before the lookup on every request, so a hit never skips an access check.

The cache must be shared by every process that serves the API (Redis in production), or
each process keeps its own copies; production settings turn this off unless the cache is
Redis. A slow or unreachable Redis is skipped by the cache backend's circuit breaker
(fitbud/cache.py), and reads then go to the database.
"""

from __future__ import annotations

import hashlib
import time
import zoneinfo
from collections.abc import Callable
from functools import partial, wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone

from fitbud.api.models import TenantGeneration

# What the authentication's query sets on the user (load_user).
TENANT_ATTR = "cache_tenant_id"
GENERATION_ATTR = "cache_generation"


def enabled() -> bool:
    return settings.RESPONSE_CACHE_SECONDS > 0


# --- tenants ------------------------------------------------------------------------------


def _studio_of_client(**client_lookup) -> int | None:
    """The studio of the client link matching the lookup (one query), None if none."""
    from clients.models import Client

    return Client.objects.filter(**client_lookup).values_list("studio_id", flat=True).first()


def _studio_of_member(user_id: int | None) -> int | None:
    from accounts.models import StudioMember

    if user_id is None:
        return None
    return StudioMember.objects.filter(user_id=user_id).values_list("studio_id", flat=True).first()


def _tenant_of(user) -> int | None:
    if user.is_trainer:
        return _studio_of_member(user.pk)
    return _studio_of_client(user_id=user.pk) if user.is_client else None


def _user_sql(model: type[Model], connection) -> tuple[str, list[str], list[str], list[str]]:
    """SELECT of one user row (by primary key), its studio membership, its client link, its
    tenant and the tenant's generation."""
    from accounts.models import StudioMember
    from clients.models import Client

    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    member_fields = StudioMember._meta.concrete_fields
    client_fields = Client._meta.concrete_fields
    columns = ", ".join(f"u.{quote(field.column)}" for field in fields)
    member_columns = ", ".join(f"m.{quote(field.column)}" for field in member_fields)
    client_columns = ", ".join(f"c.{quote(field.column)}" for field in client_fields)
    role = f"u.{quote(model._meta.get_field('role').column)}"
    pk = f"u.{quote(model._meta.pk.column)}"
    tenant = f"CASE WHEN {role} = %s THEN m.studio_id WHEN {role} = %s THEN c.studio_id END"
    sql = (
        f"SELECT {columns}, {member_columns}, {client_columns}, {tenant}, g.generation "
        f"FROM {quote(model._meta.db_table)} u "
        f"LEFT JOIN {quote(StudioMember._meta.db_table)} m ON m.user_id = {pk} "
        f"LEFT JOIN {quote(Client._meta.db_table)} c ON c.user_id = {pk} "
        f"LEFT JOIN {quote(TenantGeneration._meta.db_table)} g ON g.tenant_id = {tenant} "
        f"WHERE {pk} = %s"
    )
    return (
        sql,
        [field.attname for field in fields],
        [field.attname for field in member_fields],
        [field.attname for field in client_fields],
    )


_user_sql_by_alias: dict[tuple[type[Model], str], tuple[str, list[str], list[str], list[str]]] = {}


def load_user(model: type[Model], pk, using: str = DEFAULT_DB_ALIAS):
    """The user with primary key `pk`, carrying its tenant (TENANT_ATTR: a trainer's own id,
    a client's trainer, else None) and that tenant's current generation (GENERATION_ATTR:
    None before its first write), in one query; model.DoesNotExist if there is none. A
    trainer's studio membership and a client's client link come with it (cached on the
    user, so `membership_of(user)` and `user.client_link` cost no query).

    Hand-written SQL: it runs on every authenticated request, and building the same query
    with the ORM's subqueries cost more than the whole rest of a cached read."""
    try:
        pk = model._meta.pk.to_python(pk)
    except ValidationError:
        raise model.DoesNotExist from None
    connection = connections[using]
    # A generation read inside a transaction must see every later write of it move on:
    # the next bump of any tenant runs again (see bump).
    connection.__dict__.pop(_BUMPED, None)
    known = _user_sql_by_alias.get((model, using))
    if known is None:
        known = _user_sql_by_alias[(model, using)] = _user_sql(model, connection)
    sql, attnames, member_attnames, client_attnames = known
    roles = [model.Role.TRAINER.value, model.Role.CLIENT.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*roles, *roles, pk])
        row = cursor.fetchone()
    if row is None:
        raise model.DoesNotExist
    user = model.from_db(using, attnames, row[: len(attnames)])
    if user.is_trainer:
        # The membership rides along, so scoping (clients.selectors.client_scope) costs
        # no query of its own on any request.
        from accounts.models import StudioMember

        member_row = row[len(attnames) : len(attnames) + len(member_attnames)]
        member = None
        if member_row[0] is not None:
            member = StudioMember.from_db(using, member_attnames, member_row)
            StudioMember.user.field.set_cached_value(member, user)
        model.membership.related.set_cached_value(user, member)
    elif user.is_client:
        # So does the client link (user.client_link: the permission checks of every
        # client write and the client's own selectors read it).
        from clients.models import Client

        start = len(attnames) + len(member_attnames)
        client_row = row[start : start + len(client_attnames)]
        link = None
        if client_row[0] is not None:
            link = Client.from_db(using, client_attnames, client_row)
            Client.user.field.set_cached_value(link, user)
        model.client_link.related.set_cached_value(user, link)
    setattr(user, TENANT_ATTR, row[-2])
    setattr(user, GENERATION_ATTR, row[-1])
    return user


def tenant_of_user(user) -> tuple[int | None, int]:
    """(tenant, generation) of this user as the database has them now: from the
    authentication's query when it ran one, else one query."""
    if not hasattr(user, TENANT_ATTR):
        user = load_user(type(user), user.pk)
    return getattr(user, TENANT_ATTR), getattr(user, GENERATION_ATTR) or 0


# On a connection: {tenant id: the marker its last bump left in connection.run_on_commit}.
_BUMPED = "_response_cache_bumped"


def _noop() -> None:
    pass


def _bumped_in_this_transaction(connection, tenant_id: int) -> bool:
    """True when an earlier bump of this tenant is still part of the open transaction.

    Each bump inside a transaction leaves a no-op on-commit callback as its marker. Django
    drops a transaction's callbacks when it commits or rolls back, and a savepoint's when
    that savepoint is rolled back, which is exactly when the bump it stands for stops
    counting; so the marker is still listed if and only if the earlier bump will commit
    with whatever this transaction writes next. Only a bump at the same savepoint depth
    counts (a nested block that bumps moves the generation itself)."""
    bumped = connection.__dict__.get(_BUMPED)
    if not bumped:
        return False
    live = {id(func): sids for sids, func, _robust in connection.run_on_commit}
    marker = bumped.get(tenant_id)
    if marker is not None and live.get(id(marker)) == set(connection.savepoint_ids):
        return True
    if not any(id(each) in live for each in bumped.values()):
        bumped.clear()  # markers of transactions that have ended
    return False


def bump(tenant_id: int | None, using: str = DEFAULT_DB_ALIAS) -> None:
    """Move the tenant's generation on, in the current transaction of `using` (the row
    stays locked until it ends, so writers of one tenant queue on it briefly). A tenant's
    first row starts from the clock, never from a number an old row may have used.

    Once per tenant and transaction: a write that saves several of the tenant's rows (a
    workout log and its feed row) moves the generation once, which is all a reader checks;
    a bump rolled back with its savepoint does not count (_bumped_in_this_transaction), and
    a generation read in between (load_user) makes the next write bump again, so a response
    stored in the middle of a transaction can never match its end."""
    if tenant_id is None:
        return
    connection = connections[using]
    in_transaction = connection.in_atomic_block
    if in_transaction and _bumped_in_this_transaction(connection, tenant_id):
        return
    table = connection.ops.quote_name(TenantGeneration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (tenant_id, generation) VALUES (%s, %s) "
            f"ON CONFLICT (tenant_id) DO UPDATE SET generation = {table}.generation + 1",
            [tenant_id, time.time_ns()],
        )
    if in_transaction:
        marker = partial(_noop)
        connection.on_commit(marker)
        connection.__dict__.setdefault(_BUMPED, {})[tenant_id] = marker


def invalidate_tenant(tenant_id: int | None, using: str = DEFAULT_DB_ALIAS) -> None:
    """For writes that bypass save()/delete() (QuerySet.update, raw SQL): call it in the
    same transaction as the write."""
    bump(tenant_id, using)


# --- the view decorator -------------------------------------------------------------------


class _Lookup(NamedTuple):
    key: str
    generation: int
    hit: tuple | None


def _key(request, tenant_id: int, user_id: int, timezone_name: str) -> str:
    local_today = timezone.localdate(timezone=zoneinfo.ZoneInfo(timezone_name))
    what = f"{request.build_absolute_uri()}|{local_today.isoformat()}"
    digest = hashlib.blake2b(what.encode(), digest_size=16).hexdigest()
    return f"rs:{tenant_id}:{user_id}:{digest}"


def _lookup(request) -> _Lookup | None:
    """The entry for this request (one cache get), a hit only if it was stored under the
    generation the database holds now."""
    user = request.user
    if not enabled() or not user.is_authenticated:
        return None
    tenant_id, generation = tenant_of_user(user)
    if tenant_id is None:
        return None
    key = _key(request, tenant_id, user.pk, user.timezone)
    entry = cache.get(key)
    hit = None
    fresh = isinstance(entry, tuple) and len(entry) == 4 and entry[0] == generation
    if fresh and (entry[3] is None or time.time() < entry[3]):
        hit = entry
    return _Lookup(key, generation, hit)


def _grants_end(user) -> float | None:
    """When the first access grant this member reads through ends (epoch seconds), None
    when they read through none that ends."""
    from accounts.models import membership_of
    from clients.models import ClientAccess

    member = membership_of(user)
    if member is None or member.manages_studio:
        return None
    ends = (
        ClientAccess.objects.active()
        .filter(member=member, ends_at__isnull=False)
        .order_by("ends_at")
        .values_list("ends_at", flat=True)
        .first()
    )
    return ends.timestamp() if ends is not None else None


def _store(lookup: _Lookup, request, response) -> None:
    # Stored with the generation read *before* the view read the database: if a write
    # moved it on meanwhile, this entry is already out of date and will never match.
    timeout = settings.RESPONSE_CACHE_SECONDS
    until = _grants_end(request.user)
    if until is not None:
        timeout = min(timeout, max(0, int(until - time.time())))
        if timeout <= 0:
            return
    cache.set(
        lookup.key,
        (lookup.generation, response.content, response["Content-Type"], until),
        timeout,
    )


def cached_response(view_method: Callable) -> Callable:
    """Serve a read-only view method (APIView.get, ViewSet.list) from the cache when the
    caller's tenant has not changed since it was stored."""

    @wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        lookup = _lookup(request)
        if lookup is not None and lookup.hit is not None:
            _, content, content_type, _ = lookup.hit
            return HttpResponse(content, content_type=content_type)
        response = view_method(self, request, *args, **kwargs)
        if lookup is not None and response.status_code == 200:
            response.add_post_render_callback(lambda rendered: _store(lookup, request, rendered))
        return response

    wrapper.response_cache = True
    return wrapper


# --- what invalidates ---------------------------------------------------------------------


def _studio_of_row(instance: Model) -> int | None:
    return instance.studio_id


def _studio_of_client_row(instance: Model) -> int | None:
    field = instance._meta.get_field("client")
    if field.is_cached(instance):
        return instance.client.studio_id
    return _studio_of_client(pk=instance.client_id)


def _studio_of_trainer_row(instance: Model) -> int | None:
    return _studio_of_member(instance.trainer_id)


def _studio_of_user(instance: Model) -> int | None:
    return _tenant_of(instance)


def _studio_itself(instance: Model) -> int | None:
    return instance.pk


# Fields whose change no cached response shows (a login touches these).
_UNSEEN_USER_FIELDS = frozenset({"last_login", "password"})


def _on_user_saved(sender, instance, raw=False, using=DEFAULT_DB_ALIAS, update_fields=None, **kw):
    if raw:
        return
    if update_fields and set(update_fields) <= _UNSEEN_USER_FIELDS:
        return
    bump(_studio_of_user(instance), using)


def _resolver_for(model: type[Model]) -> Callable[[Model], int | None] | None:
    from accounts.models import Studio, User

    if model is User:
        return _studio_of_user
    if model is Studio:
        return _studio_itself
    names = {field.name for field in model._meta.concrete_fields}
    if "studio" in names:
        return _studio_of_row
    if "client" in names:
        return _studio_of_client_row
    if "trainer" in names:
        return _studio_of_trainer_row
    return None


def tenant_models() -> list[type[Model]]:
    """Every model of ours whose rows belong to one tenant (a studio, directly or through a
    client link or a member)."""
    from django.apps import apps

    ours = (
        "accounts",
        "clients",
        "plans",
        "progress",
        "coaching",
        "billing",
        "notifications",
        "dashboard",
    )
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

        # Even with the response cache off: the generations stay true for when it is on.
        def on_change(sender, instance, raw=False, using=DEFAULT_DB_ALIAS, resolve=resolve, **kw):
            if not raw:
                bump(resolve(instance), using)

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
