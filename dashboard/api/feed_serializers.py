from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dashboard.feed import object_type
from dashboard.models import ActivityEvent


class FeedClientSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The Client id (as in clients/<id>/).")
    full_name = serializers.CharField(source="user.full_name")


class FeedObjectSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["workout_log", "meal_log", "check_in", "client", "assignment", "payment"],
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
