"""What `stream/` sends each user: reads for the per-user live stream (docs/messaging.md).

Two sequences, each resumable by id:
- events (`dashboard.ActivityEvent` ids): for members, their feed (as feed/, without
  messages) plus the message events (`message.sent`, `.edited`, `.deleted`) of their own
  conversations with clients still in their `messages` scope; for clients, the message
  events of their conversations;
- notifications (`notifications.Notification` ids): the user's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, Q, QuerySet

from accounts.models import User
from clients.models import AccessDomain, Client
from clients.selectors import client_scope
from dashboard.feed import MESSAGE_KINDS, NOT_IN_FEED, event_scope
from dashboard.models import ActivityEvent
from messaging.models import Message
from notifications.models import Notification


def _user(user_id: int) -> User | None:
    return User.objects.select_related("membership").filter(pk=user_id).first()


def _scope(user: User) -> Q:
    if user.is_client:
        return Q(kind__in=MESSAGE_KINDS, client__in=Client.objects.filter(user=user).values("pk"))
    member = getattr(user, "membership", None)
    messageable = Client.objects.filter(client_scope(user, domain=AccessDomain.MESSAGES, prefix=""))
    return (event_scope(member) & ~NOT_IN_FEED) | Q(
        kind__in=MESSAGE_KINDS, trainer_id=user.pk, client__in=messageable.values("pk")
    )


def _alive(user_id: int, password_hash: str | None) -> Q:
    # Rows only while the user is active with the password the stream opened with, read in
    # the same snapshot as the rows (as dashboard.feed.feed_after).
    if password_hash is None:
        return Q()
    return Q(Exists(User.objects.filter(pk=user_id, is_active=True, password=password_hash)))


def events_after(
    *,
    user_id: int,
    after: int,
    exclude: Iterable[int] = (),
    limit: int = 100,
    password_hash: str | None = None,
) -> list[ActivityEvent]:
    user = _user(user_id)
    if user is None:
        return []
    rows = (
        ActivityEvent.objects.filter(_scope(user), _alive(user_id, password_hash), id__gt=after)
        .select_related("client__user", "content_type")
        .order_by("id")
    )
    exclude = list(exclude)
    if exclude:
        rows = rows.exclude(id__in=exclude)
    return list(rows[:limit])


def events_newest_id(*, user_id: int) -> int:
    user = _user(user_id)
    if user is None:
        return 0
    return (
        ActivityEvent.objects.filter(_scope(user))
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0
    )


def notifications_after(
    *,
    user_id: int,
    after: int,
    exclude: Iterable[int] = (),
    limit: int = 100,
    password_hash: str | None = None,
) -> QuerySet[Notification]:
    rows = Notification.objects.filter(
        _alive(user_id, password_hash), user_id=user_id, id__gt=after
    )
    exclude = list(exclude)
    if exclude:
        rows = rows.exclude(id__in=exclude)
    return rows.order_by("id")[:limit]


def notifications_newest_id(*, user_id: int) -> int:
    return (
        Notification.objects.filter(user_id=user_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0
    )


def messages_of(events: list[ActivityEvent]) -> dict[str, Message]:
    """The messages the message events point at, in one query (by their id string)."""
    ids = []
    for event in events:
        if event.kind in MESSAGE_KINDS:
            try:
                ids.append(uuid.UUID(event.object_id))
            except ValueError:
                continue
    if not ids:
        return {}
    rows = Message.objects.filter(pk__in=ids).select_related("sender")
    return {str(message.pk): message for message in rows}


def frame_items(events: list[ActivityEvent], *, feed_data, message_data) -> list[dict[str, Any]]:
    """Each event as {id, event: "feed"|"message", data}: a message event (sent, edited,
    deleted) carries the message as it is now (the app replaces its copy by id); one whose
    message is gone (its client deleted meanwhile) is skipped but still counted as sent."""
    messages = messages_of(events)
    items = []
    for event in events:
        if event.kind in MESSAGE_KINDS:
            message = messages.get(event.object_id)
            data = message_data(message) if message is not None else None
            items.append({"id": event.pk, "event": "message", "data": data})
        else:
            items.append({"id": event.pk, "event": "feed", "data": feed_data(event)})
    return items
