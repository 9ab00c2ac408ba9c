from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class ActivityEvent(models.Model):
    """One row of the trainer's feed, written in the same transaction as what it reports."""

    class Kind(models.TextChoices):
        WORKOUT_LOGGED = "workout.logged", "Workout logged"
        WORKOUT_UPDATED = "workout.updated", "Workout updated"
        MEAL_LOGGED = "meal.logged", "Meal logged"
        MEAL_UPDATED = "meal.updated", "Meal updated"
        CHECKIN_SUBMITTED = "checkin.submitted", "Check-in submitted"
        CHECKIN_UPDATED = "checkin.updated", "Check-in updated"
        INVITE_ACCEPTED = "invite.accepted", "Invite accepted"
        PLAN_ASSIGNED = "plan.assigned", "Plan assigned"
        PAYMENT_RECEIVED = "payment.received", "Payment received"

    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_events"
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="activity_events"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    summary = models.CharField(max_length=255)
    # Generic reference: logs have UUID keys, other objects integers.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["trainer", "-created_at", "-id"], name="dashboard_feed_idx"),
            models.Index(
                fields=["trainer", "client", "-created_at", "-id"], name="dashboard_feed_client_idx"
            ),
            models.Index(
                fields=["trainer", "kind", "-created_at", "-id"], name="dashboard_feed_kind_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"
