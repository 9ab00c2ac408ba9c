from django.db.models import QuerySet

from notifications.models import Device, Notification


def notification_list(*, user, unread: bool = False) -> QuerySet[Notification]:
    """A user's own in-app notifications, newest first: nobody reads another's."""
    rows = Notification.objects.filter(user=user, in_app=True)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()


def device_list(*, user) -> QuerySet[Device]:
    """A user's own devices, most recently seen first (another user's are 404)."""
    return Device.objects.filter(user=user).order_by("-last_seen_at", "-id")
