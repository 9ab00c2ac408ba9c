from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fitbud.api.serializers import StrictSerializer
from integrations.models import ApiKey
from integrations.models.api_keys import SCOPES, ApiKeyStatus


class ApiKeySerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(
        source="display_prefix",
        read_only=True,
        help_text="The key's public beginning (`fbk_` + 12 characters), to recognise it.",
    )
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPES), read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "status",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=ApiKeyStatus.choices))
    def get_status(self, key: ApiKey) -> str:
        return key.status


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(
        read_only=True, help_text="The key itself: shown this once, store it now."
    )

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiKeyCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPES),
        min_length=1,
        max_length=len(SCOPES),
        help_text="`read:<area>` / `write:<area>` (write includes read), see docs/integrations.md.",
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class ApiKeyUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
