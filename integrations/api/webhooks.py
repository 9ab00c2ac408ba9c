"""`webhooks/` endpoints: a studio's outgoing webhooks (docs/integrations.md "Webhooks").

Endpoints belong to the studio: its owners and admins manage them (they see every event of
the studio, which is what an endpoint receives); coaches and specialists get 403
`studio_role_forbidden`, clients 403, another studio's endpoint or delivery 404.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import membership_of
from fitbud.api.exceptions import StudioRoleForbidden
from fitbud.api.filters import UpdatedSinceFilter
from fitbud.api.pagination import CursorPagination
from fitbud.api.permissions import IsTrainer
from fitbud.api.schema import error_response
from fitbud.api.serializers import StrictModelSerializer
from integrations.api.webhook_schema import WebhookMessage
from integrations.webhooks import payloads, selectors, services, transport
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint

TAG = "webhooks"
EVENT_CHOICES = sorted(payloads.EVENT_TYPES)
INACTIVE = error_response(
    "The endpoint is turned off (by you or after persistent failure).",
    services.WebhookError.ENDPOINT_INACTIVE,
)

URL_TAKEN = error_response(
    "Your studio has an endpoint with this URL already.", services.WebhookError.URL_TAKEN
)


class StudioManagers(BasePermission):
    def has_permission(self, request, view) -> bool:
        member = membership_of(request.user)
        if member is None or not member.manages_studio:
            raise StudioRoleForbidden()
        return True


PERMISSIONS = [IsTrainer, StudioManagers]


# Serializers -------------------------------------------------------------------------------


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES))

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "events",
            "description",
            "include_health",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "previous_secret_expires_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (`whsec_…`). Shown only now: store it."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointInputSerializer(StrictModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        min_length=1,
        max_length=len(EVENT_CHOICES),
        help_text="Event types to receive (see `webhooks/events/`).",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "events", "description", "include_health", "is_active"]
        extra_kwargs = {
            "url": {"help_text": "https URL; no private, loopback or link-local address."},
            "include_health": {
                "help_text": "Send health details (measurements, scores, answers, notes)."
            },
            "is_active": {"help_text": "false pauses deliveries; true turns it back on."},
        }

    def validate_url(self, value: str) -> str:
        try:
            transport.check_url(value)
        except transport.TargetRefused as exc:
            raise serializers.ValidationError(str(exc), code="webhook_url_refused") from None
        return value

    def validate_events(self, value: list[str]) -> list[str]:
        return sorted(set(value))


class WebhookSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The new signing secret. Shown only now.")
    previous_secret_expires_at = serializers.DateTimeField(
        help_text="Until then the previous secret signs too (a second signature)."
    )


@extend_schema_field(WebhookMessage)
class WebhookPayloadField(serializers.JSONField):
    pass


class WebhookDeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(
        source="message_id", help_text="The `webhook-id` header of every attempt."
    )
    payload = WebhookPayloadField(help_text="The body sent (the same on every attempt).")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "event_type",
            "event_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "latency_ms",
            "response_status",
            "response_body",
            "last_error",
            "delivered_at",
            "created_at",
            "payload",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "response_body": {"help_text": "The receiver's answer, first 2,048 bytes."},
            "latency_ms": {"help_text": "Until the receiver's answer (last attempt)."},
        }


class WebhookEventTypeSerializer(serializers.Serializer):
    type = serializers.CharField()
    description = serializers.CharField()
    object_type = serializers.CharField()
    health_summary = serializers.BooleanField(
        help_text="The summary is sent only to endpoints with `include_health`."
    )


# Views -------------------------------------------------------------------------------------


def _member(request: Request):
    return membership_of(request.user)


def _endpoint(request: Request, pk: int) -> WebhookEndpoint:
    return get_object_or_404(selectors.endpoint_list(member=_member(request)), pk=pk)


CREATE_EXAMPLE = OpenApiExample(
    "Subscribe",
    request_only=True,
    value={
        "url": "https://hooks.example.com/fitbud",
        "events": ["workout.logged", "payment.received"],
        "description": "Our spreadsheet",
    },
)


class WebhookEndpointListView(generics.ListCreateAPIView):
    permission_classes = PERMISSIONS
    serializer_class = WebhookEndpointSerializer
    filter_backends = [UpdatedSinceFilter]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        return selectors.endpoint_list(member=_member(self.request))

    @extend_schema(
        tags=[TAG],
        summary="List your studio's webhook endpoints",
        description="Owners and admins. Secrets are never listed.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary="Subscribe a URL to events",
        description=(
            "Owners and admins. Answers the signing `secret` once. Every delivery is a POST "
            "of a `WebhookMessage` (JSON) signed per Standard Webhooks: `webhook-id` (stable "
            "per endpoint and event: deduplicate on it), `webhook-timestamp` (Unix seconds of "
            "the attempt), `webhook-signature` (`v1,<base64 HMAC-SHA256>` of "
            "`{webhook-id}.{webhook-timestamp}.{body}` keyed with the base64-decoded secret "
            "after `whsec_`; two space-separated signatures during a rotation's overlap). "
            "2xx is success; retries for ~27 h (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, "
            "10 h, 10 h); redirects are not followed. Health details only with "
            "`include_health`."
        ),
        request=WebhookEndpointInputSerializer,
        responses={201: WebhookEndpointCreatedSerializer, 409: URL_TAKEN},
        examples=[CREATE_EXAMPLE],
    )
    def post(self, request, *args, **kwargs):
        serializer = WebhookEndpointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = services.endpoint_create(member=_member(request), **serializer.validated_data)
        body = WebhookEndpointCreatedSerializer(endpoint).data
        return Response(body, status=status.HTTP_201_CREATED)


class WebhookEndpointDetailView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        tags=[TAG], summary="A webhook endpoint", responses={200: WebhookEndpointSerializer}
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(WebhookEndpointSerializer(_endpoint(request, pk)).data)

    @extend_schema(
        tags=[TAG],
        summary="Change a webhook endpoint",
        description="`is_active: true` turns a disabled endpoint back on.",
        request=WebhookEndpointInputSerializer(partial=True),
        responses={200: WebhookEndpointSerializer, 409: URL_TAKEN},
    )
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = _endpoint(request, pk)
        serializer = WebhookEndpointInputSerializer(endpoint, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(endpoint=endpoint, **serializer.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        tags=[TAG], summary="Delete a webhook endpoint (and its log)", responses={204: None}
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.endpoint_delete(endpoint=_endpoint(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateSecretView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        tags=[TAG],
        summary="Rotate the signing secret",
        description=(
            "A new secret signs from now on; for 24 hours the previous one signs as well "
            "(two signatures in `webhook-signature`), so receivers can switch without "
            "missing a delivery."
        ),
        request=None,
        responses={200: WebhookSecretSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        endpoint = _endpoint(request, pk)
        secret = services.endpoint_rotate_secret(endpoint=endpoint)
        endpoint.refresh_from_db()
        body = {
            "secret": secret,
            "previous_secret_expires_at": endpoint.previous_secret_expires_at,
        }
        return Response(WebhookSecretSerializer(body).data)


class WebhookPingView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        tags=[TAG],
        summary="Send a test delivery",
        description=(
            "A `webhook.ping` message, signed like every delivery, one attempt (no retries); "
            "its outcome is in the answer when it was quick, else in the delivery log."
        ),
        request=None,
        responses={202: WebhookDeliverySerializer, 409: INACTIVE},
    )
    def post(self, request: Request, pk: int) -> Response:
        delivery = services.ping_create(endpoint=_endpoint(request, pk))
        delivery.refresh_from_db()
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryListView(generics.ListAPIView):
    permission_classes = PERMISSIONS
    serializer_class = WebhookDeliverySerializer
    pagination_class = CursorPagination
    filter_backends = [UpdatedSinceFilter]
    # The log's rows: "changed since" is "made since" (a row's attempts are in its fields).
    updated_since_field = "created_at"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        endpoint = _endpoint(self.request, self.kwargs["pk"])
        return selectors.delivery_list(endpoint=endpoint)

    @extend_schema(
        tags=[TAG],
        summary="The delivery log of an endpoint",
        description=(
            "Newest first: each message with its status (`pending` while retries remain, "
            "`succeeded`, `failed`), attempts, the last attempt's latency, answer code and "
            "first 2,048 bytes of the answer, and when the next attempt is due."
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class WebhookRedeliverView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        tags=[TAG],
        summary="Send a delivery again",
        description=(
            "The same message (same `webhook-id` and body, a new timestamp and signature) "
            "with a fresh retry schedule. 409 while it is still pending."
        ),
        request=None,
        responses={
            202: WebhookDeliverySerializer,
            409: error_response(
                "The endpoint is off, or the delivery is still pending.",
                services.WebhookError.ENDPOINT_INACTIVE,
                services.WebhookError.DELIVERY_PENDING,
            ),
        },
    )
    def post(self, request: Request, pk: int, delivery_pk: int) -> Response:
        endpoint = _endpoint(request, pk)
        delivery = get_object_or_404(selectors.delivery_list(endpoint=endpoint), pk=delivery_pk)
        delivery = services.delivery_redeliver(delivery=delivery)
        delivery.refresh_from_db()
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookEventTypesView(APIView):
    permission_classes = PERMISSIONS
    pagination_class = None

    @extend_schema(
        tags=[TAG],
        summary="The event types you can subscribe to",
        description=(
            "Each type's message is documented as a component (`WorkoutLoggedWebhook`, "
            "…, all under `WebhookMessage`)."
        ),
        responses={200: WebhookEventTypeSerializer(many=True)},
        parameters=[],
    )
    def get(self, request: Request) -> Response:
        rows = [
            {
                "type": kind,
                "description": spec.description,
                "object_type": spec.object_type,
                "health_summary": spec.health_summary,
            }
            for kind, spec in sorted(payloads.EVENT_TYPES.items())
        ]
        return Response(WebhookEventTypeSerializer(rows, many=True).data)
