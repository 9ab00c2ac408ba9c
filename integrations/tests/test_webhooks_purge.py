"""The daily purge of the webhook delivery log (WEBHOOK_DELIVERY_RETENTION_DAYS)."""

import datetime as dt

import pytest
import time_machine

from integrations.tasks import webhook_deliveries_purge_task
from integrations.tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from integrations.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2028, 2, 29, 12, 0, tzinfo=dt.UTC)  # a leap day


def test_finished_deliveries_past_the_retention_go_pending_ones_stay(settings):
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 30
    endpoint = WebhookEndpointFactory()

    def delivery(status, days_old):
        return WebhookDeliveryFactory(
            endpoint=endpoint, status=status, created_at=NOW - dt.timedelta(days=days_old)
        )

    gone = [delivery("succeeded", 31), delivery("failed", 45)]
    kept = [delivery("pending", 90), delivery("succeeded", 29), delivery("failed", 1)]
    with time_machine.travel(NOW, tick=False):
        assert webhook_deliveries_purge_task() == len(gone)
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {d.pk for d in kept}
