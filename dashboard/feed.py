"""The trainer's activity feed: writing events, reading them, and hearing about new ones.

Events are written by `dashboard.receivers` inside the transaction of what they report.
On PostgreSQL every event also sends `NOTIFY fitbud_feed, '<studio id>:<event id>'` in
that same transaction, so listeners hear of it only once it has committed (and never if it
rolls back). `FeedListener` holds one LISTEN connection per event loop (per ASGI worker)
and fans notifications out to the open streams of each studio; each stream then reads
what its member may see (event_scope).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.db.models import Exists, Model, Q, QuerySet

from accounts.models import StudioMember, User, membership_of
from clients.models import AccessDomain, Client
from clients.selectors import granted_client_ids
from dashboard.models import ActivityEvent

logger = logging.getLogger(__name__)

FEED_CHANNEL = "fitbud_feed"
# Put in every stream's queue when LISTEN is back after a lost connection.
RECONNECTED = 0

# The `object.type` the API shows for each model an event can point at.
OBJECT_TYPES = {
    "progress.workoutlog": "workout_log",
    "progress.meallog": "meal_log",
    "progress.checkin": "check_in",
    "clients.client": "client",
    "plans.planassignment": "assignment",
    "billing.payment": "payment",
    "coaching.habitcheck": "habit_check",
    "coaching.formresponse": "form_response",
    "progress.progressphoto": "photo",
    "progress.bodystat": "body_stat",
}


def object_type(content_type: ContentType) -> str:
    return OBJECT_TYPES.get(f"{content_type.app_label}.{content_type.model}", content_type.model)


# Writing -----------------------------------------------------------------------------------


# The access domain each kind of event reveals (clients.AccessDomain); kinds not listed are
# business events (payments, accepted invites) for managers and the primary coach only.
KIND_DOMAINS = {
    ActivityEvent.Kind.WORKOUT_LOGGED: AccessDomain.WORKOUTS,
    ActivityEvent.Kind.WORKOUT_UPDATED: AccessDomain.WORKOUTS,
    ActivityEvent.Kind.MEAL_LOGGED: AccessDomain.NUTRITION,
    ActivityEvent.Kind.MEAL_UPDATED: AccessDomain.NUTRITION,
    ActivityEvent.Kind.CHECKIN_SUBMITTED: AccessDomain.CHECKINS,
    ActivityEvent.Kind.CHECKIN_UPDATED: AccessDomain.CHECKINS,
    ActivityEvent.Kind.CHECKIN_REVIEWED: AccessDomain.CHECKINS,
    ActivityEvent.Kind.HABIT_COMPLETED: AccessDomain.CHECKINS,
    ActivityEvent.Kind.FORM_SUBMITTED: AccessDomain.CHECKINS,
    ActivityEvent.Kind.FORM_REVIEWED: AccessDomain.CHECKINS,
}


def event_domain(kind: str, obj: Model) -> str:
    if kind == ActivityEvent.Kind.PLAN_ASSIGNED:
        workout = getattr(obj, "kind", "workout") == "workout"
        return AccessDomain.WORKOUTS if workout else AccessDomain.NUTRITION
    return KIND_DOMAINS.get(kind, "")


def event_record(*, client: Client, kind: str, summary: str, obj: Model) -> ActivityEvent:
    """Write one feed row for `obj` (call inside the transaction of the change it reports)."""
    summary = summary if len(summary) <= 255 else summary[:254] + "…"
    event = ActivityEvent.objects.create(
        studio_id=client.studio_id,
        domain=event_domain(kind, obj),
        trainer_id=client.trainer_id,
        client=client,
        kind=kind,
        summary=summary,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
    )
    if connection.vendor == "postgresql":
        # NOTIFY is transactional: delivered at commit, dropped on rollback.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_notify(%s, %s)", [FEED_CHANNEL, f"{client.studio_id}:{event.pk}"]
            )
    return event


def notify_users(user_ids: Iterable[int], what: str) -> None:
    """Wake the `stream/` of these users when the current transaction commits (PostgreSQL
    NOTIFY is transactional; elsewhere streams poll). `what` names the row, e.g. `e42`."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for user_id in user_ids:
            cursor.execute("SELECT pg_notify(%s, %s)", [FEED_CHANNEL, f"u{user_id}:{what}"])


MESSAGE_CHANGES = {
    None: (ActivityEvent.Kind.MESSAGE_SENT, "sent {to} a message"),
    "edited": (ActivityEvent.Kind.MESSAGE_EDITED, "edited a message to {to}"),
    "deleted": (ActivityEvent.Kind.MESSAGE_DELETED, "deleted a message to {to}"),
}


