"""Tombstones: every synced row that is deleted leaves its id for the devices holding it."""

from __future__ import annotations

from django.db.models.signals import post_delete

from clients.models import Client
from messaging.models import Conversation, Message
from sync.models import SyncTombstone
from sync.tables import TABLE_OF_MODEL


def _owner(instance) -> tuple[int | None, int | None]:
    """(client id, studio id) of a deleted row. Reads the cached relation when there is one
    and one small query otherwise (a cascade from a deleted client runs it per row: rare)."""
    if isinstance(instance, Message):
        conversation = (
            instance.conversation
            if Message.conversation.is_cached(instance)
            else Conversation.objects.filter(pk=instance.conversation_id)
            .only("client_id", "studio_id")
            .first()
        )
        if conversation is None:
            return None, None
        return conversation.client_id, conversation.studio_id
    if isinstance(instance, Conversation):
        return instance.client_id, instance.studio_id
    client_id = getattr(instance, "client_id", None)
    if client_id is None:  # an exercise: the studio's, or the global library's (None)
        return None, getattr(instance, "studio_id", None)
    field = type(instance)._meta.get_field("client")
    if field.is_cached(instance):
        return client_id, instance.client.studio_id
    studio_id = Client.objects.filter(pk=client_id).values_list("studio_id", flat=True).first()
    return client_id, studio_id


def on_synced_row_deleted(sender, instance, using, **kwargs) -> None:
    table = TABLE_OF_MODEL[sender]
    client_id, studio_id = _owner(instance)
    SyncTombstone.objects.using(using).create(
        table=table.name,
        object_id=table.sync_id(instance),
        client_id=client_id,
        studio_id=studio_id,
    )


def connect() -> None:
    for model in TABLE_OF_MODEL:
        post_delete.connect(
            on_synced_row_deleted,
            sender=model,
            dispatch_uid=f"sync.tombstone.{model._meta.label}",
        )
