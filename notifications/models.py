from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """One entry of a user's in-app notification centre (docs/notifications.md)."""

    class Kind(models.TextChoices):
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
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "user"],
                condition=models.Q(event_id__isnull=False),
                name="notifications_once_per_event_and_user",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["automation", "webhook_disabled"]),
                name="notifications_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notifications_list_idx"),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notifications_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} for {self.user.email} on {self.created_at:%Y-%m-%d %H:%M}"
