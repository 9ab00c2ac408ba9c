"""Automations: a trainer's rule (a trigger and an action) and the log of its firings."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import StudioScopedByTrainer


class TriggerType(models.TextChoices):
    EVENT = "event", "A spine event"
    NO_WORKOUT = "no_workout", "No workout logged for N days"
    CHECKIN_MISSING = "checkin_missing", "Weekly check-in not submitted by a local time"
    SUBSCRIPTION_ENDING = "subscription_ending", "Subscription ends in N days"


SCHEDULE_TRIGGERS = (
    TriggerType.NO_WORKOUT,
    TriggerType.CHECKIN_MISSING,
    TriggerType.SUBSCRIPTION_ENDING,
)


class ActionType(models.TextChoices):
    NOTIFY_CLIENT = "notify_client", "Notify the client (in-app)"
    NOTIFY_TRAINER = "notify_trainer", "Notify the trainer (in-app)"
    ASSIGN_TEMPLATE = "assign_template", "Assign a plan template"


class Automation(StudioScopedByTrainer, models.Model):
    """A trainer's rule. `trigger` and `action` are JSON validated by
    coaching.services.automations (shapes in docs/coaching.md); `trigger_type` is derived
    from `trigger` so the sweep and the event consumer find their rules by index."""

    studio = models.ForeignKey(
        "accounts.Studio", on_delete=models.CASCADE, related_name="automations"
    )
    # The author: the rule acts on the clients this member sees (client_scope), and
    # notify_trainer notifies them.
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="automations"
    )
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    trigger = models.JSONField()
    trigger_type = models.CharField(max_length=32, choices=TriggerType.choices, editable=False)
    action = models.JSONField()
    # Empty: every active client the author sees. Otherwise only these (still within scope).
    clients = models.ManyToManyField("clients.Client", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trigger_type__in=TriggerType.values),
                name="coaching_automation_trigger_type_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["studio", "-created_at", "-id"]),
            models.Index(fields=["trigger_type", "is_active"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if isinstance(self.trigger, dict):
            self.trigger_type = self.trigger.get("type", "")
        super().save(*args, **kwargs)


class AutomationRun(models.Model):
    """One firing of a rule for one client in one period: the unique triple is what makes
    two racing sweeps (or a redelivered event) fire once. Inserted first; the action runs
    only in the transaction that inserted it."""

    class Status(models.TextChoices):
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="runs")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    # What the rule fired for: "event:<id>", "no_workout:<date>", "checkin:<week start>",
    # "subscription:<id>:<end date>".
    period_key = models.CharField(max_length=64)
    reason = models.CharField(max_length=255)
    # The action as it was when the rule fired (the rule may be edited later).
    action = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DONE)
    detail = models.CharField(max_length=255, blank=True)
    fired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-fired_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["automation", "client", "period_key"], name="coaching_automationrun_once"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["done", "failed"]),
                name="coaching_automationrun_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["automation", "-fired_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.automation.name} for {self.client} on {self.fired_at:%Y-%m-%d %H:%M}"
