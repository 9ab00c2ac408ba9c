from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification


@transaction.atomic
def notification_create(
    *,
    user: User,
    kind: str,
    title: str,
    body: str = "",
    data: dict[str, Any] | None = None,
    event_id: int | None = None,
) -> Notification | None:
    """One notification; for a spine event, at most one per user (None if it exists)."""
    fields = {"kind": kind, "title": title[:200], "body": body[:2000], "data": data or {}}
    if event_id is None:
        return Notification.objects.create(user=user, **fields)
    notification, created = Notification.objects.get_or_create(
        user=user, event_id=event_id, defaults=fields
    )
    return notification if created else None


@transaction.atomic
def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None). Ids of
    other users' notifications, or unknown ones, are ignored: the answer counts only rows
    this call changed, so it reveals nothing about others. Returns that count."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())
