"""What mobile sync (docs/sync.md) keeps besides the synced rows themselves."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SyncTombstone(models.Model):
    """A synced row that was deleted: devices that hold it learn its id on their next pull.

    Ids, not foreign keys: the row is gone, and so may be its client (a deleted client takes
    every row with it, and every device of the studio must still drop them)."""

    table = models.CharField(max_length=32, help_text="The sync table name (workout_logs, ...).")
    object_id = models.CharField(max_length=64, help_text="The id the devices know the row by.")
    # Whose row it was: the client (null for exercises) and the studio (null: the global
    # exercise library, seen by everybody).
    client_id = models.BigIntegerField(null=True, blank=True)
    studio_id = models.BigIntegerField(null=True, blank=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-deleted_at", "-id"]
        indexes = [
            models.Index(fields=["studio_id", "table", "deleted_at"], name="sync_tomb_studio_idx"),
            models.Index(fields=["client_id", "table", "deleted_at"], name="sync_tomb_client_idx"),
            models.Index(fields=["deleted_at"], name="sync_tomb_deleted_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.object_id} deleted at {self.deleted_at:%Y-%m-%d %H:%M}"


class SyncPush(models.Model):
    """One applied push, by the fingerprint of its body and last_pulled_at: the same push
    sent again (a retry after a lost response) is answered without applying it twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sync_pushes"
    )
    fingerprint = models.CharField(max_length=64)
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "fingerprint"], name="sync_push_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="sync_push_created_idx")]

    def __str__(self) -> str:
        return f"Push by {self.user.email} at {self.created_at:%Y-%m-%d %H:%M}"
