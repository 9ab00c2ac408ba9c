"""The pull: what changed for a user since `last_pulled_at`, written out table by table.

docs/sync.md explains the rules; the short version:
- created: rows made after `since` (everything when `since` is None), and every row of a
  client the user just gained access to; updated: older rows changed after `since`.
- deleted: tombstones after `since`, soft-deleted rows, and the rows of clients the user
  lost access to since then (computed here from the access trail, never stored per row).
- the timestamp handed back is the server's clock minus a margin and minus the age of the
  oldest transaction still in flight, so that a row committed later with an earlier
  `updated_at` is still "after" it next time (rows near the edge are sent twice).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from accounts.models import membership_of
from clients.models import Client, ClientAccess, ClientAccessChange, ClientStatusChange
from clients.selectors import client_scope
from exercises.models import Exercise
from plans.models import LibraryScope
from sync.models import SyncTombstone
from sync.tables import TABLES, Table

CHUNK_SIZE = 500


def margin() -> timedelta:
    return timedelta(milliseconds=getattr(settings, "SYNC_CLOCK_MARGIN_MS", 1000))


def retention() -> timedelta:
    return timedelta(days=getattr(settings, "SYNC_TOMBSTONE_RETENTION_DAYS", 30))


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _in_flight_age() -> timedelta:
    """How long the oldest other transaction on this database has been open (PostgreSQL):
    any row it writes carries an `updated_at` no earlier than its start. Capped by
    SYNC_INFLIGHT_MAX_SECONDS: a session left idle in a transaction for longer is treated
    as abandoned, not allowed to hold every pull back forever (the bound is documented)."""
    if connection.vendor != "postgresql":
        return timedelta(0)  # SQLite has one writer at a time, and short transactions
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXTRACT(EPOCH FROM clock_timestamp() - min(xact_start)) "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
            "AND backend_type = 'client backend'"
        )
        age = cursor.fetchone()[0]
    cap = getattr(settings, "SYNC_INFLIGHT_MAX_SECONDS", 60)
    return timedelta(seconds=min(max(float(age or 0), 0.0), cap))


def pull_timestamp() -> datetime:
    """The instant the next pull continues from. Read before any synced row is, so every
    row with an earlier `updated_at` has committed by the time the rows are read."""
    return timezone.now() - margin() - _in_flight_age()


class ResetRequired(Exception):
    """The device's last pull is older than what the server still remembers (tombstones
    are purged after the retention), or the member changed studios since: it must start
    over."""


@dataclass
class PullPlan:
    user: object
    since: datetime | None
    timestamp: datetime
    # Trainers: clients whose visibility may have changed since `since` (their rows are
    # re-sent if visible, else sent as deleted). Clients: whether their coach changed.
    affected: list[int] = field(default_factory=list)
    affected_set: set[int] = field(default_factory=set)
    coach_changed: bool = False
    # Nothing the user's devices hold changed since `since` (a client's fast path).
    unchanged: bool = False


def _affected_clients(user, since: datetime) -> list[int]:
    member = membership_of(user)
    if member is None:
        return []
    studio = member.studio_id
    ids: set[int] = set(
        ClientStatusChange.objects.filter(
            client__studio_id=studio, changed_at__gt=since
        ).values_list("client_id", flat=True)
    )
    if not member.manages_studio:
        # Grants given, changed or revoked, and transfers, to or from this member; grants
        # that ended on the clock leave no row, so their end is read from the grant.
        ids |= set(
            ClientAccessChange.objects.filter(created_at__gt=since)
            .filter(Q(member=user) | Q(previous_member=user))
            .values_list("client_id", flat=True)
        )
        ids |= set(
            ClientAccess.objects.filter(
                member=member, ends_at__gt=since, ends_at__lte=timezone.now()
            ).values_list("client_id", flat=True)
        )
    return sorted(ids)


def pull_plan(*, user, since: datetime | None) -> PullPlan:
    """Everything decided before the rows are read (raises ResetRequired)."""
    timestamp = pull_timestamp()
    plan = PullPlan(user=user, since=since, timestamp=timestamp)
    if since is None:
        return plan
    if since < timezone.now() - retention():
        raise ResetRequired("older_than_retention")
    if getattr(user, "is_trainer", False):
        member = membership_of(user)
        joined = member.joined_at if member is not None else None
        if joined is not None and timezone.is_naive(joined):
            # The authentication's raw query reads it naive on SQLite (stored as UTC).
            joined = timezone.make_aware(joined, UTC)
        if joined is not None and joined > since:
            # Removed from a studio (the account moves to an empty one of its own) or
            # joined another: everything the device holds belongs to another tenant.
            raise ResetRequired("studio_changed")
        plan.affected = _affected_clients(user, since)
    elif getattr(user, "is_client", False):
        link = getattr(user, "client_link", None)
        if link is not None and not client_changed_since(client=link, since=since):
            plan.unchanged = True
            return plan
        plan.coach_changed = ClientAccessChange.objects.filter(
            client__user=user,
            action=ClientAccessChange.Action.TRANSFERRED,
            created_at__gt=since,
        ).exists()
    return plan


# A client's empty pull, answered from one statement ---------------------------------------


def _client_changes_sql(connection) -> tuple[str, list[str]]:
    """One SELECT telling whether anything a client's pull could send changed after `since`,
    and the order of its parameters ("client", "studio", "since"). Built from TABLES, so a new
    table is covered, and a superset of what the pull sends: every row the pull reads for a
    client is the client's own (by `client_path`) or in their studio's or the global
    exercise library, and is sent only when one of its `changed_columns` is after `since`;
    tombstones and a change of coach (the access trail) are checked the same way."""
    quote = connection.ops.quote_name
    checks: list[str] = []
    params: list[str] = []

    def changed(alias: str, columns) -> str:
        params.extend(["since"] * len(columns))
        return "(" + " OR ".join(f"{alias}.{quote(column)} > %s" for column in columns) + ")"

    for table in TABLES.values():
        meta = table.model._meta
        name = quote(meta.db_table)
        if table.client_path is None:  # the exercise library
            params.append("studio")
            where = f"(t.{quote('studio_id')} IS NULL OR t.{quote('studio_id')} = %s)"
            checks.append(
                f"EXISTS (SELECT 1 FROM {name} t WHERE {where} AND "
                + changed("t", table.changed_columns)
                + ")"
            )
        elif "__" not in table.client_path:
            params.append("client")
            column = quote(meta.get_field(table.client_path.removesuffix("_id")).column)
            checks.append(
                f"EXISTS (SELECT 1 FROM {name} t WHERE t.{column} = %s AND "
                + changed("t", table.changed_columns)
                + ")"
            )
        else:  # one hop: messages -> their conversation's client
            hop, rest = table.client_path.split("__", 1)
            link = meta.get_field(hop)
            parent = link.related_model._meta
            parent_column = quote(parent.get_field(rest.removesuffix("_id")).column)
            params.append("client")
            checks.append(
                f"EXISTS (SELECT 1 FROM {name} t JOIN {quote(parent.db_table)} p "
                f"ON p.{quote(parent.pk.column)} = t.{quote(link.column)} "
                f"WHERE p.{parent_column} = %s AND " + changed("t", table.changed_columns) + ")"
            )
    stones = quote(SyncTombstone._meta.db_table)
    library = ", ".join(f"'{t.name}'" for t in TABLES.values() if t.client_path is None)
    checks.append(f"EXISTS (SELECT 1 FROM {stones} s WHERE s.client_id = %s AND s.deleted_at > %s)")
    params += ["client", "since"]
    checks.append(
        f"EXISTS (SELECT 1 FROM {stones} s WHERE s.{quote('table')} IN ({library}) "
        "AND (s.studio_id IS NULL OR s.studio_id = %s) AND s.deleted_at > %s)"
    )
    params += ["studio", "since"]
    # A change of coach (or any access change of the client): the full pull decides.
    trail = ClientAccessChange._meta
    checks.append(
        f"EXISTS (SELECT 1 FROM {quote(trail.db_table)} a "
        f"WHERE a.{quote(trail.get_field('client').column)} = %s "
        f"AND a.{quote(trail.get_field('created_at').column)} > %s)"
    )
    params += ["client", "since"]
    sql = "SELECT CASE WHEN " + " OR ".join(checks) + " THEN 1 ELSE 0 END"
    return sql, params


_client_changes_by_vendor: dict[str, tuple[str, list[str]]] = {}


def client_changed_since(*, client: Client, since: datetime) -> bool:
    """False when nothing a pull of this client's would send changed after `since`: the
    common pull of an app that syncs every few minutes, answered by one indexed statement
    instead of a query per table (docs/sync.md)."""
    known = _client_changes_by_vendor.get(connection.vendor)
    if known is None:
        known = _client_changes_by_vendor[connection.vendor] = _client_changes_sql(connection)
    sql, order = known
    values = {
        "client": client.pk,
        "studio": client.studio_id,
        "since": connection.ops.adapt_datetimefield_value(since),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[name] for name in order])
        return bool(cursor.fetchone()[0])


def empty_pull_json(plan: PullPlan) -> str:
    tables = ",".join(
        json.dumps(name) + ':{"created":[],"updated":[],"deleted":[]}' for name in TABLES
    )
    return '{"changes":{' + tables + '},"timestamp":' + str(to_ms(plan.timestamp)) + "}"


# Per table -------------------------------------------------------------------------------


def _visible(table: Table, plan: PullPlan) -> QuerySet:
    rows = table.queryset(plan.user)
    if getattr(plan.user, "is_trainer", False) and table.client_path is not None:
        # A deactivated client's rows leave the coaches' devices (the REST lists still show
        # them; the app syncs the clients being coached). The client keeps their own.
        rows = rows.filter(**{table.client_path.replace("_id", "__is_active"): True})
    return rows


def _client_in(table: Table, ids: list[int]) -> Q:
    return Q(**{f"{table.client_path}__in": ids})


def _tombstone_scope(user) -> Q:
    """Whose tombstones reach this user's devices (ids only, never content): one filter for
    every table, grouped by access domain (tables of one domain share a condition)."""
    library = Q(table__in=[t.name for t in TABLES.values() if t.client_path is None])
    if getattr(user, "is_client", False):
        own = Client.objects.filter(user=user)
        return (~library & Q(client_id__in=own.values("pk"))) | (
            library & (Q(studio_id__isnull=True) | Q(studio_id__in=own.values("studio_id")))
        )
    member = membership_of(user)
    if member is None:
        return Q(pk__in=[])
    scope = library & (Q(studio_id__isnull=True) | Q(studio_id=member.studio_id))
    # A client deleted altogether took its rows with it: every member of the studio may
    # hold them, so their tombstones go to every member of the studio (ids only).
    gone = ~Exists(Client.objects.filter(pk=OuterRef("client_id")))
    domains: dict[str | None, list[str]] = {}
    for table in TABLES.values():
        if table.client_path is not None:
            domains.setdefault(table.domain, []).append(table.name)
    for domain, names in domains.items():
        visible_clients = Client.objects.filter(
            client_scope(user, domain=domain, prefix=""), is_active=True
        )
        scope |= Q(table__in=names) & Q(client_id__in=visible_clients.values("pk"))
    return scope | (~library & Q(studio_id=member.studio_id) & gone)


def _tombstones(plan: PullPlan) -> dict[str, list[str]]:
    """Every table's tombstones since the last pull, in one query."""
    found: dict[str, list[str]] = {name: [] for name in TABLES}
    if plan.since is None:
        return found
    stones = SyncTombstone.objects.filter(
        _tombstone_scope(plan.user), deleted_at__gt=plan.since
    ).order_by()
    for name, object_id in stones.values_list("table", "object_id"):
        found[name].append(object_id)
    return found


