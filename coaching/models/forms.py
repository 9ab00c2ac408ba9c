import uuid

from django.conf import settings
from django.db import models

from accounts.models import StudioScopedByTrainer
from fitbud.models import TimeStampedModel
from plans.models import LibraryScope


class FormKind(models.TextChoices):
    WEEKLY = "weekly", "Weekly check-in"
    ONCE = "once", "Once (questionnaire)"


class QuestionType(models.TextChoices):
    NUMBER = "number", "Number"
    SCALE = "scale", "Scale 1-10"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    YES_NO = "yes_no", "Yes / no"
    PHOTO = "photo", "Photo"


class CheckInForm(StudioScopedByTrainer, TimeStampedModel):
    """A trainer's questionnaire. `questions` is the current version's list; every
    version ever made is a FormVersion row, which is what assignments and responses use."""

    studio = models.ForeignKey(
        "accounts.Studio", on_delete=models.CASCADE, related_name="checkin_forms"
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_forms"
    )
    scope = models.CharField(
        max_length=16, choices=LibraryScope.choices, default=LibraryScope.PERSONAL
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=FormKind.choices)
    questions = models.JSONField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=FormKind.values), name="coaching_form_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=LibraryScope.values),
                name="coaching_form_scope_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="coaching_form_version_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["studio", "scope"]),
            models.Index(fields=["trainer", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class FormVersion(models.Model):
    """An immutable snapshot of a form's questions: written once, never updated (the
    services have no update path and the admin shows it read-only)."""

    studio = models.ForeignKey("accounts.Studio", on_delete=models.CASCADE, related_name="+")
    # Null once the form is deleted: assignments and responses keep their snapshot.
    form = models.ForeignKey(
        CheckInForm, on_delete=models.SET_NULL, null=True, related_name="versions"
    )
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=FormKind.choices)
    questions = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["form", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["form", "version"], name="coaching_formversion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def question(self, key: str) -> dict | None:
        return next((q for q in self.questions if q.get("key") == key), None)


class FormAssignment(models.Model):
    """A form version given to a client: their weekly check-in form (one live at a time)
    or a questionnaire to answer once."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="form_assignments"
    )
    form = models.ForeignKey(
        CheckInForm, on_delete=models.SET_NULL, null=True, related_name="assignments"
    )
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=FormKind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Ending it is a change (`?updated_since=` of form-assignments/).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(kind="weekly", status="active"),
                name="coaching_formassignment_one_live_weekly",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "ended"]),
                name="coaching_formassignment_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["client", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.form_version.name} for {self.client.user.email}"


class FormResponse(models.Model):
    """A client's answers to one assignment, validated against its version's questions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="form_responses"
    )
    assignment = models.ForeignKey(
        FormAssignment, on_delete=models.CASCADE, related_name="responses"
    )
    # The version answered (the assignment's): old answers keep their meaning.
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(help_text="The client's local date of submission.")
    # Monday of the ISO week for weekly forms (one per client and week); null for once.
    week_start = models.DateField(null=True, blank=True)
    answers = models.JSONField()
    feedback = models.TextField(blank=True, max_length=5000)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "week_start"],
                condition=models.Q(week_start__isnull=False),
                name="coaching_formresponse_one_per_week",
            ),
            models.UniqueConstraint(
                fields=["assignment"],
                condition=models.Q(week_start__isnull=True),
                name="coaching_formresponse_once",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-created_at"]),
            models.Index(fields=["client", "reviewed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.form_version.name} answered on {self.date} by {self.client.user.email}"
