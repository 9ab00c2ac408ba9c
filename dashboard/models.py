from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class ActivityEvent(models.Model):
    """One domain event, written in the same transaction as what it reports.

    It is the event spine and the transactional outbox at once (dashboard/spine.py): the
    trainer's feed reads these rows directly; every other consumer is handed each row by
    the `dashboard.event_relay` task and records what it handled in EventDelivery."""

    class Kind(models.TextChoices):
        WORKOUT_LOGGED = "workout.logged", "Workout logged"
        WORKOUT_UPDATED = "workout.updated", "Workout updated"
        MEAL_LOGGED = "meal.logged", "Meal logged"
        MEAL_UPDATED = "meal.updated", "Meal updated"
        CHECKIN_SUBMITTED = "checkin.submitted", "Check-in submitted"
        CHECKIN_UPDATED = "checkin.updated", "Check-in updated"
        CHECKIN_REVIEWED = "checkin.reviewed", "Check-in reviewed"
        INVITE_ACCEPTED = "invite.accepted", "Invite accepted"
        PLAN_ASSIGNED = "plan.assigned", "Plan assigned"
        PAYMENT_RECEIVED = "payment.received", "Payment received"
        PAYMENT_FAILED = "payment.failed", "Payment failed"
        HABIT_COMPLETED = "habit.completed", "Habit completed"
        FORM_SUBMITTED = "form.submitted", "Form submitted"
        FORM_REVIEWED = "form.reviewed", "Form reviewed"
        AUTOMATION_FIRED = "automation.fired", "Automation fired"
        RECORD_SET = "record.set", "Personal record set"
        PHOTO_UPLOADED = "photo.uploaded", "Progress photo uploaded"
        METRIC_LOGGED = "metric.logged", "Body metric logged"
        MESSAGE_SENT = "message.sent", "Message sent"
        MESSAGE_EDITED = "message.edited", "Message edited"
        MESSAGE_DELETED = "message.deleted", "Message deleted"

    studio = models.ForeignKey(
        "accounts.Studio", on_delete=models.CASCADE, related_name="activity_events"
    )
    # The client's primary coach when the event happened.
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_events"
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="activity_events"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # The access domain (clients.AccessDomain) the event reveals, blank for business events
    # (payments, accepted invites) that only managers and the primary coach see.
    domain = models.CharField(max_length=16, blank=True)
    summary = models.CharField(max_length=255)
    # Generic reference: logs have UUID keys, other objects integers.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The feed reads a studio's events (narrowed for members who are not managers).
            models.Index(fields=["studio", "-created_at", "-id"], name="dashboard_feed_idx"),
            models.Index(
                fields=["studio", "client", "-created_at", "-id"], name="dashboard_feed_client_idx"
            ),
            models.Index(
                fields=["studio", "kind", "-created_at", "-id"], name="dashboard_feed_kind_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"


class EventDelivery(models.Model):
    """One consumer has handled one event: the unique pair makes at-least-once delivery
    act once per consumer (dashboard/spine.py)."""

    class Status(models.TextChoices):
        DONE = "done", "Done"
        FAILED = "failed", "Failed for good"

    event = models.ForeignKey(ActivityEvent, on_delete=models.CASCADE, related_name="deliveries")
    consumer = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DONE)
    # Staff only: why a consumer gave up on the event after its last retry.
    last_error = models.TextField(blank=True)
    handled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-handled_at", "-id"]
        verbose_name_plural = "event deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "consumer"], name="dashboard_eventdelivery_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consumer}: event {self.event_id} ({self.status})"


class ConsumerCursor(models.Model):
    """Per consumer, the id up to which every event is handled (the sweep's high-water
    mark): the sweep reads only the events after it."""

    consumer = models.CharField(max_length=64, unique=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.consumer} at event {self.position}"
