from django.db.models import QuerySet

from notifications.models import Notification


def notification_list(*, user, unread: bool = False) -> QuerySet[Notification]:
    """A user's own notifications, newest first: nobody reads another's."""
    rows = Notification.objects.filter(user=user)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