def _lost_ids(table: Table, plan: PullPlan, visible: QuerySet) -> list[str]:
    """Rows the user saw before and may no longer see (only when the access trail says
    something changed since the last pull; one query then)."""
    if plan.affected and table.client_path is not None:
        lost = (
            table.model.objects.filter(_client_in(table, plan.affected))
            .exclude(pk__in=visible.values("pk"))
            .order_by()
        )
        only = ("pk", "habit", "date") if table.name == "habit_checks" else ("pk",)
        return [table.sync_id(row) for row in lost.only(*only)]
    if plan.coach_changed and table.model is Exercise:
        # The old coach's personal exercises are no longer the client's to see.
        lost = (
            Exercise.objects.filter(
                owner__isnull=False,
                scope=LibraryScope.PERSONAL,
                studio_id__in=Client.objects.filter(user=plan.user).values("studio_id"),
            )
            .exclude(pk__in=visible.values("pk"))
            .order_by()
        )
        return [str(pk) for pk in lost.values_list("pk", flat=True)]
    return []


def _candidates(table: Table, plan: PullPlan, visible: QuerySet) -> QuerySet:
    """The rows to send (created, updated, or soft-deleted), in one query per table."""
    if plan.since is None:
        if table.deleted_field is not None:
            visible = visible.filter(**{f"{table.deleted_field}__isnull": True})
        return visible
    changed = Q(**{f"{table.changed}__gt": plan.since})
    if plan.affected and table.client_path is not None:
        changed |= _client_in(table, plan.affected)
    if plan.coach_changed and table.model is Exercise:
        changed |= Q(owner__isnull=False)  # the new coach's personal exercises
    return visible.filter(changed)


