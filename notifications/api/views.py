from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from fitbud.api.permissions import IsTrainerOrClient
from notifications import selectors, services
from notifications.api.filters import NotificationFilter
from notifications.api.serializers import (
    NotificationReadResultSerializer,
    NotificationReadSerializer,
    NotificationSerializer,
    UnreadCountSerializer,
)


class NotificationListView(generics.ListAPIView):
    """Your in-app notifications, newest first (page-numbered)."""

    permission_classes = [IsTrainerOrClient]
    serializer_class = NotificationSerializer
    filter_backends = [DjangoFilterBackend]
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
