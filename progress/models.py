import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models

from accounts.models import StudioScopedByTrainer
from fitbud.models import TimeStampedModel


class ClientEntry(TimeStampedModel):
    """Base of what a client writes from the app: a client-generated UUID makes retries safe."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(help_text="The client's local date the entry belongs to.")
    notes = models.TextField(blank=True, max_length=5000)

    class Meta:
        abstract = True


class WorkoutLog(ClientEntry):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="workout_logs"
    )
    assignment = models.ForeignKey(
        "plans.PlanAssignment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workout_logs",
    )
    day_index = models.PositiveSmallIntegerField(null=True, blank=True)
    # The planned day (from the snapshot) stored beside what was done, for adherence.
    target = models.JSONField(null=True, blank=True)
    exercises = models.JSONField(default=list)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    effort = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effort__isnull=True) | models.Q(effort__range=(1, 10)),
                name="progress_workout_effort_range",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-date", "-created_at"]),
            models.Index(fields=["client", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"Workout on {self.date} by {self.client.user.email}"


class MealLog(ClientEntry):
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="meal_logs")
    meal = models.CharField(max_length=100)
    items = models.JSONField(default=list)
    calories = models.DecimalField(max_digits=8, decimal_places=1, default=0)
    protein_g = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    carbs_g = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    fat_g = models.DecimalField(max_digits=7, decimal_places=1, default=0)

    class Meta:
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["client", "-date", "-created_at"]),
            models.Index(fields=["client", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.meal} on {self.date} by {self.client.user.email}"


def _rating(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{name}__isnull": True}) | models.Q(**{f"{name}__range": (1, 10)}),
        name=f"progress_checkin_{name}_range",
    )


class CheckIn(ClientEntry):
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="check_ins")
    # Monday of the ISO week of `date`: one check-in per client per ISO week.
    week_start = models.DateField(editable=False)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    measurements = models.JSONField(default=dict, blank=True)
    sleep = models.PositiveSmallIntegerField(null=True, blank=True)
    energy = models.PositiveSmallIntegerField(null=True, blank=True)
    stress = models.PositiveSmallIntegerField(null=True, blank=True)
    adherence = models.PositiveSmallIntegerField(null=True, blank=True)
    feedback = models.TextField(blank=True, max_length=5000)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "week_start"], name="progress_checkin_one_per_week"
            ),
            _rating("sleep"),
            _rating("energy"),
            _rating("stress"),
            _rating("adherence"),
        ]
        indexes = [
            models.Index(fields=["client", "-date", "-created_at"]),
            models.Index(fields=["client", "reviewed_at"]),
        ]

    def __str__(self) -> str:
        return f"Check-in for the week of {self.week_start} by {self.client.user.email}"

    def save(self, *args, **kwargs) -> None:
        # Derived, so the one-per-ISO-week constraint can never disagree with `date`.
        self.week_start = self.date - timedelta(days=self.date.weekday())
        super().save(*args, **kwargs)


class ExerciseSession(models.Model):
    """What one workout log did of one library exercise, derived from the log's sets
    (progress/records.py) and rewritten in the transaction of every save of the log. It
    feeds `exercises/<id>/history/` and `me/records/` with indexed reads, whatever the
    length of the history."""

    log = models.ForeignKey(WorkoutLog, on_delete=models.CASCADE, related_name="sessions")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    # PROTECT: a trainer cannot erase a client's history by deleting the exercise.
    exercise = models.ForeignKey("exercises.Exercise", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    top_reps = models.PositiveIntegerField()
    top_weight_kg = models.DecimalField(max_digits=7, decimal_places=2)
    volume_kg = models.DecimalField(max_digits=12, decimal_places=1)
    e1rm_kg = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    set_count = models.PositiveSmallIntegerField()
    rep_bests = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["log", "exercise"], name="progress_session_once"),
        ]
        indexes = [
            models.Index(
                fields=["client", "exercise", "-date", "-id"], name="progress_history_idx"
            ),
            models.Index(fields=["client", "date", "id"], name="progress_records_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise.name} on {self.date} by {self.client.user.email}"


# Progress photos and body metrics (docs/photos-and-metrics.md) -----------------------------


class PhotoPose(models.TextChoices):
    FRONT = "front", "Front"
    SIDE = "side", "Side"
    BACK = "back", "Back"
    OTHER = "other", "Other"


class ProgressPhoto(TimeStampedModel):
    """A client's progress photo. The files live in the `photos` storage (never public);
    the row holds their storage keys, so the backend can change without a migration."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="progress_photos"
    )
    date = models.DateField(help_text="The client's local date the photo belongs to.")
    pose = models.CharField(max_length=8, choices=PhotoPose.choices)
    check_in = models.ForeignKey(
        CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos"
    )
    # Storage keys (storages["photos"]): the cleaned image, and its thumbnail once the
    # worker made it ("" until then).
    image_key = models.CharField(max_length=255, unique=True)
    thumbnail_key = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pose__in=PhotoPose.values), name="progress_photo_pose_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-date", "-created_at"]),
            models.Index(fields=["client", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_pose_display()} photo on {self.date} by {self.client.user.email}"


class MetricKind(models.TextChoices):
    """What a metric measures, which decides its unit and its imperial conversion."""

    MASS = "mass", "Mass (kg / lb)"
    LENGTH = "length", "Length (cm / in)"
    PERCENT = "percent", "Percentage"
    NUMBER = "number", "Number (the type's own unit, never converted)"


class MetricType(StudioScopedByTrainer, TimeStampedModel):
    """A metric a studio defines for its clients (resting heart rate, neck, ...): every member
    and client of the studio sees it; `trainer` is its author."""

    studio = models.ForeignKey(
        "accounts.Studio", on_delete=models.CASCADE, related_name="metric_types"
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="metric_types"
    )
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=40)
    kind = models.CharField(max_length=8, choices=MetricKind.choices)
    # For `number` the trainer's label (bpm, steps); for the others the metric unit the
    # values are stored in (kg, cm, %).
    unit = models.CharField(max_length=16)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "slug"], name="progress_metrictype_studio_slug"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=MetricKind.values), name="progress_metrictype_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit}) of {self.trainer.email}"


