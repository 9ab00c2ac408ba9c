from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dashboard.feed import object_type
from dashboard.models import ActivityEvent


class FeedClientSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The Client id (as in clients/<id>/).")
    full_name = serializers.CharField(source="user.full_name")


class FeedObjectSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=[
            "workout_log",
            "meal_log",
            "check_in",
            "client",
            "assignment",
            "payment",
            "habit_check",
            "form_response",
            "photo",
            "body_stat",
        ],
        help_text="What the event points at.",
    )
    id = serializers.CharField(help_text="Its id: a UUID for logs and check-ins, else a number.")


class FeedEventSerializer(serializers.ModelSerializer):
    client = FeedClientSerializer(read_only=True)
    object = serializers.SerializerMethodField()

    class Meta:
        model = ActivityEvent
        fields = ["id", "client", "kind", "summary", "created_at", "object"]
        read_only_fields = fields

    @extend_schema_field(FeedObjectSerializer)
    def get_object(self, event: ActivityEvent) -> dict:
        return {"type": object_type(event.content_type), "id": event.object_id}


class StreamTicketSerializer(serializers.Serializer):
    ticket = serializers.CharField(help_text="Pass as `feed/stream/?ticket=`.")
    expires_at = serializers.DateTimeField(help_text="Open the stream before this time.")


class FeedStreamEventSerializer(serializers.Serializer):
    """One Server-Sent Event of feed/stream/ (the OpenAPI 3.0 way: the schema of an event)."""

    event = serializers.RegexField(
        r"^(message|reset)$",
        help_text="`message` (no `event:` line): a feed event; `reset`: reload feed/.",
    )
    data = serializers.CharField(
        help_text="`message`: the event's JSON, as in feed/ results; `reset`: `{}`."
    )
    id = serializers.RegexField(
        r"^[0-9]+$", required=False, help_text="The highest event id sent so far."
    )
    retry = serializers.IntegerField(required=False, help_text="Reconnection delay in ms.")
