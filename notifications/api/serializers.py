from rest_framework import serializers

from fitbud.api.filters import MAX_ID
from fitbud.api.serializers import StrictSerializer
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "read_at", "created_at"]
        read_only_fields = fields


class NotificationReadSerializer(StrictSerializer):
    """Either `ids` (your notifications to mark read) or `all: true`."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        min_length=1,
        max_length=100,
        help_text="Ids of your notifications to mark read (others' or unknown ids are ignored).",
    )
    all = serializers.BooleanField(
        required=False, help_text="true: mark every unread notification of yours read."
    )

    def validate(self, attrs):
        if ("ids" in attrs) == bool(attrs.get("all")):
            raise serializers.ValidationError(
                "Send either `ids` or `all: true`.", code="ids_or_all"
            )
        return attrs


class NotificationReadResultSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(
        help_text="How many notifications this call marked read."
    )
    unread = serializers.IntegerField(help_text="Your unread notifications after the call.")


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