def message_event_record(*, message: Model, change: str | None = None) -> ActivityEvent:
    """The `message.sent` event of a stored message, or its `message.edited` /
    `message.deleted` event (`change`), in its transaction. `trainer` is the conversation's
    member (who may not be the primary coach); only the two sides' streams are woken, never
    the studio's feed streams (the feed leaves messages out)."""
    conversation = message.conversation
    client = conversation.client
    kind, verb = MESSAGE_CHANGES[change]
    if message.sender_id == conversation.trainer_id:
        author, to = conversation.trainer.full_name, client.user.full_name
    else:
        author, to = client.user.full_name, conversation.trainer.full_name
    summary = f"{author} " + verb.format(to=to)
    event = ActivityEvent.objects.create(
        studio_id=conversation.studio_id,
        domain=AccessDomain.MESSAGES,
        trainer_id=conversation.trainer_id,
        client=client,
        kind=kind,
        summary=summary[:255],
        content_type=ContentType.objects.get_for_model(message),
        object_id=str(message.pk),
    )
    notify_users([conversation.trainer_id, client.user_id], f"e{event.pk}")
    return event


def events_forget(*, obj: Model) -> int:
    """Drop the events of a deleted entry, so the feed never links to something gone."""
    deleted, _ = ActivityEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).delete()
    return deleted


# Reading -----------------------------------------------------------------------------------


def event_scope(member: StudioMember | None) -> Q:
    """The events a member reads: every event of the studio for its owners and admins;
    otherwise the events of the clients they are primary coach of, plus, per domain, the
    events of clients a grant in force shows them in that domain (the same rule as
    clients.selectors.client_scope, applied to each event's domain)."""
    if member is None:
        return Q(pk__in=[])
    in_studio = Q(studio_id=member.studio_id)
    if member.manages_studio:
        return in_studio
    visible = Q(client_id__in=Client.objects.filter(trainer_id=member.user_id).values("pk"))
    for domain in AccessDomain.values:
        visible |= Q(domain=domain, client_id__in=granted_client_ids(member=member, domain=domain))
    return in_studio & visible


def _member(user_id: int) -> StudioMember | None:
    return StudioMember.objects.filter(user_id=user_id).first()


# Messages travel as their own frames on `stream/` (dashboard/user_stream.py), never in the
# feed, which is what clients log.
MESSAGE_KINDS = tuple(kind for kind, _ in MESSAGE_CHANGES.values())
NOT_IN_FEED = Q(kind__in=MESSAGE_KINDS)


def feed_list(*, user) -> QuerySet[ActivityEvent]:
    """A member's events, newest first (a solo trainer's are served by the
    dashboard_feed_idx index)."""
    return (
        ActivityEvent.objects.filter(event_scope(membership_of(user)))
        .exclude(NOT_IN_FEED)
        .select_related("client__user", "content_type")
        .order_by("-created_at", "-id")
    )


def _member_feed(user_id: int) -> QuerySet[ActivityEvent]:
    return (
        ActivityEvent.objects.filter(event_scope(_member(user_id)))
        .exclude(NOT_IN_FEED)
        .select_related("client__user", "content_type")
        .order_by("-created_at", "-id")
    )


def feed_newest_id(*, user_id: int) -> int:
    newest = _member_feed(user_id).values_list("id", flat=True).first()
    return newest or 0


def feed_after(
    *,
    user_id: int,
    after: int,
    exclude: Iterable[int] = (),
    limit: int = 100,
    password_hash: str | None = None,
) -> QuerySet[ActivityEvent]:
    """A member's events with an id above `after`, minus `exclude`, in id order.

    The live stream's catch-up: `after` is the id below which it has everything, `exclude`
    the ids above it it already sent (ids are handed out at insert, so a lower one can
    commit after a higher one; see docs/feed.md). The membership is read again on every
    call, so a role change or a grant that ends applies to the next catch-up. With
    `password_hash`, rows come only while the user is active, still a trainer and has that
    password hash, checked in the same snapshot as the rows: nothing is read for a stream
    once its user is revoked.
    """
    rows = _member_feed(user_id).filter(id__gt=after)
    if password_hash is not None:
        rows = rows.filter(
            Exists(
                User.objects.filter(
                    pk=user_id, is_active=True, role=User.Role.TRAINER, password=password_hash
                )
            )
        )
    exclude = list(exclude)
    if exclude:
        rows = rows.exclude(id__in=exclude)
    return rows.order_by("id")[:limit]


