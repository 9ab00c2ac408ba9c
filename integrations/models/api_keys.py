"""API keys: a studio member's credential for their own tools (docs/integrations.md)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

# What a key may do, per area: "read:<area>" and "write:<area>" (write includes read).
# Which endpoints belong to which area is declared in integrations/scopes.py.
AREAS = ("clients", "plans", "progress", "coaching", "billing", "messages")
SCOPES = tuple(f"{action}:{area}" for area in AREAS for action in ("read", "write"))


class ApiKeyStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class ApiKey(models.Model):
    """Only a SHA-256 digest of the key is stored; `prefix` is its public, unique part
    (shown in lists, used to find the row)."""

    studio = models.ForeignKey("accounts.Studio", on_delete=models.CASCADE, related_name="+")
    # The member the key acts as; it works only while they are a member of `studio`.
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Written at most once a minute per key (integrations.keys.api_key_touch).
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"
        constraints = [
            # A name tells a member's live keys apart (revoked ones keep theirs).
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="integrations_apikey_live_name_unique",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="integrations_key_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix})"

    @property
    def display_prefix(self) -> str:
        return f"fbk_{self.prefix}"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return ApiKeyStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return ApiKeyStatus.EXPIRED
        return ApiKeyStatus.ACTIVE
