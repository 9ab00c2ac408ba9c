"""Reads for messaging, always scoped to the caller (a conversation they are not in: 404).

Who is in a conversation: its member (`trainer`) while the client is in that member's
`messages` scope (clients.selectors.client_scope: primary coach, owners/admins, a grant
with `messages`), and its client. Members see only their own conversations: a manager does
not read a coach's conversation (docs/messaging.md).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User
from clients.models import AccessDomain, Client
from clients.selectors import client_scope
from messaging.models import Conversation, Message

Side = Literal["trainer", "client"]


def side_of(*, user: User, conversation: Conversation) -> Side:
    return "trainer" if conversation.trainer_id == user.pk else "client"


def _visible(user: User) -> Q:
    if user.is_client:
        return Q(client__user=user)
    return Q(trainer=user) & client_scope(user, domain=AccessDomain.MESSAGES)


def visible_conversations(*, user: User) -> QuerySet[Conversation]:
    """The conversations the user is in: a client's own; a member's with the clients they
    may message (their `messages` scope)."""
    return Conversation.objects.filter(_visible(user))


def unread_filter(side: Side, *, prefix: str = "") -> Q:
    """Messages of the other side after `side`'s read position (deleted ones excluded):
    `prefix` is the path from Message to nothing ("") — the conversation is always
    `conversation__`."""
    last = f"conversation__{side}_last_read"
    other = Q(conversation__trainer_id=F("sender_id"))
    if side == "trainer":
        other = ~other
    after = (
        Q(**{f"{last}__isnull": True})
        | Q(created_at__gt=F(f"{last}__created_at"))
        | Q(created_at=F(f"{last}__created_at"), id__gt=F(f"{last}_id"))
    )
    return other & after & Q(deleted_at__isnull=True)


# Before any message: the read position of a side that has read nothing.
NEVER = datetime(2000, 1, 1, tzinfo=UTC)
NO_MESSAGE = uuid.UUID(int=0)


def _read_position(side: Side) -> dict:
    """The outer row's read position as two plain columns (the subquery correlates on
    them instead of joining the conversation and its read message again: planning that
    join cost more than running the query)."""
    last = f"{side}_last_read"
    return {
        "read_at": Coalesce(F(f"{last}__created_at"), Value(NEVER)),
        "read_id": Coalesce(F(f"{last}_id"), Value(NO_MESSAGE, output_field=UUIDField())),
    }


def _unread_count(side: Side) -> Subquery:
    other = Q(sender_id=OuterRef("trainer_id"))
    if side == "trainer":
        other = ~other
    after = Q(created_at__gt=OuterRef("read_at")) | Q(
        created_at=OuterRef("read_at"), id__gt=OuterRef("read_id")
    )
    rows = (
        Message.objects.filter(other, after, deleted_at__isnull=True, conversation=OuterRef("pk"))
        .order_by()
        .values("conversation")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _last_message_id() -> Subquery:
    return Subquery(
        Message.objects.filter(conversation=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )


def conversation_list(*, user: User) -> QuerySet[Conversation]:
    """The user's conversations, newest activity first, each with `unread_count` and
    `last_message_id` (the view loads those messages in one more query)."""
    side: Side = "client" if user.is_client else "trainer"
    return (
        visible_conversations(user=user)
        .select_related("client__user", "trainer")
        .annotate(**_read_position(side))
        .annotate(unread_count=_unread_count(side), last_message_id=_last_message_id())
        .order_by("-last_message_at", "-id")
    )


def conversation_get(*, user: User, conversation_id: object) -> Conversation:
    try:
        return conversation_list(user=user).get(pk=int(str(conversation_id)))
    except (Conversation.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


def conversation_find(*, user: User, conversation_id: object) -> Conversation:
    """As conversation_get, without the list's counts (for the message endpoints)."""
    try:
        return (
            visible_conversations(user=user)
            .select_related("client__user", "trainer")
            .get(pk=int(str(conversation_id)))
        )
    except (Conversation.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


def messages_by_id(ids: list) -> dict:
    rows = Message.objects.filter(pk__in=[i for i in ids if i]).select_related("sender")
    return {message.pk: message for message in rows}


def message_list(*, conversation: Conversation) -> QuerySet[Message]:
    """Newest first (messaging_msgs_idx); deleted messages stay, emptied, so every device
    learns of the deletion."""
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("sender")
        .order_by("-created_at", "-id")
    )


def message_get(*, conversation: Conversation, message_id: object) -> Message:
    try:
        return message_list(conversation=conversation).get(pk=uuid.UUID(str(message_id)))
    except (Message.DoesNotExist, ValueError):
        raise Http404 from None


def unread_messages_of(*, user: User) -> QuerySet[Message]:
    """The unread messages over all the user's conversations (home screens count them)."""
    if user.is_client:
        return Message.objects.filter(unread_filter("client"), conversation__client__user=user)
    return Message.objects.filter(
        unread_filter("trainer"),
        conversation__in=visible_conversations(user=user).values("pk"),
    )


def unread_messages(*, user: User) -> int:
    return unread_messages_of(user=user).count()


def member_may_message(*, member: User, client: Client) -> bool:
    """Whether `member` may (still) converse with `client`."""
    return Client.objects.filter(
        client_scope(member, domain=AccessDomain.MESSAGES, prefix=""), pk=client.pk
    ).exists()


def messageable_clients(*, user: User) -> QuerySet[Client]:
    return Client.objects.filter(client_scope(user, domain=AccessDomain.MESSAGES, prefix=""))


def within_edit_window(message: Message, *, now: datetime, seconds: int) -> bool:
    return (now - message.created_at).total_seconds() <= seconds
