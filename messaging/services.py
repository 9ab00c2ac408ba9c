"""Writes for messaging: conversations, messages, read positions, broadcasts.

Sending is idempotent by the app's UUID: the same id with the same content returns the
stored message (200), with other content (or from someone else, or into another
conversation) it is a 409 `id_in_use`. Two identical requests racing insert one row: the
loser's INSERT waits for the winner's commit, fails on the primary key and re-reads it.

Every stored message sends `messaging.signals.message_sent` inside its transaction;
dashboard writes the `message.sent` event (the spine: notifications, webhooks) and wakes
the streams of both sides from it (docs/messaging.md).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, ErrorDetail
from rest_framework.exceptions import ValidationError as DRFValidationError

from accounts.models import User
from clients.models import Client
from fitbud.api.exceptions import ClientInactive, Conflict
from fitbud.background import enqueue
from messaging import selectors
from messaging.models import Broadcast, Conversation, Message
from messaging.signals import message_changed, message_sent
from progress import images, photo_files

logger = logging.getLogger(__name__)

# Broadcast message ids are derived from (broadcast, client): a rerun names the same ids.
BROADCAST_NAMESPACE = uuid.UUID("5b0c3c52-7a4e-4d43-9f0e-6f2f6c1f6a11")


class IdInUse(Conflict):
    default_detail = "This id is already used by another message."
    default_code = "id_in_use"


class NotYourMessage(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "Only the author may change or delete a message."
    default_code = "not_author"


class EditWindowClosed(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "Messages can be changed only within 15 minutes of sending."
    default_code = "edit_window_closed"


class MessageDeleted(Conflict):
    default_detail = "This message was deleted."
    default_code = "message_deleted"


class ConversationClosed(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "This coach no longer has access to you; write to your current coach."
    default_code = "conversation_closed"


def edit_window_seconds() -> int:
    return int(settings.MESSAGE_EDIT_WINDOW_SECONDS)


# Conversations -----------------------------------------------------------------------------


def conversation_for(*, trainer: User, client: Client) -> tuple[Conversation, bool]:
    """The (member, client) conversation, created if needed; (conversation, created).
    Concurrent calls make one (unique pair; get_or_create re-reads the winner's row)."""
    now = timezone.now()
    return Conversation.objects.get_or_create(
        trainer=trainer,
        client=client,
        # "Newest activity": a new conversation sorts as of its creation.
        defaults={"studio_id": client.studio_id, "last_message_at": now, "created_at": now},
    )


def conversation_open(*, user: User, client_id: int | None) -> tuple[Conversation, bool]:
    """POST conversations/: a member names a client in their `messages` scope (else 404);
    a client gets the conversation with their primary coach (`client` omitted or their own
    id)."""
    if user.is_client:
        link = getattr(user, "client_link", None)
        if link is None or (client_id is not None and client_id != link.pk):
            raise Http404
        if not link.is_active:
            raise ClientInactive()
        return conversation_for(trainer=link.trainer, client=link)
    if client_id is None:
        raise DRFValidationError(
            {"client": [ErrorDetail("This field is required.", code="required")]}
        )
    client = selectors.messageable_clients(user=user).filter(pk=client_id).first()
    if client is None:
        raise Http404
    return conversation_for(trainer=user, client=client)


def ensure_may_send(*, user: User, conversation: Conversation) -> None:
    """A deactivated client reads but does not send; a client does not write into the
    conversation of a member who lost access (transferred, grant ended)."""
    if user.is_client:
        if not conversation.client.is_active:
            raise ClientInactive()
        if not selectors.member_may_message(
            member=conversation.trainer, client=conversation.client
        ):
            raise ConversationClosed()


# Messages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    key: str
    content_type: str


def _store_attachment(*, conversation: Conversation, message_id: uuid.UUID, upload: Any) -> str:
    try:
        clean = images.clean_image(upload.read())
    except (images.ImageRefused, images.ImageTooLarge) as exc:
        # The same checks and codes as progress photos, reported at this field.
        detail = exc.detail.get("image", exc.detail) if isinstance(exc.detail, dict) else exc.detail
        raise type(exc)({"attachment": detail}) from None
    storage = photo_files.photo_storage()
    return storage.save(
        f"messages/{conversation.client_id}/{message_id}.{clean.extension}",
        ContentFile(clean.data),
    )


def _delete_files(keys: list[str]) -> None:
    storage = photo_files.photo_storage()
    for key in keys:
        if key:
            try:
                storage.delete(key)
            except Exception:  # a storage hiccup: log, never fail the request
                logger.exception("Could not delete message attachment %s", key)


def _same(
    existing: Message, *, conversation: Conversation, sender: User, body: str, has_file: bool
) -> bool:
    if existing.conversation_id != conversation.pk or existing.sender_id != sender.pk:
        return False
    if existing.deleted_at is not None:
        return True  # a retry of a message deleted since: the stored (deleted) one
    return existing.body == body and bool(existing.attachment_key) == has_file


def _replay(existing: Message, **kwargs: Any) -> Message:
    if not _same(existing, **kwargs):
        raise IdInUse()
    return existing


def _touch(conversation: Conversation, when) -> None:
    Conversation.objects.filter(pk=conversation.pk).filter(
        Q(last_message_at__isnull=True) | Q(last_message_at__lt=when)
    ).update(last_message_at=when, updated_at=timezone.now())


def _insert(message: Message) -> None:
    message.save(force_insert=True)
    _touch(message.conversation, message.created_at)
    message_sent.send(sender=Message, message=message)


def message_send(
    *,
    conversation: Conversation,
    sender: User,
    body: str,
    message_id: uuid.UUID | None = None,
    attachment: Any = None,
) -> tuple[Message, bool]:
    """Store a message and its `message.sent` event in one transaction; (message, created).
    The attachment is checked and stored first (a file stored for a transaction that then
    fails is deleted again); its thumbnail is made by the worker."""
    ensure_may_send(user=sender, conversation=conversation)
    message_id = message_id or uuid.uuid4()
    body = body or ""
    if not body.strip() and attachment is None:
        raise DRFValidationError(
            {"body": [ErrorDetail("A message needs a body or an attachment.", code="blank")]}
        )
    same = {
        "conversation": conversation,
        "sender": sender,
        "body": body,
        "has_file": attachment is not None,
    }
    existing = Message.objects.filter(pk=message_id).first()
    if existing is not None:
        return _replay(existing, **same), False
    key = ""
    if attachment is not None:
        key = _store_attachment(conversation=conversation, message_id=message_id, upload=attachment)
    message = Message(
        id=message_id,
        conversation=conversation,
        sender=sender,
        body=body,
        attachment_key=key,
        created_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            _insert(message)
            if key:
                from messaging.tasks import message_thumbnail_make_task

                enqueue(message_thumbnail_make_task, message_id=str(message.pk))
    except IntegrityError:
        _delete_files([key])
        existing = Message.objects.filter(pk=message_id).first()
        if existing is None:
            raise
        return _replay(existing, **same), False
    except BaseException:
        _delete_files([key])
        raise
    return message, True


def _editable(message: Message, *, user: User) -> None:
    if message.sender_id != user.pk:
        raise NotYourMessage()
    if message.deleted_at is not None:
        raise MessageDeleted()
    if timezone.now() - message.created_at > timedelta(seconds=edit_window_seconds()):
        raise EditWindowClosed(
            f"Messages can be changed only within {edit_window_seconds() // 60} minutes of sending."
        )


@transaction.atomic
def message_edit(*, message: Message, user: User, body: str) -> Message:
    if not body.strip() and not message.attachment_key:
        raise DRFValidationError(
            {"body": [ErrorDetail("A message needs a body or an attachment.", code="blank")]}
        )
    _editable(message, user=user)
    message.body = body
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "edited_at", "updated_at"])
    message_changed.send(sender=Message, message=message, kind="edited")
    return message


