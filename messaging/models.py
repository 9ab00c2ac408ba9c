"""Conversations between a studio member and a client, and their messages (docs/messaging.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Conversation(models.Model):
    """One per (member, client) pair: a client's primary coach, or a member the client's
    access grant lets message them. Created when first needed."""

    studio = models.ForeignKey(
        "accounts.Studio", on_delete=models.CASCADE, related_name="conversations"
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="conversations"
    )
    # The studio member's side of the conversation.
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    # Each side's read position: the newest message it has read (None: nothing read).
    trainer_last_read = models.ForeignKey(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_last_read = models.ForeignKey(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Of the newest message (the list's order: newest activity first).
    last_message_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "client"], name="messaging_one_conversation_per_pair"
            ),
        ]
        indexes = [
            models.Index(
                fields=["trainer", "-last_message_at", "-id"], name="messaging_trainer_idx"
            ),
            models.Index(fields=["client", "-last_message_at", "-id"], name="messaging_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.trainer.email} and {self.client.user.email}"


class Broadcast(models.Model):
    """One message a trainer sends to many clients: each recipient gets a Message in their
    own conversation (sent by the worker, once per recipient)."""

    studio = models.ForeignKey("accounts.Studio", on_delete=models.CASCADE, related_name="+")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="broadcasts"
    )
    body = models.TextField(max_length=4000)
    all_active = models.BooleanField(default=False)
    client_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Broadcast by {self.sender.email} on {self.created_at:%Y-%m-%d %H:%M}"


class Message(models.Model):
    """A message; its id is chosen by the sending app (a retry returns the stored one)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_sent"
    )
    body = models.TextField(max_length=4000, blank=True)
    # An optional photo, in storages["photos"] (same rules as progress photos): storage keys.
    attachment_key = models.CharField(max_length=255, blank=True)
    attachment_thumbnail_key = models.CharField(max_length=255, blank=True)
    broadcast = models.ForeignKey(
        Broadcast, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A broadcast reaches each conversation once, whatever the retries.
            models.UniqueConstraint(
                fields=["broadcast", "conversation"],
                condition=models.Q(broadcast__isnull=False),
                name="messaging_broadcast_once_per_conversation",
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "-created_at", "-id"], name="messaging_msgs_idx"),
            # The thumbnail sweep: attachments still without a thumbnail (few rows).
            models.Index(
                fields=["created_at"],
                condition=models.Q(attachment_thumbnail_key="", deleted_at__isnull=True)
                & ~models.Q(attachment_key=""),
                name="messaging_thumb_todo_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender.email} on {self.created_at:%Y-%m-%d %H:%M}"
