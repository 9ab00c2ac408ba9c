import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """One entry of a user's in-app notification centre (docs/notifications.md)."""

    class Kind(models.TextChoices):
        MESSAGE = "message", "New message"
        PLAN_ASSIGNED = "plan_assigned", "Plan assigned"
        CHECKIN_REVIEWED = "checkin_reviewed", "Check-in reviewed"
        FORM_REVIEWED = "form_reviewed", "Form reviewed"
        HABIT_REMINDER = "habit_reminder", "Habit reminder"
        PAYMENT_FAILED = "payment_failed", "Payment failed"
        AUTOMATION = "automation", "Automation message"
        WEBHOOK_DISABLED = "webhook_disabled", "Webhook endpoint turned off"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=2000, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The spine event it was made from (an id, not a key: dashboard is to the right of
    # notifications): with the user, unique, so a redelivered event notifies once.
    event_id = models.BigIntegerField(null=True, blank=True, editable=False)
    # For notifications no event makes (habit reminders): unique per user, e.g.
    # "habit_reminder:2027-03-28", so two beats racing remind once.
    dedupe_key = models.CharField(max_length=64, blank=True, editable=False)
    # False when the user turned the in-app channel of this kind off but wants its push:
    # the row exists for the push deliveries and is never listed or counted.
    in_app = models.BooleanField(default=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "user"],
                condition=models.Q(event_id__isnull=False),
                name="notifications_once_per_event_and_user",
            ),
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notifications_once_per_key_and_user",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "message",
                        "plan_assigned",
                        "checkin_reviewed",
                        "form_reviewed",
                        "habit_reminder",
                        "payment_failed",
                        "automation",
                        "webhook_disabled",
                    ]
                ),
                name="notifications_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notifications_list_idx"),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True, in_app=True),
                name="notifications_unread_idx2",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} for {self.user.email} on {self.created_at:%Y-%m-%d %H:%M}"


class Device(models.Model):
    """A push target of a user's app install (docs/notifications.md, "Devices").

    `token` identifies the target across users: an FCM registration token for ios/android
    (the app's Firebase SDK gets it, via APNs on iOS), the subscription's endpoint URL for
    web (its keys are in `web_keys`). Unique, so re-registering a token moves it."""

    class Platform(models.TextChoices):
        IOS = "ios", "iOS"
        ANDROID = "android", "Android"
        WEB = "web", "Web"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    platform = models.CharField(max_length=16, choices=Platform.choices)
    token = models.CharField(max_length=1024, unique=True)
    # Web Push only: {"p256dh": ..., "auth": ...} of the browser's PushSubscription.
    web_keys = models.JSONField(default=dict, blank=True)
    app_version = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(platform__in=["ios", "android", "web"]),
                name="notifications_device_platform_valid",
            ),
        ]
        indexes = [models.Index(fields=["user", "-last_seen_at", "-id"], name="devices_list_idx")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} device of {self.user.email}"


class PushDelivery(models.Model):
    """One push of one notification to one device: unique, so a redelivered event, a
    re-run task or the sweep never pushes twice (docs/notifications.md, "Push")."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed for good"
        DROPPED = "dropped", "Token invalid (device removed)"
        SKIPPED = "skipped", "Skipped"

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Null once the device is gone (unregistered, or its token reported invalid).
    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    platform = models.CharField(max_length=16, choices=Device.Platform.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Not sent before this instant: the end of the user's quiet hours, or the next retry.
    not_before = models.DateTimeField(default=timezone.now)
    # A task that is sending it holds it until then (a dead worker's claim runs out).
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "push deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "device"], name="notifications_push_once_per_device"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed", "dropped", "skipped"]),
                name="notifications_pushdelivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["not_before"],
                condition=models.Q(status="pending"),
                name="notifications_push_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Push of “{self.notification.title}” ({self.get_status_display()})"


def _default_kinds() -> dict:
    return {}


class NotificationPreference(models.Model):
    """A user's choices: channels per kind (absent = on), quiet hours (local times in the
    user's timezone; none when either is null) and the habit reminder's local time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    # {"message": {"push": false}, ...}: only what differs from the default (on).
    channels = models.JSONField(default=_default_kinds, blank=True)
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    habit_reminder_time = models.TimeField(default=datetime.time(19, 0))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(quiet_hours_start__isnull=True, quiet_hours_end__isnull=True)
                    | models.Q(quiet_hours_start__isnull=False, quiet_hours_end__isnull=False)
                ),
                name="notifications_quiet_hours_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification preferences of {self.user.email}"