@transaction.atomic
def message_delete(*, message: Message, user: User) -> Message:
    """Soft delete: the row stays (emptied, `deleted_at` set) so every device learns of it;
    the attachment's files go after the commit."""
    _editable(message, user=user)
    keys = [message.attachment_key, message.attachment_thumbnail_key]
    message.body = ""
    message.attachment_key = message.attachment_thumbnail_key = ""
    message.deleted_at = timezone.now()
    message.save(
        update_fields=[
            "body",
            "attachment_key",
            "attachment_thumbnail_key",
            "deleted_at",
            "updated_at",
        ]
    )
    message_changed.send(sender=Message, message=message, kind="deleted")
    transaction.on_commit(lambda: _delete_files(keys))
    return message


def message_thumbnail_make(*, message_id: str) -> bool:
    """Idempotent: a message with a thumbnail, without attachment, or gone is skipped."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None or not message.attachment_key or message.attachment_thumbnail_key:
        return False
    storage = photo_files.photo_storage()
    with storage.open(message.attachment_key, "rb") as handle:
        data = handle.read()
    key = storage.save(
        f"messages/{message.conversation.client_id}/{message.pk}-thumb.jpg",
        ContentFile(images.thumbnail(data)),
    )
    stored = Message.objects.filter(
        pk=message.pk, attachment_thumbnail_key="", deleted_at__isnull=True
    ).update(attachment_thumbnail_key=key)
    if not stored:
        _delete_files([key])
    return bool(stored)


# Read positions ----------------------------------------------------------------------------


@transaction.atomic
def conversation_read(*, conversation: Conversation, user: User, message: Message) -> Conversation:
    """Move the user's read position up to `message` (never back: a late, older read from
    another device changes nothing). Row-locked, so two devices cannot move it backwards."""
    side = selectors.side_of(user=user, conversation=conversation)
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    field = f"{side}_last_read"
    current_id = getattr(locked, f"{field}_id")
    current = Message.objects.filter(pk=current_id).first() if current_id else None
    if current is None or (message.created_at, str(message.pk)) > (
        current.created_at,
        str(current.pk),
    ):
        setattr(locked, field, message)
        locked.save(update_fields=[field, "updated_at"])
    return locked


# Broadcasts --------------------------------------------------------------------------------


@transaction.atomic
def broadcast_create(
    *, sender: User, body: str, client_ids: list[int] | None, all_active: bool
) -> Broadcast:
    """Record the broadcast with its recipients fixed now (all_active: the active clients in
    the sender's messages scope), then hand it to the worker after the commit."""
    scope = selectors.messageable_clients(user=sender)
    if all_active:
        recipients = list(scope.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    else:
        wanted = sorted(set(client_ids or []))
        recipients = list(scope.filter(pk__in=wanted).order_by("pk").values_list("pk", flat=True))
        missing = [pk for pk in wanted if pk not in set(recipients)]
        if missing:
            raise DRFValidationError(
                {
                    "clients": [
                        ErrorDetail(
                            f"Not clients you can message: {', '.join(map(str, missing))}.",
                            code="does_not_exist",
                        )
                    ]
                }
            )
    if not recipients:
        raise DRFValidationError(
            {"clients": [ErrorDetail("The broadcast has no recipients.", code="empty")]}
        )
    broadcast = Broadcast.objects.create(
        studio_id=sender.membership.studio_id,
        sender=sender,
        body=body,
        all_active=all_active,
        client_ids=recipients,
    )
    from messaging.tasks import broadcast_send_task

    enqueue(broadcast_send_task, broadcast_id=broadcast.pk)
    return broadcast


def broadcast_message_id(broadcast: Broadcast, client_id: int) -> uuid.UUID:
    return uuid.uuid5(BROADCAST_NAMESPACE, f"{broadcast.pk}:{client_id}")


def broadcast_send(*, broadcast_id: int) -> int:
    """Deliver a broadcast: one Message per recipient in their own conversation, each in its
    own transaction with its event. Idempotent: a recipient who has it (unique (broadcast,
    conversation), deterministic ids) is skipped, so a rerun after a crash delivers the rest
    and never twice. Recipients who left the sender's scope since are skipped. Returns how
    many messages this run stored."""
    broadcast = Broadcast.objects.filter(pk=broadcast_id).select_related("sender").first()
    if broadcast is None or broadcast.completed_at is not None:
        return 0
    sender = broadcast.sender
    clients = {
        c.pk: c
        for c in selectors.messageable_clients(user=sender)
        .filter(pk__in=broadcast.client_ids)
        .select_related("trainer")
    }
    done = set(
        Message.objects.filter(broadcast=broadcast).values_list(
            "conversation__client_id", flat=True
        )
    )
    stored = 0
    for client_id in broadcast.client_ids:
        client = clients.get(client_id)
        if client is None or client_id in done:
            continue
        conversation, _ = conversation_for(trainer=sender, client=client)
        message = Message(
            id=broadcast_message_id(broadcast, client_id),
            conversation=conversation,
            sender=sender,
            body=broadcast.body,
            broadcast=broadcast,
            created_at=timezone.now(),
        )
        try:
            with transaction.atomic():
                _insert(message)
        except IntegrityError:
            continue  # a concurrent run delivered this one
        stored += 1
    Broadcast.objects.filter(pk=broadcast.pk, completed_at__isnull=True).update(
        completed_at=timezone.now()
    )
    return stored


def thumbnails_sweep(*, older_than_seconds: int = 300) -> int:
    """Re-enqueue thumbnails of attachments that have none a while after they were sent (the
    broker was down at commit, every retry failed): the task is idempotent."""
    from messaging.tasks import message_thumbnail_make_task

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Message.objects.filter(
            attachment_thumbnail_key="", deleted_at__isnull=True, created_at__lt=cutoff
        )
        .exclude(attachment_key="")
        .values_list("pk", flat=True)[:500]
    )
    for message_id in ids:
        enqueue(message_thumbnail_make_task, message_id=str(message_id))
    return len(ids)


def broadcasts_sweep(*, older_than_seconds: int = 120) -> int:
    """Re-enqueue broadcasts not completed a while after they were recorded (the broker was
    down at commit, the worker died): the task is idempotent."""
    from messaging.tasks import broadcast_send_task

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Broadcast.objects.filter(completed_at__isnull=True, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:500]
    )
    for broadcast_id in ids:
        enqueue(broadcast_send_task, broadcast_id=broadcast_id)
    return len(ids)
