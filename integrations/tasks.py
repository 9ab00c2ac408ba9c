"""Celery finds an app's tasks here (autodiscover_tasks)."""

from integrations.webhooks.tasks import (  # noqa: F401
    webhook_deliveries_purge_task,
    webhook_deliveries_sweep_task,
    webhook_delivery_send_task,
)