class BodyStatSource(models.TextChoices):
    MANUAL = "manual", "Entered in the app"
    APPLE_HEALTH = "apple_health", "Apple Health"
    HEALTH_CONNECT = "health_connect", "Health Connect"


class BodyStat(TimeStampedModel):
    """One body measurement on a date: entered by the client, or imported from the phone's
    health store (then `source_id` is the store's record id, unique per client and source)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="body_stats"
    )
    date = models.DateField(help_text="The client's local date of the measurement.")
    # A built-in slug (weight, body_fat, waist, ...) or the slug of `metric_type`.
    metric = models.CharField(max_length=40)
    metric_type = models.ForeignKey(
        MetricType, on_delete=models.PROTECT, null=True, blank=True, related_name="body_stats"
    )
    # Metric units (kg, cm, %), or the custom type's own unit for `number` types.
    value = models.DecimalField(max_digits=12, decimal_places=3)
    source = models.CharField(
        max_length=16, choices=BodyStatSource.choices, default=BodyStatSource.MANUAL
    )
    source_id = models.CharField(max_length=128, null=True, blank=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "source", "source_id"],
                condition=models.Q(source_id__isnull=False),
                name="progress_bodystat_source_record",
            ),
            # Imported rows always carry the store's record id; manual ones never do.
            models.CheckConstraint(
                condition=(
                    models.Q(source=BodyStatSource.MANUAL, source_id__isnull=True)
                    | (~models.Q(source=BodyStatSource.MANUAL) & models.Q(source_id__isnull=False))
                ),
                name="progress_bodystat_source_id",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "metric", "date"]),
            models.Index(fields=["client", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.value} on {self.date} by {self.client.user.email}"
