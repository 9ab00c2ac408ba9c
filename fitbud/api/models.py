"""Rows of the shared API plumbing: cache generations (response_cache.py) and idempotency
records (idempotency.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TenantGeneration(models.Model):
    """How often a tenant's rows have changed: moved on in the transaction of every write.

    `tenant_id` names a tenant without a foreign key (today a trainer's user id; studios
    will be tenants later), so the row outlives nothing it points to and any app can bump it.
    """

    tenant_id = models.BigIntegerField(primary_key=True)
    generation = models.BigIntegerField()

    class Meta:
        verbose_name = "tenant generation"

    def __str__(self) -> str:
        return f"tenant {self.tenant_id}: generation {self.generation}"


class IdempotencyRecord(models.Model):
    """The first answer to a create sent with an `Idempotency-Key`, replayed on retries
    (fitbud/api/idempotency.py). Kept IDEMPOTENCY_TTL_HOURS (24), then purged by beat."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # "POST /api/v1/templates/": where the key was first used (part of the fingerprint too).
    route = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    # Filled in the same transaction as the insert (never seen empty once committed).
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The rendered JSON body, replayed byte for byte.
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "idempotency record"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.route} ({self.created_at:%Y-%m-%d %H:%M})"
