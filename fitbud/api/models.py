"""The truth the response cache checks its entries against (fitbud/api/response_cache.py)."""

from django.db import models


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
