from django.urls import path

from notifications.api.views import (
    DeviceDetailView,
    DeviceListView,
    NotificationListView,
    NotificationReadView,
    PreferenceView,
    UnreadCountView,
    WebPushKeyView,
)

urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="notification-list"),
    path("notifications/read/", NotificationReadView.as_view(), name="notification-read"),
    path(
        "notifications/unread-count/", UnreadCountView.as_view(), name="notification-unread-count"
    ),
    path("notifications/preferences/", PreferenceView.as_view(), name="notification-preferences"),
    path("devices/", DeviceListView.as_view(), name="device-list"),
    path("devices/web-push-key/", WebPushKeyView.as_view(), name="device-web-push-key"),
    path("devices/<int:pk>/", DeviceDetailView.as_view(), name="device-detail"),
]
