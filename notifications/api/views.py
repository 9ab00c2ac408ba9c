from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from fitbud.api.filters import FilterBackend, UpdatedSinceFilter
from fitbud.api.permissions import IsTrainerOrClient
from notifications import selectors, services
from notifications.api.filters import NotificationFilter
from notifications.api.serializers import (
    DeviceRegisterSerializer,
    DeviceSerializer,
    NotificationReadResultSerializer,
    NotificationReadSerializer,
    NotificationSerializer,
    PreferenceSerializer,
    PreferenceUpdateSerializer,
    UnreadCountSerializer,
    WebPushKeySerializer,
    preference_data,
)
from notifications.models import Device


class NotificationListView(generics.ListAPIView):
    """Your in-app notifications, newest first (page-numbered)."""

    permission_classes = [IsTrainerOrClient]
    serializer_class = NotificationSerializer
    filter_backends = [FilterBackend, UpdatedSinceFilter]
    filterset_class = NotificationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Notification.objects.none()
        return selectors.notification_list(user=self.request.user)

    @extend_schema(
        summary="List your notifications",
        description="Only your own, newest first. `?unread=true` narrows to unread ones.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationReadView(APIView):
    permission_classes = [IsTrainerOrClient]

    @extend_schema(
        summary="Mark notifications read",
        description=(
            "`{ids: [...]}` marks those of your notifications read; `{all: true}` every "
            "unread one. Ids that are not yours (or do not exist, or are read already) are "
            "ignored rather than refused, so the answer reveals nothing about other users' "
            "notifications; `marked_read` counts only what this call changed."
        ),
        request=NotificationReadSerializer,
        responses={200: NotificationReadResultSerializer},
        examples=[
            OpenApiExample("Some", request_only=True, value={"ids": [41, 42]}),
            OpenApiExample("All", request_only=True, value={"all": True}),
        ],
    )
    def post(self, request):
        serializer = NotificationReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data.get("ids")
        marked = services.notifications_mark_read(user=request.user, ids=ids)
        unread = selectors.notification_unread_count(user=request.user)
        return Response({"marked_read": marked, "unread": unread})


class UnreadCountView(APIView):
    permission_classes = [IsTrainerOrClient]

    @extend_schema(
        summary="Count your unread notifications", responses={200: UnreadCountSerializer}
    )
    def get(self, request):
        return Response({"unread": selectors.notification_unread_count(user=request.user)})


# Devices -----------------------------------------------------------------------------------

DEVICE_EXAMPLES = [
    OpenApiExample(
        "Android",
        request_only=True,
        value={"platform": "android", "token": "fGc1x9Q:APA91bH-example", "app_version": "2.4.0"},
    ),
    OpenApiExample(
        "Web",
        request_only=True,
        value={
            "platform": "web",
            "token": '{"endpoint": "https://fcm.googleapis.com/fcm/send/dXz...", '
            '"keys": {"p256dh": "BNcRdreALRFX...", "auth": "tBHItJI5svbpez7KI4CCXg"}}',
        },
    ),
]


class DeviceListView(generics.ListCreateAPIView):
    permission_classes = [IsTrainerOrClient]
    serializer_class = DeviceSerializer
    filter_backends = [UpdatedSinceFilter]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Device.objects.none()
        return selectors.device_list(user=self.request.user)

    @extend_schema(
        summary="List your push devices", description="Most recently registered/seen first."
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Register a push device",
        description=(
            "Idempotent per token: registering a token again refreshes it (200); a token "
            "another user registered moves to you (the app was signed in as someone else), "
            "and pushes still pending for them are cancelled. New token: 201. Call it on "
            "every app start (tokens rotate) and DELETE the device on sign-out."
        ),
        request=DeviceRegisterSerializer,
        responses={201: DeviceSerializer, 200: DeviceSerializer},
        examples=DEVICE_EXAMPLES,
    )
    def post(self, request, *args, **kwargs):
        serializer = DeviceRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, created = services.device_register(user=request.user, **serializer.validated_data)
        return Response(
            DeviceSerializer(device).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class DeviceDetailView(generics.DestroyAPIView):
    permission_classes = [IsTrainerOrClient]
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Device.objects.none()
        return selectors.device_list(user=self.request.user)

    @extend_schema(
        summary="Unregister a push device",
        description="Your own devices only (another user's: 404). Pending pushes are cancelled.",
        responses={204: None},
    )
    def delete(self, request, *args, **kwargs):
        return super().delete(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.device_unregister(device=instance)


class WebPushKeyView(APIView):
    permission_classes = [IsTrainerOrClient]

    @extend_schema(
        summary="The Web Push (VAPID) public key",
        responses={200: WebPushKeySerializer},
        examples=[
            OpenApiExample(
                "Key",
                response_only=True,
                value={"public_key": "BOrL3...base64url...uFk"},
            )
        ],
    )
    def get(self, request):
        return Response({"public_key": services.vapid_public_key()})


# Preferences -------------------------------------------------------------------------------


class PreferenceView(APIView):
    permission_classes = [IsTrainerOrClient]

    @extend_schema(summary="Your notification preferences", responses={200: PreferenceSerializer})
    def get(self, request):
        preference = services.preference_get(user=request.user)
        data = preference_data(preference, user=request.user)
        return Response(PreferenceSerializer(data).data)

    @extend_schema(
        summary="Change your notification preferences",
        description=(
            "Send only what changes: `kinds` merges per kind and channel; `quiet_hours` "
            "`{start, end}` sets them (local times in your timezone, across midnight when "
            "end < start), `null` removes them. Pushes that fall in quiet hours are held "
            "until they end; in-app entries appear at once. A kind with both channels off "
            "is not recorded at all."
        ),
        request=PreferenceUpdateSerializer,
        responses={200: PreferenceSerializer},
        examples=[
            OpenApiExample(
                "No message pushes, quiet nights",
                request_only=True,
                value={
                    "kinds": {"message": {"push": False}},
                    "quiet_hours": {"start": "22:00", "end": "07:00"},
                },
            )
        ],
    )
    def patch(self, request):
        serializer = PreferenceUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preference = services.preference_update(user=request.user, **serializer.validated_data)
        data = preference_data(preference, user=request.user)
        return Response(PreferenceSerializer(data).data)
