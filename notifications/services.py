from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications.models import Device, Notification, NotificationPreference, PushDelivery
from notifications.quiet_hours import quiet_until

logger = logging.getLogger("fitbud.notifications")

CHANNELS = ("in_app", "push")
# A user's devices beyond this many (the least recently seen) are forgotten on register.
DEVICES_PER_USER = 20
# A held push whose quiet hours end further away than this is left to the sweep rather
# than scheduled as a Celery ETA task: the Redis transport redelivers unacknowledged
# tasks after CELERY_VISIBILITY_TIMEOUT (1 h), so a longer ETA would be queued again.
PUSH_ETA_MAX_SECONDS = 45 * 60


# Preferences -------------------------------------------------------------------------------


def preference_get(*, user: User) -> NotificationPreference:
    """The user's preferences; the defaults (every channel on, no quiet hours), unsaved,
    for a user who never changed them (reading never writes)."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


def preference_wants(preference: NotificationPreference, kind: str, channel: str) -> bool:
    return bool((preference.channels or {}).get(kind, {}).get(channel, True))


_UNSET: Any = object()


@transaction.atomic
def preference_update(
    *,
    user: User,
    kinds: dict[str, dict[str, bool]] | None = None,
    quiet_hours: dict[str, datetime.time] | None = _UNSET,
    habit_reminder_time: datetime.time | None = None,
) -> NotificationPreference:
    """Merge `kinds` ({kind: {channel: bool}}) into the stored choices; `quiet_hours`
    {start, end} sets them, None clears them, absent leaves them."""
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    channels = dict(preference.channels or {})
    for kind, choice in (kinds or {}).items():
        merged = {**channels.get(kind, {}), **choice}
        # Store only what differs from the default (on).
        channels[kind] = {channel: False for channel, on in merged.items() if not on}
        if not channels[kind]:
            del channels[kind]
    preference.channels = channels
    if quiet_hours is not _UNSET:
        preference.quiet_hours_start = quiet_hours["start"] if quiet_hours else None
        preference.quiet_hours_end = quiet_hours["end"] if quiet_hours else None
    if habit_reminder_time is not None:
        preference.habit_reminder_time = habit_reminder_time
    preference.save()
    return preference


def push_not_before(*, user: User, preference: NotificationPreference) -> datetime.datetime:
    """Now, or the end of the user's quiet hours when now is inside them."""
    now = timezone.now()
    held = quiet_until(
        now=now,
        start=preference.quiet_hours_start,
        end=preference.quiet_hours_end,
        tz=user.tzinfo,
    )
    return held or now


# Notifications -----------------------------------------------------------------------------


@transaction.atomic
def notification_create(
    *,
    user: User,
    kind: str,
    title: str,
    body: str = "",
    data: dict[str, Any] | None = None,
    event_id: int | None = None,
    dedupe_key: str = "",
) -> Notification | None:
    """One notification, as the user's preferences for `kind` want it (None when they want
    neither channel); for a spine event (or a dedupe key), at most one per user (None if it
    exists). With the push channel on, one PushDelivery per device of the user, sent by
    the worker after commit (held until the user's quiet hours end)."""
    preference = preference_get(user=user)
    in_app = preference_wants(preference, kind, "in_app")
    push = preference_wants(preference, kind, "push")
    if not (in_app or push):
        return None
    fields = {
        "kind": kind,
        "title": title[:200],
        "body": body[:2000],
        "data": data or {},
        "in_app": in_app,
    }
    if event_id is None and not dedupe_key:
        notification = Notification.objects.create(user=user, **fields)
    else:
        lookup = {"event_id": event_id} if event_id is not None else {"dedupe_key": dedupe_key}
        notification, created = Notification.objects.get_or_create(
            user=user, **lookup, defaults=fields
        )
        if not created:
            return None
    if push:
        push_deliveries_plan(notification=notification, preference=preference)
    return notification


def push_deliveries_plan(
    *, notification: Notification, preference: NotificationPreference
) -> list[PushDelivery]:
    """A pending delivery per device of the notification's user, and their send tasks
    after commit (a held one as an ETA task if its hold is short; the sweep covers the
    rest and every task the broker lost)."""
    devices = list(Device.objects.filter(user_id=notification.user_id))
    if not devices:
        return []
    not_before = push_not_before(user=notification.user, preference=preference)
    rows = PushDelivery.objects.bulk_create(
        [
            PushDelivery(
                notification=notification,
                device=device,
                platform=device.platform,
                not_before=not_before,
            )
            for device in devices
        ]
    )
    for row in rows:
        push_send_schedule(delivery_id=row.pk, not_before=not_before)
    return rows


def push_send_schedule(*, delivery_id: int, not_before: datetime.datetime) -> None:
    from notifications.tasks import push_send_task

    def publish() -> None:
        countdown = max(0.0, (not_before - timezone.now()).total_seconds())
        if countdown > PUSH_ETA_MAX_SECONDS:
            return  # the sweep sends it once the quiet hours are over
        try:
            push_send_task.apply_async(
                kwargs={"delivery_id": delivery_id}, countdown=countdown or None
            )
        except Exception:
            logger.exception("Could not enqueue %s; the sweep will send it", push_send_task.name)

    transaction.on_commit(publish)


@transaction.atomic
def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None). Ids of
    other users' notifications, or unknown ones, are ignored: the answer counts only rows
    this call changed, so it reveals nothing about others. Returns that count."""
    rows = Notification.objects.filter(user=user, in_app=True, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    now = timezone.now()
    return rows.update(read_at=now, updated_at=now)


# Devices -----------------------------------------------------------------------------------


@transaction.atomic
def device_register(
    *,
    user: User,
    platform: str,
    token: str,
    web_keys: dict[str, str] | None = None,
    app_version: str = "",
) -> tuple[Device, bool]:
    """Register (or refresh) a push token; a token registered by another user moves to this
    one, and its pushes still pending for the previous user are cancelled (never shown on
    a phone that changed hands). Returns (device, created)."""
    now = timezone.now()
    fields = {
        "user": user,
        "platform": platform,
        "web_keys": web_keys or {},
        "app_version": app_version,
        "last_seen_at": now,
    }
    device, created = Device.objects.select_for_update().get_or_create(token=token, defaults=fields)
    if not created:
        if device.user_id != user.pk:
            PushDelivery.objects.filter(device=device, status=PushDelivery.Status.PENDING).update(
                status=PushDelivery.Status.SKIPPED, last_error="device moved to another user"
            )
        for name, value in fields.items():
            setattr(device, name, value)
        device.save()
    stale = list(
        Device.objects.filter(user=user)
        .order_by("-last_seen_at", "-id")
        .values_list("pk", flat=True)[DEVICES_PER_USER:]
    )
    if stale:
        Device.objects.filter(pk__in=stale).delete()
    return device, created


@transaction.atomic
def device_unregister(*, device: Device) -> None:
    PushDelivery.objects.filter(device=device, status=PushDelivery.Status.PENDING).update(
        status=PushDelivery.Status.SKIPPED, last_error="device unregistered"
    )
    device.delete()


def vapid_public_key() -> str:
    return settings.WEBPUSH_VAPID_PUBLIC_KEY
