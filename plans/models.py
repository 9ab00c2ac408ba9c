import json
from typing import Any

from django.conf import settings
from django.db import models

from accounts.models import StudioScopedByTrainer
from fitbud.models import TimeStampedModel


class PlanKind(models.TextChoices):
    WORKOUT = "workout", "Workout"
    DIET = "diet", "Diet"


class LibraryScope(models.TextChoices):
    PERSONAL = "personal", "Personal"
    STUDIO = "studio", "Studio library"


class PlanTemplate(StudioScopedByTrainer, TimeStampedModel):
    # The studio it belongs to, and its author. A personal template is its author's alone;
    # a studio template is in the library every member of the studio reads.
    studio = models.ForeignKey(
        "accounts.Studio", on_delete=models.CASCADE, related_name="plan_templates"
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_templates"
    )
    scope = models.CharField(
        max_length=16, choices=LibraryScope.choices, default=LibraryScope.PERSONAL
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=PlanKind.values), name="plans_template_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="plans_template_version_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=LibraryScope.values),
                name="plans_template_scope_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["studio", "scope", "kind"]),
            models.Index(fields=["trainer", "kind", "is_archived"]),
            models.Index(fields=["trainer", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind} v{self.version})"


class SnapshotImmutable(Exception):
    """Raised when anything tries to change an assignment's snapshot after creation."""


def _frozen(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class PlanAssignmentQuerySet(models.QuerySet):
    # save() goes through _update(), so refusing here only blocks bulk writes of the
    # snapshot (update() and bulk_update(), which calls update()).
    def update(self, **kwargs: Any) -> int:
        if "snapshot" in kwargs:
            raise SnapshotImmutable("An assignment's snapshot can never be changed.")
        return super().update(**kwargs)


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

    objects = PlanAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="plans_assignment_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=PlanKind.values), name="plans_assignment_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "ended"]),
                name="plans_assignment_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "kind", "status", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} for {self.client.user.email} from {self.start_date}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if "snapshot" in field_names:
            instance._loaded_snapshot = _frozen(instance.snapshot)
        return instance

    def save(self, *args: Any, **kwargs: Any) -> None:
        inserting = self._state.adding or self.pk is None
        if not inserting:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or "snapshot" in update_fields:
                self._refuse_snapshot_change()
            # The snapshot column is written once, on insert; later saves leave it alone.
            if update_fields is None:
                kwargs["update_fields"] = [
                    f.name
                    for f in self._meta.concrete_fields
                    if not f.primary_key and f.name != "snapshot"
                ]
            else:
                kwargs["update_fields"] = [f for f in update_fields if f != "snapshot"]
        super().save(*args, **kwargs)
        if inserting:
            self._loaded_snapshot = _frozen(self.snapshot)

    def _refuse_snapshot_change(self) -> None:
        if "snapshot" in self.get_deferred_fields():
            return  # never loaded, so never changed
        original = getattr(self, "_loaded_snapshot", None)
        if original is None:
            stored = type(self).objects.filter(pk=self.pk).values_list("snapshot", flat=True)
            original = _frozen(stored.first())
        if _frozen(self.snapshot) != original:
            raise SnapshotImmutable("An assignment's snapshot can never be changed.")
