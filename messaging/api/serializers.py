from __future__ import annotations

from datetime import datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fitbud.api.filters import MAX_ID
from fitbud.api.serializers import StrictSerializer
from messaging.models import Broadcast, Conversation, Message
from progress import photo_files
from progress.api.serializers import EntryIdField

BODY_MAX = 4000


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The user's id.")
    full_name = serializers.CharField()


class AttachmentSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Signed URL of the photo (expires).")
    thumbnail_url = serializers.URLField(
        allow_null=True, help_text="Signed URL of the thumbnail; null until the worker made it."
    )
    expires_at = serializers.DateTimeField(help_text="When the URLs stop working.")


class MessageSerializer(serializers.ModelSerializer):
    sender = PersonSerializer(read_only=True)
    attachment = serializers.SerializerMethodField(
        help_text="The photo, or null. Deleted messages have none."
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "conversation",
            "sender",
            "body",
            "attachment",
            "broadcast",
            "created_at",
            "edited_at",
            "deleted_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(allow_null=True))
    def get_attachment(self, message: Message) -> dict | None:
        if not message.attachment_key:
            return None
        request = self.context.get("request")
        url, expires_at = photo_files.signed_url(message.attachment_key, request=request)
        thumb = None
        if message.attachment_thumbnail_key:
            thumb, _ = photo_files.signed_url(message.attachment_thumbnail_key, request=request)
        return {"url": url, "thumbnail_url": thumb, "expires_at": _iso(expires_at)}


def last_messages_data(messages: dict, *, request) -> dict:
    """{message id: the message as MessageSerializer shows it} for ConversationSerializer."""
    rows = list(messages.values())
    data = MessageSerializer(rows, many=True, context={"request": request}).data
    return {message.pk: item for message, item in zip(rows, data, strict=True)}


def _iso(value: datetime) -> str:
    return serializers.DateTimeField().to_representation(value)


class ConversationSerializer(serializers.ModelSerializer):
    client = serializers.SerializerMethodField()
    trainer = PersonSerializer(read_only=True, help_text="The studio member's side.")
    last_message = serializers.SerializerMethodField(
        help_text="The newest message (deleted ones included, emptied), or null."
    )
    unread_count = serializers.IntegerField(
        read_only=True, help_text="Messages of the other side after your read position."
    )
    trainer_last_read = serializers.UUIDField(
        source="trainer_last_read_id",
        read_only=True,
        allow_null=True,
        help_text="The member's read position (a message id), for 'seen' marks.",
    )
    client_last_read = serializers.UUIDField(
        source="client_last_read_id",
        read_only=True,
        allow_null=True,
        help_text="The client's read position (a message id).",
    )

    class Meta:
        model = Conversation
        fields = [
            "id",
            "client",
            "trainer",
            "last_message",
            "unread_count",
            "trainer_last_read",
            "client_last_read",
            "last_message_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "full_name": {"type": "string"}},
            "required": ["id", "full_name"],
        }
    )
    def get_client(self, conversation: Conversation) -> dict:
        return {"id": conversation.client_id, "full_name": conversation.client.user.full_name}

    @extend_schema_field(MessageSerializer(allow_null=True))
    def get_last_message(self, conversation: Conversation) -> dict | None:
        # Serialized for the whole page at once (last_messages_data): a serializer per row
        # would cost more than the queries.
        return self.context.get("last_messages", {}).get(
            getattr(conversation, "last_message_id", None)
        )


class ConversationOpenSerializer(StrictSerializer):
    client = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text=(
            "Members: the client (in your `messages` scope). Clients: omit it (or send your "
            "own client id) to get the conversation with your primary coach."
        ),
    )


class MessageCreateSerializer(StrictSerializer):
    id = EntryIdField(
        required=False,
        help_text="Client-generated UUID; resending it with the same content returns the stored "
        "message (200), with other content it is a 409.",
    )
    body = serializers.CharField(
        max_length=BODY_MAX,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Up to 4,000 characters; may be empty when there is an attachment.",
    )
    attachment = serializers.FileField(
        required=False,
        allow_empty_file=False,
        max_length=255,
        help_text="Multipart only: a photo (JPEG, PNG, WebP; checked by decoding, at most 15 MB "
        "and 40 megapixels; EXIF stripped), as for progress photos.",
    )


class MessageEditSerializer(StrictSerializer):
    body = serializers.CharField(max_length=BODY_MAX, allow_blank=True, trim_whitespace=False)


class ReadSerializer(StrictSerializer):
    message = EntryIdField(help_text="The newest message you have read (of this conversation).")


class BroadcastCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=BODY_MAX, trim_whitespace=False)
    clients = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        min_length=1,
        max_length=1000,
        help_text="The recipients (clients in your messages scope).",
    )
    all_active = serializers.BooleanField(
        required=False, help_text="true: every active client in your messages scope."
    )

    def validate_body(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("The body may not be blank.", code="blank")
        return value

    def validate(self, attrs):
        if ("clients" in attrs) == bool(attrs.get("all_active")):
            raise serializers.ValidationError(
                "Send either `clients` or `all_active: true`.", code="clients_or_all_active"
            )
        return attrs


class BroadcastSerializer(serializers.ModelSerializer):
    recipient_count = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(
        help_text="`sending` until the worker delivered it to every recipient, then `sent`."
    )

    class Meta:
        model = Broadcast
        fields = [
            "id",
            "body",
            "all_active",
            "client_ids",
            "recipient_count",
            "status",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields

    def get_recipient_count(self, broadcast: Broadcast) -> int:
        return len(broadcast.client_ids)

    def get_status(self, broadcast: Broadcast) -> str:
        return "sent" if broadcast.completed_at else "sending"
