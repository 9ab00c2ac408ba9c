from django.conf import settings
from django.db import models

from fitbud.models import TimeStampedModel


class PlanKind(models.TextChoices):
    WORKOUT = "workout", "Workout"
    DIET = "diet", "Diet"


class PlanTemplate(TimeStampedModel):
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_templates"
    )
    kind = models.CharField(max_length=16, choices=PlanKind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    # JSONField is JSONB on PostgreSQL. Shape validated in plans.content (core keys checked,
    # unknown keys kept).
    content = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["trainer", "kind", "is_archived"]),
            models.Index(fields=["trainer", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind} v{self.version})"


class PlanAssignment(TimeStampedModel):
    """A plan given to a client: an immutable snapshot of the template's content."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    template = models.ForeignKey(
        PlanTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )
    template_version = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=PlanKind.choices)
    name = models.CharField(max_length=200)
    snapshot = models.JSONField()
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="plans_assignment_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "kind", "status", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} for {self.client_id} from {self.start_date}"
