"""`api-keys/`: a studio member's own API keys (signed in with a JWT: keys cannot manage
keys, integrations.scopes)."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from fitbud.api.filters import UpdatedSinceFilter
from fitbud.api.permissions import IsTrainer
from fitbud.api.schema import error_response
from integrations import keys
from integrations.api import key_serializers as serializers
from integrations.models import ApiKey

CREATED_EXAMPLE = {
    "id": 7,
    "name": "Zapier",
    "prefix": "fbk_3f9a0c12d4e5",
    "scopes": ["read:clients", "write:progress"],
    "status": "active",
    "created_at": "2026-12-01T09:30:00.000000Z",
    "last_used_at": None,
    "expires_at": None,
    "revoked_at": None,
    "key": "fbk_3f9a0c12d4e5_q0Jc4hVtG1s2mXWb8n3zK6pLr9yUe5aTf7dHi2oQwRk",
}

KEYS_REFUSED = (
    "Managed with a signed-in member's JWT only: an API key here answers 403 `api_key_forbidden`."
)


@extend_schema_view(
    list=extend_schema(
        summary="List your API keys",
        description="Your own keys, live and revoked, newest first. " + KEYS_REFUSED,
    ),
    retrieve=extend_schema(summary="Get one of your API keys"),
    destroy=extend_schema(
        summary="Revoke an API key",
        description=(
            "Refused from this moment on, by every server process (401 `api_key_revoked`). "
            "The key stays listed, with `revoked_at`. Revoking again changes nothing."
        ),
        responses={204: None},
    ),
)
class ApiKeyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = ApiKey.objects.none()  # the model for the schema; get_queryset scopes rows
    serializer_class = serializers.ApiKeySerializer
    permission_classes = [IsTrainer]
    filter_backends = [UpdatedSinceFilter]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return keys.api_key_list(owner=self.request.user)

    @extend_schema(
        summary="Create an API key",
        description=(
            "A key that acts as you, limited to `scopes` (docs/integrations.md lists which "
            "endpoints each scope opens). The answer carries the key itself in `key` this "
            "once; only its digest is stored. " + KEYS_REFUSED
        ),
        request=serializers.ApiKeyCreateSerializer,
        responses={
            201: serializers.ApiKeyCreatedSerializer,
            409: error_response(
                "A live key of yours has this name, or you have the most live keys allowed.",
                keys.ApiKeyError.NAME_TAKEN,
                keys.ApiKeyError.TOO_MANY,
            ),
        },
        examples=[
            OpenApiExample(
                "A key for Zapier",
                value={"name": "Zapier", "scopes": ["read:clients", "write:progress"]},
                request_only=True,
            ),
            OpenApiExample(
                "Created", value=CREATED_EXAMPLE, response_only=True, status_codes=["201"]
            ),
        ],
    )
    def create(self, request, *args, **kwargs):
        serializer = serializers.ApiKeyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key, raw_key = keys.api_key_create(owner=request.user, **serializer.validated_data)
        key.key = raw_key
        return Response(
            serializers.ApiKeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Rename an API key",
        request=serializers.ApiKeyUpdateSerializer,
        responses={
            200: serializers.ApiKeySerializer,
            409: error_response("A live key of yours has this name.", keys.ApiKeyError.NAME_TAKEN),
        },
    )
    def partial_update(self, request, *args, **kwargs):
        key = self.get_object()
        serializer = serializers.ApiKeyUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = keys.api_key_rename(key=key, **serializer.validated_data)
        return Response(self.get_serializer(key).data)

    def perform_destroy(self, instance) -> None:
        keys.api_key_revoke(key=instance)
