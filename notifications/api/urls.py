from django.urls import path

from notifications.api.views import NotificationListView, NotificationReadView, UnreadCountView

urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="notification-list"),
    path("notifications/read/", NotificationReadView.as_view(), name="notification-read"),
    path(
        "notifications/unread-count/", UnreadCountView.as_view(), name="notification-unread-count"
    ),
]
