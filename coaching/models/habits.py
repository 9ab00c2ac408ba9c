from decimal import Decimal

from django.conf import settings
from django.db import models

from fitbud.models import TimeStampedModel


class HabitFrequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class Habit(TimeStampedModel):
    """A habit a trainer gives a client: done `target` times per day or per ISO week.

    A daily habit is done once per local date (target 1); a weekly one on `target`
    different dates of the ISO week. With a numeric `goal` (8 glasses) a date counts only
    when its check's value reaches the goal."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="habits")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    frequency = models.CharField(max_length=16, choices=HabitFrequency.choices)
    target = models.PositiveSmallIntegerField(default=1)
    goal = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=32, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(frequency__in=HabitFrequency.values),
                name="coaching_habit_frequency_valid",
            ),
            models.CheckConstraint(
                condition=(models.Q(frequency="daily", target=1))
                | models.Q(frequency="weekly", target__range=(1, 7)),
                name="coaching_habit_target_range",
            ),
            models.CheckConstraint(
                condition=models.Q(goal__isnull=True) | models.Q(goal__gt=0),
                name="coaching_habit_goal_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="coaching_habit_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["client", "start_date"])]

    def __str__(self) -> str:
        return f"{self.title} for {self.client.user.email} from {self.start_date}"

    @property
    def is_numeric(self) -> bool:
        return self.goal is not None

    def meets_goal(self, value: Decimal | None) -> bool:
        """Whether a check with this value counts for its date."""
        return self.goal is None or (value is not None and value >= self.goal)


class HabitCheck(models.Model):
    """The client did the habit on a local date (one row per habit and date)."""

    habit = models.ForeignKey(Habit, on_delete=models.CASCADE, related_name="checks")
    # Denormalised from the habit: scoping and the tenant read it without a join.
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="habit_checks"
    )
    date = models.DateField(help_text="The client's local date.")
    value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["habit", "date"], name="coaching_habitcheck_once"),
        ]
        indexes = [models.Index(fields=["client", "date"])]

    def __str__(self) -> str:
        return f"{self.habit.title} on {self.date}"

    @property
    def done(self) -> bool:
        return self.habit.meets_goal(self.value)