def feed_studio_of(*, user_id: int) -> int | None:
    member = _member(user_id)
    return member.studio_id if member is not None else None


# Listening (PostgreSQL) --------------------------------------------------------------------


def _conninfo() -> str:
    from psycopg.conninfo import make_conninfo

    settings_dict = connections["default"].settings_dict
    params: dict[str, Any] = {"dbname": settings_dict["NAME"]}
    for key, name in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host")):
        if settings_dict.get(key):
            params[name] = settings_dict[key]
    if settings_dict.get("PORT"):
        params["port"] = str(settings_dict["PORT"])
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "options"):
        if key in settings_dict.get("OPTIONS", {}):
            params[key] = settings_dict["OPTIONS"][key]
    return make_conninfo(**params)


class FeedListener:
    """One LISTEN connection shared by the open streams of an event loop.

    It starts with the first subscriber and stops with the last, so an idle worker holds
    no extra database connection. A notification only wakes a stream up: the stream then
    reads what is new from the database by event id. Notifications committed while the
    connection is down are lost, so every time LISTEN is in place again (after a database
    restart, a terminated backend, a network cut) each stream gets RECONNECTED and catches
    up from the database: nothing committed meanwhile is skipped.
    """

    def __init__(self) -> None:
        # Keys: a studio id (feed events) or ("user", id) (messages, notifications).
        self._queues: dict[Any, set[asyncio.Queue[int]]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self.connects = 0  # how many times LISTEN was put in place (tests, logs)

    @staticmethod
    def _keys(studio_id: int | None, users: Iterable[int]) -> list[Any]:
        keys: list[Any] = [("user", user_id) for user_id in users]
        if studio_id is not None or not keys:
            keys.append(studio_id)
        return keys

    async def subscribe(
        self, studio_id: int | None, *, timeout: float = 5.0, users: Iterable[int] = ()
    ) -> asyncio.Queue[int]:
        """A queue woken by the studio's feed events and by `users`' own rows."""
        queue: asyncio.Queue[int] = asyncio.Queue()
        for key in self._keys(studio_id, users):
            self._queues[key].add(queue)
        if self._task is None or self._task.done():
            self._listening.clear()
            self._task = asyncio.ensure_future(self._run())
        # Wait until LISTEN is in place, so nothing committed after this is missed.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), timeout)
        return queue

    async def unsubscribe(
        self, studio_id: int | None, queue: asyncio.Queue[int], *, users: Iterable[int] = ()
    ) -> None:
        for key in self._keys(studio_id, users):
            self._queues[key].discard(queue)
            if not self._queues[key]:
                del self._queues[key]
        if not self._queues and self._task is not None:
            task, self._task = self._task, None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        import psycopg

        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(_conninfo(), autocommit=True)
                try:
                    await conn.execute(f"LISTEN {FEED_CHANNEL}")
                    self.connects += 1
                    self._listening.set()
                    self._wake_all()
                    async for notify in conn.notifies():
                        self._dispatch(notify.payload)
                finally:
                    self._listening.clear()
                    await conn.close()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Feed listener lost its connection; reconnecting")
                await asyncio.sleep(1)

    def _wake_all(self) -> None:
        # Whatever was committed while we were not listening: every stream catches up.
        for queue in {queue for queues in self._queues.values() for queue in queues}:
            queue.put_nowait(RECONNECTED)

    def _dispatch(self, payload: str) -> None:
        # "<studio id>:<event id>" (feed) or "u<user id>:<e|n><row id>" (stream/).
        head, _, row = payload.partition(":")
        try:
            if head.startswith("u"):
                key: Any = ("user", int(head[1:]))
                row_id = int(row[1:]) if row[:1] in ("e", "n") else int(row)
            else:
                key, row_id = int(head), int(row)
        except ValueError:
            return
        for queue in self._queues.get(key, ()):
            queue.put_nowait(row_id)


_listeners: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FeedListener] = (
    weakref.WeakKeyDictionary()
)


def feed_listener() -> FeedListener | None:
    """The running loop's listener on PostgreSQL; None elsewhere (streams poll instead)."""
    if connections["default"].vendor != "postgresql":
        return None
    loop = asyncio.get_running_loop()
    listener = _listeners.get(loop)
    if listener is None:
        listener = _listeners[loop] = FeedListener()
    return listener