def _is_regained(table: Table, plan: PullPlan, row) -> bool:
    """A row the device cannot have yet although it did not change: it is sent as created."""
    if plan.affected and table.client_path is not None:
        client_id = row.client_id if table.client_path == "client_id" else row.sync_client_id
        return client_id in plan.affected_set
    if plan.coach_changed and table.model is Exercise:
        return row.owner_id is not None
    return False


def _chunks(rows: QuerySet) -> Iterator:
    """The rows, CHUNK_SIZE at a time by primary key (keyset pages: no server-side cursor,
    and prefetches run once per chunk)."""
    last = None
    while True:
        page = rows if last is None else rows.filter(pk__gt=last)
        batch = list(page[:CHUNK_SIZE])
        yield from batch
        if len(batch) < CHUNK_SIZE:
            return
        last = batch[-1].pk


# Writing the response --------------------------------------------------------------------


def _table_json(
    table: Table, plan: PullPlan, context: dict, encoder: JSONEncoder, stones: list[str]
) -> Iterator[str]:
    visible = _visible(table, plan)
    rows = _candidates(table, plan, visible)
    if table.client_path not in (None, "client_id"):
        rows = rows.annotate(sync_client_id=F(table.client_path))
    serializer = table.serializer(context=context)
    since = plan.since
    sent: set[str] = set()
    # Updated rows wait until the created ones are written; only incremental pulls have
    # any (a first pull sends everything as created, streamed as it is read).
    updated: list[str] = []
    deleted: list[str] = []
    yield json.dumps(table.name) + ':{"created":['
    first = True
    for row in _chunks(rows):
        sync_id = table.sync_id(row)
        if table.deleted_field is not None and getattr(row, table.deleted_field) is not None:
            deleted.append(sync_id)
            continue
        data = serializer.to_representation(row)
        data["id"] = sync_id
        if since is None or row.created_at > since or _is_regained(table, plan, row):
            yield ("" if first else ",") + encoder.encode(data)
            first = False
        else:
            updated.append(encoder.encode(data))
        if since is not None:
            sent.add(sync_id)
    yield '],"updated":[' + ",".join(updated) + '],"deleted":'
    if since is not None:
        deleted += stones
        deleted += _lost_ids(table, plan, visible)
    # Each id once, and never one the response sends as a row (a row re-created with the
    # id of a deleted one: WatermelonDB refuses an id in two lists).
    unique = [i for i in dict.fromkeys(deleted) if i not in sent]
    yield json.dumps(unique) + "}"


def coalesce(pieces: Iterator[str], size: int = 64 * 1024) -> Iterator[bytes]:
    """Pieces joined into writes of about `size` bytes: one socket write per row would cost
    more than the row."""
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()


def pull_json(plan: PullPlan, *, context: dict) -> Iterator[str]:
    """The pull response as JSON text, produced a chunk of rows at a time (a first pull is
    never in memory as a whole), inside one transaction so every table is read from the
    same snapshot on PostgreSQL (REPEATABLE READ, read only)."""
    if plan.unchanged:
        yield empty_pull_json(plan)
        return
    encoder = JSONEncoder()
    plan.affected_set = set(plan.affected)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # Only when this is the outermost transaction (the test suite wraps each test
            # in its own): it must be the transaction's first statement.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        stones = _tombstones(plan)
        yield '{"changes":{'
        for index, table in enumerate(TABLES.values()):
            if index:
                yield ","
            yield from _table_json(table, plan, context, encoder, stones[table.name])
        yield '},"timestamp":' + str(to_ms(plan.timestamp)) + "}"
